"""(state × step × persona) → allowed or refused, for the seal-use request and the introduction letter.

An allowed step writes its audit event and the person's done item; a refused one changes neither the record, nor
the grants, nor the work items, nor the audit log (``tests.unchanged``). The flows' own offers (``available``) agree with the calls.
"""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from seals import workflow
from seals.models import ApprovalStep, IntroductionLetter, SealRequest, Stamping
from tests.unchanged import assert_unchanged, database_state
from township_office import permissions, worklist
from township_office.models import AuditEvent, Notification, WorkItem
from township_office.steps import Refused

from .conftest import PDF

R = SealRequest.Status


def audit_count(obj):
    return AuditEvent.objects.filter(object_code=str(obj.code)).count()


def _draft(staff, seals, names=("长官镇农业农村办公室",), **extra):
    data = {"title": "补贴发放情况证明", "recipient": "县农业农村局", "purpose": "报送", "copies": 3}
    data.update({"use_type": "certificate", **extra})
    return workflow.save_draft(
        by=staff, data=data, seals=[seals[n] for n in names], document=SimpleUploadedFile("证明.pdf", PDF)
    )


@pytest.fixture
def make(people, seals):
    staff, deputy, director, principal, keeper = (
        people[n] for n in ("department_staff", "deputy_leader", "office_director", "principal_leader", "seal_keeper")
    )

    def build(state):
        if state == "draft":
            return _draft(staff, seals)
        if state == "pending_office":
            r = _draft(staff, seals, ["长官镇党政办公室"])
        elif state == "pending_principal":
            r = _draft(staff, seals, ["长官镇人民政府"])
        elif state in ("approved_out", "taken_out"):
            r = _draft(
                staff, seals, ["长官镇党政办公室"], use_type="take_out", expected_return=timezone.now() + timedelta(1)
            )
        else:
            r = _draft(staff, seals)
        workflow.submit(r, by=staff)
        if state == "pending_principal":
            workflow.approve_deputy(r, by=deputy)
        elif state in ("approved", "stamped", "void"):
            workflow.approve_deputy(r, by=deputy)
        elif state in ("approved_out", "taken_out"):
            workflow.approve_office(r, by=director)
            workflow.approve_principal(r, by=principal)
        elif state == "rejected":
            workflow.reject(r, by=deputy, reason="证明内容与台账不符")
        if state == "stamped":
            workflow.stamp(r, by=keeper, seal=r.seals.get(), copies=3)
        if state == "taken_out":
            workflow.take_out(r, by=keeper)
        if state == "void":
            workflow.void(r, by=staff, reason="不再需要")
        r.refresh_from_db()
        return r

    return build


STAFF, OTHER, DEPUTY, OTHER_DEPUTY = "department_staff", "resources_staff", "deputy_leader", "deputy_mayor"
PRINCIPAL, MAYOR, DIRECTOR, KEEPER, CLERK = "principal_leader", "mayor", "office_director", "seal_keeper", "clerk"

