"""The reception plan's steps: (state × step × persona) → allowed or refused, and what each step leaves behind."""

import contextlib
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction
from django.utils import timezone

from reception import workflow
from reception.models import Material, Reception
from tests.unchanged import AUDIT, changes, database_state
from township_office import permissions, steps, worklist
from township_office.models import AuditEvent, Notification, WorkItem
from township_office.steps import Refused

S = Reception.Status
PERSONAS = ["clerk", "office_director", "principal_leader", "deputy_leader", "department_staff", "stranger"]
OFFICE = {"clerk", "office_director"}

# (state, step) → who may take it. The plan is drafted by the clerk, is not major (the office director decides),
# the deputy leader accompanies, and the 农业农村办公室 (department_staff) prepares one material.
ALLOWED = {
    ("draft", "submit"): OFFICE,
    ("draft", "add_checklist_item"): OFFICE,
    ("draft", "tick"): OFFICE,
    ("draft", "cancel"): OFFICE,
    ("pending", "withdraw"): {"clerk"},
    ("pending", "approve"): {"office_director"},
    ("pending", "send_back"): {"office_director"},
    ("pending", "finish_material"): {"department_staff"},
    ("pending", "add_checklist_item"): OFFICE,
    ("pending", "tick"): OFFICE,
    ("pending", "cancel"): OFFICE,
    ("approved", "acknowledge"): {"deputy_leader"},
    ("approved", "finish_material"): {"department_staff"},
    ("approved", "add_checklist_item"): OFFICE,
    ("approved", "tick"): OFFICE,
    ("approved", "cancel"): OFFICE,
    # ended, every material done and item ticked: only now 结算; no more cancelling
    ("ended", "close"): OFFICE,
    ("ended", "acknowledge"): {"deputy_leader"},
    ("ended", "add_checklist_item"): OFFICE,
}
STATES = ["draft", "pending", "approved", "ended", "closed", "cancelled"]
STEPS = [
    "submit",
    "withdraw",
    "approve",
    "send_back",
    "acknowledge",
    "finish_material",
    "add_checklist_item",
    "tick",
    "close",
    "cancel",
]


class Rollback(Exception):
    pass


@pytest.fixture
def prepared(make_reception, people, stranger, monkeypatch):
    monkeypatch.setattr("reception.pdf.reception_list", lambda reception: b"%PDF-1.4\n%%EOF\n")  # tested elsewhere
    people = {**people, "stranger": stranger}
    clerk, director = people["clerk"], people["office_director"]

    def prepare(state, days_later=0):
        """The plan brought to ``state`` by its steps; ``days_later`` moves its start (several plans at once)."""
        ended = state in ("ended", "closed")
        start = timezone.now().replace(microsecond=0) + timedelta(days=-2 - days_later if ended else 5 + days_later)
        reception = make_reception(start=start, material="项目汇报材料", checklist=["确认用车"])
        if state == "cancelled":
            workflow.submit(reception, by=clerk)
            workflow.cancel(fresh(reception), by=clerk, reason="来访取消")
        if state in ("pending", "approved", "ended", "closed"):
            workflow.submit(reception, by=clerk)
        if state in ("approved", "ended", "closed"):
            workflow.approve(fresh(reception), by=director)
        if ended:
            workflow.finish_material(
                fresh(reception), by=people["department_staff"], material=reception.materials.get()
            )
            workflow.tick(fresh(reception), by=clerk, item=reception.checklist.get())
        if state == "closed":
            workflow.close(fresh(reception), by=clerk, **close_arguments())
        return fresh(reception)

    return prepare, people


def fresh(reception):
    return Reception.objects.select_related("created_by", "approved_by").get(pk=reception.pk)


def close_arguments():
    return {
        "costs": {"meal_cost": 100, "lodging_cost": 0, "transport_cost": 0, "other_cost": 0},
        "attendees": "陈刚",
        "invoices": SimpleUploadedFile("发票.pdf", b"%PDF-1.4"),
    }


