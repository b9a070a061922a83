"""Every step of the reception plan that is someone's work declares its label (``work=``) once, and the work items
a live run opens carry exactly that label: ``flow[item.step].work_for(plan)``, and for a material's own item
(``material-<pk>``, closed by 完成材料) that step's label and the material's title."""

from reception import workflow
from township_office import worklist

from .test_workflow import fresh


def open_steps(reception):
    flow = workflow.plans
    seen = set()
    for item in worklist.open_items(reception):
        if item.step.startswith("material-"):
            material = reception.materials.get(pk=int(item.step.split("-", 1)[1]))
            step = flow["finish_material"]
            expected = f"{step.work_for(reception)}：{material.title}"
        else:
            step = flow[item.step]
            expected = step.work_for(reception)
        assert step.work, f"{step.name} is someone's work but declares no work="
        assert item.label == expected, (item.step, item.label)
        seen.add(step.name)
    return seen


def test_plan_items_carry_their_declared_labels(make_reception, clerk, office_director, deputy, staff):
    reception = make_reception(material="村情简介", leaders=[deputy])
    workflow.submit(reception, by=clerk)
    assert open_steps(fresh(reception)) == {"approve", "finish_material"}
    workflow.approve(fresh(reception), by=office_director, comment="同意")
    assert open_steps(fresh(reception)) == {"acknowledge", "finish_material"}
    assert {step.name for step in workflow.plans if step.work} == {"approve", "acknowledge", "finish_material"}
    labels = sorted(item.label for item in worklist.open_items(reception))
    assert labels == ["准备材料：村情简介", "陪同接待"]
    workflow.finish_material(fresh(reception), by=staff, material=reception.materials.get())
    workflow.acknowledge(fresh(reception), by=deputy)
    assert open_steps(fresh(reception)) == set()