CASES = [
    # a draft: its applicant edits, submits or voids it; nobody else does anything with it
    ("draft", "edit", STAFF, True),
    ("draft", "edit", OTHER, False),
    ("draft", "edit", DIRECTOR, False),
    ("draft", "submit", STAFF, True),
    ("draft", "submit", DEPUTY, False),
    ("draft", "void", STAFF, True),
    ("draft", "void", DIRECTOR, False),
    ("draft", "withdraw", STAFF, False),
    ("draft", "approve_deputy", DEPUTY, False),
    # waiting for the deputy in charge of the applicant's department
    ("pending", "approve_deputy", DEPUTY, True),
    ("pending", "approve_deputy", OTHER_DEPUTY, False),
    ("pending", "approve_deputy", PRINCIPAL, False),
    ("pending", "approve_principal", PRINCIPAL, False),
    ("pending", "approve_office", DIRECTOR, False),
    ("pending", "reject", DEPUTY, True),
    ("pending", "reject", OTHER_DEPUTY, False),
    ("pending", "reject", STAFF, False),
    ("pending", "withdraw", STAFF, True),
    ("pending", "withdraw", OTHER, False),
    ("pending", "withdraw", DEPUTY, False),
    ("pending", "edit", STAFF, False),
    ("pending", "submit", STAFF, False),
    ("pending", "stamp", KEEPER, False),
    ("pending", "void", STAFF, False),
    # tier 3: the office director
    ("pending_office", "approve_office", DIRECTOR, True),
    ("pending_office", "approve_office", CLERK, False),
    ("pending_office", "approve_deputy", DEPUTY, False),
    ("pending_office", "reject", DIRECTOR, True),
    # tier 1 after the deputy: either principal leader; no 撤回 after a decision
    ("pending_principal", "approve_principal", PRINCIPAL, True),
    ("pending_principal", "approve_principal", MAYOR, True),
    ("pending_principal", "approve_deputy", DEPUTY, False),
    ("pending_principal", "reject", PRINCIPAL, True),
    ("pending_principal", "reject", DEPUTY, False),
    ("pending_principal", "withdraw", STAFF, False),
    # approved: the custodian stamps; the applicant or the office director may void before any stamping
    ("approved", "stamp", KEEPER, True),
    ("approved", "stamp", CLERK, False),
    ("approved", "stamp", STAFF, False),
    ("approved", "take_out", KEEPER, False),
    ("approved", "void", STAFF, True),
    ("approved", "void", DIRECTOR, True),
    ("approved", "void", OTHER, False),
    ("approved", "void", KEEPER, False),
    ("approved", "approve_deputy", DEPUTY, False),
    ("approved", "withdraw", STAFF, False),
    # 外带
    ("approved_out", "take_out", KEEPER, True),
    ("approved_out", "take_out", STAFF, False),
    ("approved_out", "sign_back_in", KEEPER, False),
    ("taken_out", "sign_back_in", KEEPER, True),
    ("taken_out", "sign_back_in", STAFF, False),
    ("taken_out", "take_out", KEEPER, False),
    ("taken_out", "void", STAFF, False),
    # ended
    ("stamped", "stamp", KEEPER, False),
    ("stamped", "void", STAFF, False),
    ("rejected", "approve_deputy", DEPUTY, False),
    ("rejected", "withdraw", STAFF, False),
    ("rejected", "submit", STAFF, False),
    ("rejected", "edit", STAFF, False),
    ("void", "stamp", KEEPER, False),
    ("void", "submit", STAFF, False),
]


def arguments(name, request, seals):
    return {
        "edit": {"data": {"title": "改过的标题"}, "seals": [seals["长官镇农业农村办公室"]]},
        "approve_office": {"comment": "同意"},
        "approve_deputy": {"comment": "同意"},
        "approve_principal": {"comment": "同意"},
        "reject": {"reason": "用印事由不充分"},
        "stamp": {"seal": request.seals.first(), "copies": 1},
        "void": {"reason": "不再需要"},
    }.get(name, {})


@pytest.mark.parametrize("state,name,persona,allowed", CASES)
def test_request_step_table(make, people, seals, state, name, persona, allowed):
    request = make(state)
    user = people[persona]
    flow = workflow.requests
    assert flow.allows(request, user, name) is allowed
    assert (name in [s.name for s in flow.available(request, user)]) is allowed
    before, audited = database_state(), audit_count(request)
    if allowed:
        flow[name](request, by=user, **arguments(name, request, seals))
        assert audit_count(request) > audited
        assert WorkItem.objects.filter(matter=worklist.matter_of(request), step=name, done_by=user).exists()
    else:
        with pytest.raises(Refused):
            flow[name](request, by=user, **arguments(name, request, seals))
        assert_unchanged(before)  # the record, its grants, the work items, the notifications, the audit log


LETTER_CASES = [
    ("pending", "approve_letter", DEPUTY, True),
    ("pending", "approve_letter", OTHER_DEPUTY, False),
    ("pending", "approve_letter", PRINCIPAL, False),
    ("pending", "approve_letter", STAFF, False),
    ("pending", "reject_letter", DEPUTY, True),
    ("pending", "reject_letter", DIRECTOR, False),
    ("pending", "void_letter", STAFF, True),
    ("pending", "void_letter", OTHER, False),
    ("pending", "void_letter", KEEPER, True),
    ("approved", "void_letter", DIRECTOR, True),
    ("approved", "approve_letter", DEPUTY, False),
    ("void", "void_letter", STAFF, False),
    ("rejected", "approve_letter", DEPUTY, False),
]