def arguments(name, reception):
    material = reception.materials.filter(done_at__isnull=True).first()
    item = reception.checklist.filter(done_at__isnull=True).first()
    return {
        "approve": {"comment": "同意"},
        "send_back": {"reason": "补充日程"},
        "cancel": {"reason": "来访取消"},
        "add_checklist_item": {"text": "准备茶水"},
        "finish_material": {"material": material or reception.materials.first()},
        "tick": {"item": item or reception.checklist.first()},
        "close": close_arguments(),
    }.get(name, {})


@pytest.mark.parametrize("state", STATES)
@pytest.mark.parametrize("name", STEPS)
def test_step_table(prepared, state, name):
    prepare, people = prepared
    reception = prepare(state)
    allowed = ALLOWED.get((state, name), set())
    for persona in PERSONAS:
        user = people[persona]
        obj = fresh(reception)
        expected = persona in allowed
        assert workflow.plans.allows(obj, user, name) is expected, (state, name, persona)
        before = database_state()
        with contextlib.suppress(Rollback), transaction.atomic():
            if expected:
                workflow.plans[name](obj, by=user, **arguments(name, obj))
                assert AUDIT in changes(before), "an allowed step writes its audit event"
            else:
                with pytest.raises(Refused):
                    workflow.plans[name](obj, by=user, **arguments(name, obj))
                assert not changes(before), (state, name, persona)  # record, grants, items, audit: nothing
            raise Rollback


def held(user, reception):
    return permissions.held(user, fresh(reception))


def sync_participants(reception, *, by):
    """What a step changing the plan does at its end, on a plan changed outside any step."""
    with transaction.atomic():
        workflow.sync_participants(steps.Run(workflow.plans, workflow.plans["edit"], reception, by))


def test_submit_assigns_the_approver_and_materials_and_grants(make_reception, clerk, office_director, staff, deputy):
    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    approve = WorkItem.objects.get(step="approve", done_at__isnull=True)
    assert approve.assignee == office_director and approve.label == "待审批接待方案"
    material = reception.materials.get()
    item = WorkItem.objects.get(step=workflow.material_step(material), done_at__isnull=True)
    assert item.department == staff.department and item.due <= timezone.localtime(reception.start).date()
    assert list(worklist.waiting(staff)) == [item]
    assert {"view", "approve"} <= held(office_director, reception)
    assert {"view", "accompany"} <= held(deputy, reception)
    assert {"view", "prepare"} <= held(staff, reception)
    assert Notification.objects.filter(recipient=office_director, work_item=approve).exists()
    assert list(worklist.started_by(clerk)) == [worklist.matter_of(reception)]
    assert worklist.matter_of(reception).state == "待审批"


def test_each_material_is_its_own_item_and_finishing_one_closes_it(make_reception, clerk, staff):
    reception = make_reception(material="项目汇报材料")
    Material.objects.create(
        reception=reception, title="村情简介", deadline=reception.materials.get().deadline, department=staff.department
    )
    workflow.submit(reception, by=clerk)
    assert worklist.waiting(staff).count() == 2
    first = reception.materials.get(title="村情简介")
    workflow.finish_material(fresh(reception), by=staff, material=first)
    assert worklist.waiting(staff).count() == 1
    done = WorkItem.objects.get(done_by=staff)
    assert done.decision == "完成材料" and done.label == "准备材料：村情简介"
    assert AuditEvent.objects.filter(action="完成接待材料", comment="村情简介").exists()
    assert "prepare" in held(staff, reception)  # one material still to prepare
    workflow.finish_material(fresh(reception), by=staff, material=reception.materials.get(title="项目汇报材料"))
    assert not worklist.waiting(staff).exists()
    assert "prepare" not in held(staff, reception) and "view" in held(staff, reception)
    with pytest.raises(Refused):
        workflow.finish_material(fresh(reception), by=staff, material=first)


