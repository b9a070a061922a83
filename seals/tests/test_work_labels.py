"""Every step of the seal flows that is someone's work declares its label (``work=``) once, and the work items a
live run opens carry exactly that label (``flow[item.step].work_for(record)``)."""

from datetime import timedelta

from django.utils import timezone

from seals import workflow
from township_office import worklist
from township_office.models import User

from .conftest import decide


def open_steps(obj, flow):
    """The steps the record's open items wait for, each item's label checked against its step's declaration."""
    seen = set()
    for item in worklist.open_items(obj):
        step = flow[item.step]
        assert step.work, f"{item.step} is someone's work but declares no work="
        assert item.label == step.work_for(obj), (item.step, item.label)
        seen.add(item.step)
    return seen


def declared_work(flow):
    return {step.name for step in flow if step.work}


def test_seal_request_items_carry_their_declared_labels(apply, deputy, principal, seal_keeper):
    flow = workflow.requests
    director = User.objects.get(username="office_director")
    request = apply(["长官镇党政办公室"], use_type="take_out", expected_return=timezone.now() + timedelta(hours=4))
    seen = open_steps(request, flow)
    assert seen == {"approve_office"}
    decide(request, by=director, approve=True)
    request.refresh_from_db()
    assert open_steps(request, flow) == {"approve_principal"}
    seen |= {"approve_principal"}
    decide(request, by=principal, approve=True)
    request.refresh_from_db()
    assert open_steps(request, flow) == {"stamp", "take_out"}
    workflow.stamp(request, by=seal_keeper, seal=request.seals.get(), copies=1)  # copies remain: 待用印 stays
    request.refresh_from_db()
    assert open_steps(request, flow) == {"stamp", "take_out"}
    workflow.take_out(request, by=seal_keeper)
    request.refresh_from_db()
    assert open_steps(request, flow) == {"stamp", "sign_back_in"}
    seen |= {"stamp", "take_out", "sign_back_in"}

    other = apply(["长官镇农业农村办公室"])  # tier 2: the deputy in charge decides
    assert open_steps(other, flow) == {"approve_deputy"}
    seen |= {"approve_deputy"}

    assert seen == declared_work(flow)
    labels = {flow[name].work_for(request) for name in seen}
    assert labels == {
        "待审批用印（办公室主任）",
        "待审批用印（分管领导）",
        "待审批用印（主要领导）",
        "待用印",
        "待登记带出",
        "待登记归还",
    }


def test_introduction_letter_item_carries_its_declared_label(staff, deputy, township):
    flow = workflow.letters
    letter = workflow.apply_letter(
        by=staff,
        data={
            "recipient_unit": "县自然资源和规划局",
            "persons": "黄磊",
            "person_count": 1,
            "purpose": "项目对接",
            "valid_days": 7,
        },
    )
    assert open_steps(letter, flow) == {"approve_letter"} == declared_work(flow)
    assert worklist.open_items(letter).get().label == "待审批介绍信"
    workflow.approve_letter(letter, by=deputy, comment="同意")
    letter.refresh_from_db()
    assert open_steps(letter, flow) == set()