@pytest.mark.parametrize("state,name,persona,allowed", LETTER_CASES)
def test_letter_step_table(people, state, name, persona, allowed):
    staff, deputy = people[STAFF], people[DEPUTY]
    letter = workflow.apply_letter(
        by=staff,
        data={"recipient_unit": "县自然资源和规划局", "persons": "黄磊", "person_count": 1, "purpose": "项目对接"}
        | {"valid_days": 7},
    )
    if state == "approved":
        workflow.approve_letter(letter, by=deputy)
    elif state == "rejected":
        workflow.reject_letter(letter, by=deputy, reason="事由不清")
    elif state == "void":
        workflow.void_letter(letter, by=staff, reason="行程取消")
    letter.refresh_from_db()
    user = people[persona]
    flow = workflow.letters
    assert flow.allows(letter, user, name) is allowed
    args = {
        "approve_letter": {"comment": "同意"},
        "reject_letter": {"reason": "不符"},
        "void_letter": {"reason": "取消"},
    }
    before, audited = database_state(), audit_count(letter)
    if allowed:
        flow[name](letter, by=user, **args[name])
        assert audit_count(letter) > audited
    else:
        with pytest.raises(Refused):
            flow[name](letter, by=user, **args[name])
        assert_unchanged(before)


# --- What the allowed steps write --------------------------------------------------------------------------------


def _open(request, step=None):
    items = worklist.open_items(request, step).select_related("assignee")
    return sorted((i.step, i.assignee.username) for i in items)


def test_grants_and_items_follow_the_chain(make, people):
    deputy, principal, mayor, keeper, staff = (people[n] for n in (DEPUTY, PRINCIPAL, MAYOR, KEEPER, STAFF))
    request = make("draft")
    assert _open(request) == [] and worklist.matter_of(request).initiator == staff
    workflow.submit(request, by=staff)
    assert _open(request) == [("approve_deputy", "deputy_leader")]
    assert "approve" in permissions.held(deputy, SealRequest.objects.get(pk=request.pk))
    workflow.approve_deputy(request, by=deputy)  # tier 2: done
    request.refresh_from_db()
    fresh = SealRequest.objects.get(pk=request.pk)
    assert request.status == R.APPROVED
    assert "approve" not in permissions.held(deputy, fresh) and "view" in permissions.held(deputy, fresh)
    assert "view" in permissions.held(keeper, fresh)  # the custodian was asked to stamp it
    assert _open(request) == [("stamp", "seal_keeper")]
    assert worklist.matter_of(request).state == "已批准待用印"

    tier1 = make("pending_principal")
    assert _open(tier1) == [("approve_principal", "mayor"), ("approve_principal", "principal_leader")]
    fresh = SealRequest.objects.get(pk=tier1.pk)
    assert "approve" not in permissions.held(deputy, fresh)  # who left the step lost it
    assert {"approve", "view"} <= permissions.held(principal, fresh)
    workflow.approve_principal(tier1, by=mayor)
    assert _open(tier1) == [("stamp", "seal_keeper")]  # one principal's approval closes the other's item
    assert "approve" not in permissions.held(principal, SealRequest.objects.get(pk=tier1.pk))


def test_withdraw_takes_back_what_submitting_gave(make, people):
    staff, deputy = people[STAFF], people[DEPUTY]
    request = make("pending")
    workflow.withdraw(request, by=staff)
    request.refresh_from_db()
    fresh = SealRequest.objects.get(pk=request.pk)
    assert request.status == R.DRAFT and not request.steps.exists()
    assert permissions.held(deputy, fresh) == frozenset()
    assert not worklist.waiting(deputy).exists()
    assert Notification.objects.filter(recipient=deputy, read_at__isnull=True).count() == 0
    assert request.serial is not None  # the number stays with the request
    workflow.submit(request, by=staff)  # corrected and submitted again: a fresh chain
    assert _open(request) == [("approve_deputy", "deputy_leader")]


def test_partial_stamping_keeps_the_custodians_item(make, people, seals):
    keeper = people[KEEPER]
    request = make("approved")
    workflow.stamp(request, by=keeper, seal=request.seals.get(), copies=2)
    assert _open(request) == [("stamp", "seal_keeper")]
    assert WorkItem.objects.filter(step="stamp", done_by=keeper).count() == 1  # 已办 shows the first stamping
    workflow.stamp(request, by=keeper, seal=request.seals.get(), copies=1)
    assert _open(request) == []
    request.refresh_from_db()
    assert request.status == R.STAMPED