def test_finish_material_rolls_back_with_its_audit_event(make_reception, clerk, staff, monkeypatch):
    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    from township_office import audit

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(audit, "record", broken)
    with pytest.raises(RuntimeError):
        workflow.finish_material(fresh(reception), by=staff, material=reception.materials.get())
    assert reception.materials.get().done_at is None  # one transaction: no half-done step


def test_tick_rolls_back_with_its_audit_event(make_reception, clerk, monkeypatch):
    reception = make_reception(checklist=["确认用车"])
    from township_office import audit

    monkeypatch.setattr(audit, "record", lambda *a, **k: (_ for _ in ()).throw(RuntimeError("disk full")))
    with pytest.raises(RuntimeError):
        workflow.tick(fresh(reception), by=clerk, item=reception.checklist.get())
    assert reception.checklist.get().done_at is None


def test_approve_gives_leaders_a_read_item_and_acknowledge_closes_it(make_reception, clerk, office_director, deputy):
    reception = make_reception()
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director, comment="同意")
    item = worklist.read_items(deputy).get()
    assert item.kind == WorkItem.Kind.READ and item.done_at is None and item.label == "陪同接待"
    assert not WorkItem.objects.filter(step="approve", done_at__isnull=True).exists()
    assert "approve" not in held(office_director, reception) and "view" in held(office_director, reception)
    workflow.acknowledge(fresh(reception), by=deputy)
    item.refresh_from_db()
    assert item.done_by == deputy
    with pytest.raises(Refused, match="已阅知"):
        workflow.acknowledge(fresh(reception), by=deputy)


def test_leader_removed_from_plan_loses_view_and_items(make_reception, clerk, office_director, deputy, deputy_mayor):
    reception = make_reception(leaders=[deputy, deputy_mayor])
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    assert worklist.read_items(deputy_mayor).filter(done_at__isnull=True).exists()
    reception.accompanying_leaders.set([deputy])
    sync_participants(fresh(reception), by=clerk)
    assert "view" not in held(deputy_mayor, reception) and "accompany" not in held(deputy_mayor, reception)
    assert not worklist.read_items(deputy_mayor).filter(done_at__isnull=True).exists()
    assert "view" in held(deputy, reception)


def test_department_removed_from_plan_loses_view_and_item(make_reception, clerk, staff, resources_staff):
    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    material = reception.materials.get()
    material.department = resources_staff.department
    material.save()
    sync_participants(fresh(reception), by=clerk)
    assert "view" not in held(staff, reception) and not worklist.waiting(staff).exists()
    assert "prepare" in held(resources_staff, reception)
    assert worklist.waiting(resources_staff).get().step == workflow.material_step(material)


def test_withdraw_by_drafter_returns_to_draft_and_takes_back_the_approvers_item(make_reception, clerk, office_director):
    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    workflow.withdraw(fresh(reception), by=clerk)
    reception = fresh(reception)
    assert reception.status == S.DRAFT
    assert not WorkItem.objects.filter(done_at__isnull=True).exists()
    assert "approve" not in held(office_director, reception)
    assert not Notification.objects.filter(recipient=office_director, read_at__isnull=True).exists()
    assert AuditEvent.objects.filter(action="撤回", to_state=S.DRAFT).exists()
    workflow.submit(reception, by=clerk)
    assert WorkItem.objects.filter(step="approve", done_at__isnull=True, assignee=office_director).exists()


def test_revise_after_approval_goes_back_to_the_approver(make_reception, clerk, office_director):
    from reception.forms import PlanForms

    reception = make_reception()
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    reception = fresh(reception)
    plan = PlanForms(instance=reception)
    data = _plan_data(plan, purpose="项目督导（调整）")
    plan = PlanForms(data, instance=reception)
    assert plan.is_valid(), [plan.form.errors, *(f.errors for f in plan.formsets)]
    workflow.revise(reception, by=clerk, plan=plan)
    reception = fresh(reception)
    assert reception.status == S.PENDING and reception.approved_by is None and reception.purpose == "项目督导（调整）"
    assert WorkItem.objects.filter(step="approve", done_at__isnull=True, assignee=office_director).exists()
    with pytest.raises(Refused, match="待审批"):  # now pending: 修改方案, not 审批后修改
        workflow.revise(reception, by=clerk, plan=plan)


