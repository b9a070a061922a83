"""Each work item is labelled as its step declares (``work=``): one contact and one case walked through every step
that is someone's work, the labels of the live items compared with the declarations."""

from datetime import UTC, datetime

import pytest
import time_machine

from township_office import worklist
from township_office.models import AuditEvent, WorkItem
from township_office.steps import flow_for
from visitors import workflow
from visitors.models import Contact, PetitionCase

# 07:30 Beijing on 11 May 2026 is still 10 May in UTC.
MORNING = datetime(2026, 5, 10, 23, 30, tzinfo=UTC)


class Walk:
    """Takes steps and notes every item open after each one: the work given (已办's records of steps nobody was
    asked to take are not work given)."""

    def __init__(self):
        self.given = set()

    def __call__(self, step, obj, **arguments):
        result = step(obj, **arguments)
        self.given.update(WorkItem.objects.filter(done_at=None).values_list("pk", flat=True))
        return result

    def items(self):
        return WorkItem.objects.filter(pk__in=self.given).select_related("matter__content_type")


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_every_item_of_both_flows_is_labelled_as_its_step_declares(
    register, front_desk, office_director, principal, resources_staff, departments
):
    take = Walk()
    contact = register(draft=True)
    take(workflow.save_draft, contact, by=front_desk, data={"name": "李四"})
    take(workflow.submit, contact, by=front_desk)
    take(workflow.withdraw_contact, contact, by=front_desk)
    take(workflow.submit, contact, by=front_desk)
    case = take(workflow.open_case, contact, by=front_desk, petition_type="claim")
    take(workflow.withdraw, case, by=front_desk)  # the contact waits for its answer again
    case = take(workflow.open_case, Contact.objects.get(pk=contact.pk), by=front_desk, petition_type="claim")
    take(
        workflow.accept,
        case,
        by=office_director,
        notice_text="已受理",
        severity="major",
        leader=principal,
        lead_department=departments["自然资源所"],
        support_departments=[departments["司法所"]],
        handled_with_opinion=True,
    )
    take(workflow.instruct, case, by=principal, text="请自然资源所牵头核实")
    take(workflow.report_progress, case, by=resources_staff, text="已现场核实")
    take(workflow.request_extension, case, by=office_director, days=10, reason="需县局测绘")
    take(workflow.reject_extension, case, by=principal)
    take(workflow.request_extension, case, by=office_director, days=10, reason="需县局测绘")
    take(workflow.approve_extension, case, by=principal)
    take(workflow.reply, case, by=office_director, text="经核实，补偿款月底前发放。")
    take(workflow.close, case, by=front_desk, satisfaction="satisfied")
    answered = register()  # registered at once: its first item is given outside any step
    take.given.update(WorkItem.objects.filter(done_at=None).values_list("pk", flat=True))
    take(workflow.answer, answered, by=front_desk, answer="已当场解释政策")

    seen = set()
    for item in take.items():
        obj = item.matter.content_type.get_object_for_this_type(pk=item.matter.object_id)
        step = flow_for(obj)[item.step]
        assert step.work, f"{step.label} ({step.name}) is given as work but declares no work="
        assert item.label == step.work_for(obj), (item.step, item.label)
        seen.add((type(obj), item.step))

    given = {
        (model, step.name)
        for model, flow in [(Contact, workflow.contacts), (PetitionCase, workflow.cases)]
        for step in flow
        if step.work
    }
    assert seen == given  # every step declaring work was given as work, and nothing else was
    progress = WorkItem.objects.filter(step="report_progress")
    assert sorted(i.department.name for i in progress) == ["司法所", "自然资源所"]  # 主办 and 协办, labelled alike
    assert all(i.urgent for i in progress) and WorkItem.objects.filter(step="instruct", urgent=True).exists()
    assert WorkItem.objects.filter(step="close", urgent=False).exists()  # urgency as before: only 批示 and 办理
    opened = AuditEvent.objects.filter(action="信访事项立案", object_code=str(case.code)).get()
    assert opened.to_state == PetitionCase.Status.REGISTERED  # the new case's first event names its state


@pytest.mark.django_db
@time_machine.travel(MORNING, tick=False)
def test_the_contacts_item_reads_its_current_title(register, front_desk):
    """我的待办 shows the contact as it is now: edited in the draft, no longer 「（草稿）」 once submitted."""
    contact = register(draft=True)
    assert worklist.matter_of(contact).title.endswith("（草稿）")
    workflow.save_draft(contact, by=front_desk, data={"name": "李四"})
    assert worklist.matter_of(Contact.objects.get(pk=contact.pk)).title.startswith("来访 李四：")
    workflow.submit(contact, by=front_desk)
    item = worklist.waiting(front_desk).get()
    assert item.step == "answer" and item.label == "待答复或立案"
    assert item.matter.title == Contact.objects.get(pk=contact.pk).worklist_title()
    assert not item.matter.title.endswith("（草稿）")