def test_take_out_gives_an_item_for_the_return_in_one_transaction(make, people, monkeypatch):
    keeper = people[KEEPER]
    request = make("approved_out")
    assert ("take_out", "seal_keeper") in _open(request)
    before = database_state()

    def broken(*args, **kwargs):
        raise RuntimeError("disk full")

    monkeypatch.setattr(worklist, "assign", broken)  # run.hand_to gives the work through it
    with pytest.raises(RuntimeError):
        workflow.take_out(request, by=keeper)
    assert_unchanged(before)  # the record was not written without its audit event and item
    monkeypatch.undo()
    request.refresh_from_db()
    workflow.take_out(request, by=keeper)
    request.refresh_from_db()
    item = worklist.open_items(request, "sign_back_in").get()
    assert item.assignee == keeper and item.due == timezone.localtime(request.expected_return).date()
    assert worklist.matter_of(request).state == "印章已带出，待归还"
    assert AuditEvent.objects.filter(object_code=str(request.code), action="登记带出").count() == 1
    workflow.sign_back_in(request, by=keeper)
    assert _open(request, "sign_back_in") == []
    assert AuditEvent.objects.filter(object_code=str(request.code), action="登记归还").count() == 1


def test_a_changed_file_voids_the_approval_and_says_so(make, people):
    keeper = people[KEEPER]
    request = make("approved")
    with open(request.document.path, "ab") as f:
        f.write(b"changed after approval")
    with pytest.raises(Refused) as refusal:
        workflow.stamp(request, by=keeper, seal=request.seals.get(), copies=1)
    assert refusal.value.keeps_changes and "原审批已作废" in refusal.value.message
    request.refresh_from_db()
    assert request.status == R.VOID and not Stamping.objects.exists()
    assert _open(request) == []  # nobody is asked to stamp a void request
    assert AuditEvent.objects.filter(object_code=str(request.code), to_state=R.VOID).exists()


def test_a_file_changed_between_two_approvals_voids_too(make, people):
    request = make("pending_principal")
    with open(request.document.path, "ab") as f:
        f.write(b"changed")
    with pytest.raises(Refused) as refusal:
        workflow.approve_principal(request, by=people[PRINCIPAL])
    assert refusal.value.keeps_changes
    request.refresh_from_db()
    assert request.status == R.VOID
    assert request.steps.get(level="principal").decision == ApprovalStep.Decision.PENDING


def test_the_office_director_never_approves_her_own_request(people, seals):
    director, principal = people[DIRECTOR], people[PRINCIPAL]
    request = _draft(director, seals, ["长官镇党政办公室"])
    workflow.submit(request, by=director)
    assert list(request.steps.values_list("level", flat=True)) == ["principal"]  # the next one in the chain
    assert not workflow.requests.allows(request, director, "approve_office")
    # even if the step were handed to her, the declaration refuses it
    step = request.steps.get()
    step.level = "office"
    step.save()
    permissions.grant(request, "approve", users=[director])
    with pytest.raises(Refused, match="不能审批自己提交的申请"):
        workflow.approve_office(request, by=director)
    step.level = "principal"
    step.save()
    workflow.approve_principal(request, by=principal)
    request.refresh_from_db()
    assert request.status == R.APPROVED


def test_letter_items(people):
    staff, deputy = people[STAFF], people[DEPUTY]
    letter = workflow.apply_letter(
        by=staff,
        data={"recipient_unit": "县局", "persons": "黄磊", "person_count": 1, "purpose": "联系", "valid_days": 3},
    )
    assert worklist.matter_of(letter).initiator == staff
    assert [i.step for i in worklist.waiting(deputy)] == ["approve_letter"]
    workflow.approve_letter(letter, by=deputy, comment="同意")
    letter.refresh_from_db()
    assert letter.status == IntroductionLetter.Status.APPROVED and letter.comment == "同意"
    assert not worklist.waiting(deputy).exists()
    assert "approve" not in permissions.held(deputy, IntroductionLetter.objects.get(pk=letter.pk))