def _value(value):
    from datetime import date, datetime

    if isinstance(value, datetime):  # bound fields show datetimes in local time already
        return (timezone.localtime(value) if timezone.is_aware(value) else value).strftime("%Y-%m-%dT%H:%M")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def _plan_data(plan, **changes):
    """The POST data the plan's form page would send back unchanged (plus ``changes``)."""
    data = {}
    for name in plan.form.fields:
        value = plan.form[name].value()
        if name == "accompanying_leaders":
            data[name] = [str(v) for v in value or []]
        elif value is True:
            data[name] = "on"
        elif value is not None and value is not False and value != "" and name != "letter_scan":
            data[name] = _value(value)
    for formset in plan.formsets:
        for key, value in formset.management_form.initial.items():
            data[f"{formset.prefix}-{key}"] = value
        for form in formset.forms:
            for name in form.fields:
                value = form[name].value()
                if value is not None and value is not False and value != "":
                    data[form.add_prefix(name)] = "on" if value is True else _value(value)
    data.update(changes)
    return data


def test_cancel_withdraws_work_and_notifies_leaders(make_reception, clerk, deputy, staff):
    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    workflow.cancel(fresh(reception), by=clerk, reason="来访单位行程调整")
    reception = fresh(reception)
    assert reception.status == S.CANCELLED
    assert not WorkItem.objects.filter(done_at__isnull=True).exists()
    assert "prepare" not in held(staff, reception)
    assert Notification.objects.filter(recipient=deputy, title__startswith="接待已取消").exists()
    assert AuditEvent.objects.filter(action="取消接待", comment="来访单位行程调整").exists()


def test_cancel_refused_once_an_approved_reception_has_started(make_reception, clerk, office_director):
    reception = make_reception(start=timezone.now() - timedelta(hours=1))
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    with pytest.raises(Refused, match="接待已经开始"):
        workflow.cancel(fresh(reception), by=clerk, reason="x")


# --- Separation of duties ------------------------------------------------------------------------------------


def test_the_office_director_never_approves_her_own_plan(make_reception, office_director, principal, mayor):
    reception = make_reception(created_by=office_director)
    assert workflow.approver_role(reception) == "principal_leader"
    workflow.submit(reception, by=office_director)
    reception = fresh(reception)
    assert not workflow.plans.allows(reception, office_director, "approve")
    with pytest.raises(Refused):
        workflow.approve(reception, by=office_director)
    assert set(WorkItem.objects.filter(step="approve").values_list("assignee", flat=True)) == {principal.pk, mayor.pk}
    workflow.approve(reception, by=principal)
    reception = fresh(reception)
    assert reception.approved_by == principal
    # the other principal leader's item closed with the decision
    assert not WorkItem.objects.filter(step="approve", done_at__isnull=True).exists()


def test_major_reception_goes_to_the_principal_leader(make_reception, clerk, office_director, principal, deputy):
    reception = make_reception(is_major=True)
    workflow.submit(reception, by=clerk)
    for user in (office_director, deputy):
        with pytest.raises(Refused):
            workflow.approve(fresh(reception), by=user)
    workflow.approve(fresh(reception), by=principal)
    assert fresh(reception).status == S.APPROVED


def test_drafter_holding_the_approver_role_is_refused_by_the_rule(make_reception, clerk, office_director):
    """Should a drafter hold the deciding role and the grant (a clerk promoted meanwhile), the rule still refuses."""
    from django.contrib.auth.models import Group

    reception = make_reception(is_major=True)
    workflow.submit(reception, by=clerk)
    clerk.groups.add(Group.objects.get(name="principal_leader"))
    clerk = type(clerk).objects.get(pk=clerk.pk)
    permissions.grant(reception, "approve", users=[clerk])
    with pytest.raises(Refused, match="不能审批自己起草"):
        workflow.approve(fresh(reception), by=clerk)


# --- 结算 ----------------------------------------------------------------------------------------------------


def test_close_only_after_the_end_with_everything_done(make_reception, clerk, office_director, staff):
    reception = make_reception(material="项目汇报材料", checklist=["确认用车"])
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    with pytest.raises(Refused) as refused:
        workflow.close(fresh(reception), by=clerk, **close_arguments())
    assert "接待尚未结束" in refused.value.message and "项目汇报材料" in refused.value.message
    assert "确认用车" in refused.value.message
    Reception.objects.filter(pk=reception.pk).update(
        start=timezone.now() - timedelta(days=1), end=timezone.now() - timedelta(hours=20)
    )
    with pytest.raises(Refused, match="材料尚未完成"):
        workflow.close(fresh(reception), by=clerk, **close_arguments())
    workflow.finish_material(fresh(reception), by=staff, material=reception.materials.get())
    workflow.tick(fresh(reception), by=clerk, item=reception.checklist.get())
    workflow.close(fresh(reception), by=clerk, **close_arguments())
    reception = fresh(reception)
    assert reception.status == S.CLOSED and reception.invoices and reception.closed_at <= timezone.now()


def test_reassigning_a_material_moves_it_with_its_grant(make_reception, clerk, office_director, staff, resources_staff):
    from township_office import steps

    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    item = WorkItem.objects.get(step__startswith="material-", done_at__isnull=True)
    steps.reassign(item, by=office_director, to_department=resources_staff.department, reason="职责调整")
    material = reception.materials.get()
    assert material.department == resources_staff.department
    assert "prepare" in held(resources_staff, reception) and "prepare" not in held(staff, reception)
    assert worklist.waiting(resources_staff).get().step == workflow.material_step(material)
    workflow.finish_material(fresh(reception), by=resources_staff, material=material)
    assert not worklist.waiting(resources_staff).exists()


def test_reassigning_a_leaders_read_item_hands_over_the_accompanying(
    make_reception, clerk, office_director, deputy, deputy_mayor
):
    from township_office import steps

    reception = make_reception()
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    item = WorkItem.objects.get(step="acknowledge", done_at__isnull=True)
    steps.reassign(item, by=office_director, to_user=deputy_mayor, reason="出差")
    assert list(fresh(reception).accompanying_leaders.all()) == [deputy_mayor]
    assert "accompany" in held(deputy_mayor, reception) and "accompany" not in held(deputy, reception)


def test_close_refusal_names_the_end_in_beijing_time_at_0730(make_reception):
    from datetime import datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    shanghai = ZoneInfo("Asia/Shanghai")
    now = datetime(2026, 5, 11, 7, 30, tzinfo=shanghai).astimezone(ZoneInfo("UTC"))  # 23:30 UTC on the 10th
    with mock.patch("django.utils.timezone.now", return_value=now):
        reception = make_reception(start=datetime(2026, 5, 11, 9, 30, tzinfo=shanghai))
        assert workflow.close_blockers(reception) == ["接待尚未结束（05月11日 13:30 结束），结束后才能结算"]
        assert reception.worklist_title().endswith("（05月11日）")


def test_a_forged_row_count_builds_no_more_than_the_allowed_rows(client_for, clerk):
    from django.urls import reverse

    from reception.forms import MAX_ROWS

    response = client_for(clerk).post(
        reverse("reception:create"),
        {
            "guests-TOTAL_FORMS": "100000",
            "guests-INITIAL_FORMS": "0",
            "items-TOTAL_FORMS": "0",
            "items-INITIAL_FORMS": "0",
            "materials-TOTAL_FORMS": "0",
            "materials-INITIAL_FORMS": "0",
        },
    )
    assert response.status_code == 400
    assert len(response.context["plan"].guests.forms) == MAX_ROWS
