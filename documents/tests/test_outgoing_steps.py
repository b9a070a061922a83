"""发文: (state × step × persona) → allowed or refused, from the flow's declaration; an allowed step writes its
audit event, grants and work items, a refused one changes nothing. And the ways out: draft, 撤回, 跳过会签."""

import re

import pytest

from documents import services, workflow
from documents.models import Opinion, OutgoingDocument
from tests.unchanged import database_state
from township_office import permissions, steps, worklist
from township_office.models import AuditEvent, IssuerCode, WorkItem
from township_office.steps import Refused

S = OutgoingDocument.Status


def field_error(response, name):
    """The error text rendered beside the field ``name`` (includes/form_fields.html), "" when there is none."""
    match = re.search(rf'id="id_{re.escape(name)}_error">(.*?)</div>', response.content.decode(), re.S)
    return match[1] if match else ""


@pytest.fixture
def stamped(monkeypatch):
    class Stamped:
        number, status, status_label, url, fully_stamped = "用印〔2026〕1号", "stamped", "已用印", "/seals/x/", True

    monkeypatch.setattr(workflow.outgoing_steps, "seal_requests_for", lambda d: [Stamped()])
    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: object())


@pytest.fixture
def new_draft(staff, pdf_upload, township):
    def make(submit=False, countersign=(), **data):
        return services.draft_outgoing(
            by=staff,
            data={
                "issuer_code": IssuerCode.objects.get(code="长政发"),
                "title": "关于秋冬季农田水利建设的实施意见",
                "text": "为做好有关工作，现通知如下。\n一、总体要求\n请结合实际抓好落实。",
                "main_recipients": "各村（居）委会",
                **data,
            },
            body=pdf_upload(),
            countersign_departments=countersign,
            submit=submit,
        )

    return make


ORDER = [S.DRAFT, S.DEPT_REVIEW, S.OFFICE_CHECK, S.SIGN_OFF, S.RECHECK, S.NUMBERING, S.SEALING, S.ISSUING, S.ISSUED]


@pytest.fixture
def out_state(new_draft, staff, deputy, office_director, clerk, stamped, departments):
    def make(state):
        if state == S.COUNTERSIGN:
            document = new_draft(submit=True, countersign=[departments["自然资源所"]])
            workflow.review(document, by=deputy, text="同意")
            workflow.check(document, by=office_director, text="请会签")
        else:
            document = new_draft()
            moves = [
                lambda d: workflow.submit(d, by=staff),
                lambda d: workflow.review(d, by=deputy, text="同意"),
                lambda d: workflow.check(d, by=office_director, text="核稿无误"),
                lambda d: workflow.sign_off(d, by=deputy, text="同意印发"),
                lambda d: workflow.recheck(d, by=clerk),
                lambda d: workflow.number(d, by=clerk),
                lambda d: workflow.seal(d, by=clerk),
                lambda d: workflow.issue(d, by=clerk, copies=20, issued_on=d.created_at.date(), proofreader="孙悦"),
                lambda d: workflow.archive_outgoing(d, by=clerk, retention="D10"),
            ]
            target = ORDER.index(state) if state in ORDER else len(ORDER)
            for move in moves[:target]:
                move(document)
        document = OutgoingDocument.objects.get(pk=document.pk)
        assert document.status == state
        return document

    return make


def arguments(name, departments, pdf_upload):
    return {
        "edit_draft": {"changes": {"title": "关于农田水利建设的实施意见（修改稿）"}},
        "submit": {},
        "withdraw": {},
        "review": {"text": "同意"},
        "review_return": {"text": "请补充资金来源"},
        "check": {"text": "核稿无误"},
        "check_return": {"text": "文字请再斟酌"},
        "countersign": {"text": "同意"},
        "skip_countersign": {"department": departments["自然资源所"], "reason": "该所本周无人值守"},
        "sign_off": {"text": "同意印发"},
        "sign_off_return": {"text": "请再修改"},
        "recheck": {"text": ""},
        "number": {},
        "seal": {},
        "issue": {"copies": 10, "issued_on": "2026-11-25", "proofreader": "孙悦"},
        "archive_outgoing": {"retention": "D10"},
    }[name]


D, DR, OC, CS, SO, RC, NU, SE, IS, ISD, AR = (
    S.DRAFT,
    S.DEPT_REVIEW,
    S.OFFICE_CHECK,
    S.COUNTERSIGN,
    S.SIGN_OFF,
    S.RECHECK,
    S.NUMBERING,
    S.SEALING,
    S.ISSUING,
    S.ISSUED,
    S.ARCHIVED,
)

CASES = [
    (D, "edit_draft", "department_staff", True),
    (D, "edit_draft", "resources_staff", False),
    (D, "edit_draft", "office_director", False),
    (DR, "edit_draft", "department_staff", False),
    (D, "submit", "department_staff", True),
    (D, "submit", "resources_staff", False),
    (DR, "submit", "department_staff", False),
    (DR, "withdraw", "department_staff", True),
    (DR, "withdraw", "deputy_leader", False),
    (OC, "withdraw", "department_staff", False),  # after the first decision
    (DR, "review", "deputy_leader", True),
    (DR, "review", "deputy_mayor", False),  # a deputy of another area
    (DR, "review", "department_staff", False),
    (OC, "review", "deputy_leader", False),
    (DR, "review_return", "deputy_leader", True),
    (DR, "review_return", "principal_leader", False),
    (OC, "check", "office_director", True),
    (OC, "check", "clerk", False),
    (DR, "check", "office_director", False),
    (OC, "check_return", "office_director", True),
    (OC, "check_return", "deputy_leader", False),
    (CS, "countersign", "resources_staff", True),
    (CS, "countersign", "department_staff", False),
    (CS, "countersign", "office_director", False),
    (CS, "skip_countersign", "office_director", True),
    (CS, "skip_countersign", "clerk", False),
    (CS, "skip_countersign", "department_staff", False),
    (SO, "skip_countersign", "office_director", False),
    (SO, "sign_off", "deputy_leader", True),
    (SO, "sign_off", "deputy_mayor", False),
    (SO, "sign_off", "office_director", False),
    (RC, "sign_off", "deputy_leader", False),
    (SO, "sign_off_return", "deputy_leader", True),
    (SO, "sign_off_return", "mayor", False),
    (RC, "recheck", "clerk", True),
    (RC, "recheck", "office_director", True),
    (RC, "recheck", "deputy_leader", False),
    (NU, "number", "clerk", True),
    (NU, "number", "office_director", False),
    (RC, "number", "clerk", False),
    (SE, "seal", "clerk", True),
    (SE, "seal", "seal_keeper", False),
    (IS, "issue", "clerk", True),
    (IS, "issue", "department_staff", False),
    (ISD, "archive_outgoing", "clerk", True),
    (ISD, "archive_outgoing", "department_staff", False),
    (AR, "archive_outgoing", "clerk", False),
]


@pytest.mark.parametrize("state,name,persona,allowed", CASES)
def test_outgoing_step_table(out_state, people, departments, pdf_upload, state, name, persona, allowed):
    document = out_state(state)
    user = people[persona]
    flow = workflow.outgoing
    assert flow.allows(document, user, name) is allowed
    assert (name in [s.name for s in flow.available(document, user)]) is allowed
    before = database_state()
    if allowed:
        flow[name](document, by=user, **arguments(name, departments, pdf_upload))
        after = database_state()
        assert after["township_office.AuditEvent"] != before["township_office.AuditEvent"]  # audited
        assert after != before
        assert WorkItem.objects.filter(done_by=user, step=name).exists()  # 已办 lists it
    else:
        with pytest.raises(Refused):
            flow[name](document, by=user, **arguments(name, departments, pdf_upload))
        assert database_state() == before


def _leaders_holding(document, perm):
    users, _ = permissions.holders(OutgoingDocument.objects.get(pk=document.pk), perm)
    return users


def test_returned_or_refused_check_grants_nothing(out_state, office_director, clerk, deputy, principal):
    """The fault on main: 核稿 granted view and sign_off to the leaders before the state check."""
    document = out_state(S.OFFICE_CHECK)
    with pytest.raises(Refused):
        workflow.check(document, by=clerk, text="越权核稿")
    assert _leaders_holding(document, "sign_off") == set()
    workflow.check_return(document, by=office_director, text="请修改")
    assert _leaders_holding(document, "sign_off") == set()
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert document.status == S.DRAFT
    assert worklist.waiting(document.drafter).get().step == "submit"
    with pytest.raises(Refused):  # a 核稿 of a returned draft grants nothing either
        workflow.check(document, by=office_director, text="核稿")
    assert _leaders_holding(document, "sign_off") == set()
    assert "view" not in permissions.held(principal, OutgoingDocument.objects.get(pk=document.pk))


def test_check_grants_the_signers_and_gives_them_items(out_state, office_director, deputy, principal):
    document = out_state(S.OFFICE_CHECK)
    workflow.check(document, by=office_director, text="核稿无误")
    assert _leaders_holding(document, "sign_off") == {deputy.pk}  # routine: the deputy in charge
    assert worklist.waiting(deputy).get().step == "sign_off"
    workflow.sign_off(document, by=deputy, text="同意")
    assert _leaders_holding(document, "sign_off") == set()  # who leaves the step loses it
    assert not worklist.waiting(deputy).exists()


def test_submitted_draft_gives_the_reviewer_an_item(new_draft, staff, deputy):
    document = new_draft()
    assert document.status == S.DRAFT
    assert not worklist.waiting(deputy).exists()
    assert worklist.started_by(staff).get().state == "拟稿"
    workflow.submit(document, by=staff)
    assert worklist.waiting(deputy).get().step == "review"
    assert worklist.started_by(staff).get().state == "待部门审核"


def test_withdraw_takes_back_items_and_grants(new_draft, staff, deputy):
    document = new_draft(submit=True)
    assert "review" in permissions.held(deputy, document)
    workflow.withdraw(document, by=staff)
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert document.status == S.DRAFT
    assert not worklist.waiting(deputy).exists()
    assert permissions.held(deputy, document) == frozenset()
    assert AuditEvent.objects.filter(action="撤回", object_code=str(document.code)).exists()
    workflow.edit_draft(document, by=staff, changes={"title": "修改后的标题"})
    workflow.submit(document, by=staff)
    assert worklist.waiting(deputy).get().step == "review"


def test_skip_countersign_unblocks_and_moves_on(out_state, office_director, resources_staff, deputy):
    document = out_state(S.COUNTERSIGN)
    department = resources_staff.department
    assert worklist.waiting(resources_staff).get().step == "countersign"
    with pytest.raises(Refused, match="理由"):
        workflow.skip_countersign(document, by=office_director, department=department, reason=" ")
    workflow.skip_countersign(document, by=office_director, department=department, reason="本周无人值守")
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert document.status == S.SIGN_OFF
    opinion = document.opinions.get(step=Opinion.Step.COUNTERSIGN)
    assert opinion.skipped and opinion.text == "本周无人值守" and opinion.author == office_director
    assert not worklist.waiting(resources_staff).exists()
    assert "countersign" not in permissions.held(resources_staff, document)
    assert AuditEvent.objects.filter(action="跳过会签", comment__startswith="自然资源所：本周无人值守").exists()
    assert worklist.waiting(deputy).get().step == "sign_off"


def test_reassigned_countersign_keeps_the_department_list(
    new_draft, deputy, office_director, resources_staff, village_staff, departments
):
    document = new_draft(submit=True, countersign=[departments["自然资源所"], departments["农业农村办公室"]])
    workflow.review(document, by=deputy, text="同意")
    workflow.check(document, by=office_director, text="请会签")
    item = WorkItem.objects.get(step="countersign", department=resources_staff.department, done_at__isnull=True)
    steps.reassign(item, by=office_director, to_department=village_staff.department, reason="改由村委会会签")
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert set(document.countersign_departments.all()) == {departments["农业农村办公室"], village_staff.department}
    assert not workflow.outgoing.allows(document, resources_staff, "countersign")
    workflow.countersign(document, by=village_staff, text="同意")
    workflow.countersign(document, by=document.drafter, text="同意")
    assert OutgoingDocument.objects.get(pk=document.pk).status == S.SIGN_OFF


def test_submit_refuses_a_draft_without_a_body(staff, township):
    document = services.draft_outgoing(
        by=staff,
        data={"issuer_code": IssuerCode.objects.get(code="长政发"), "title": "无正文", "main_recipients": "各村"},
        submit=False,
    )
    with pytest.raises(Refused, match="正文"):
        workflow.submit(document, by=staff)
    assert OutgoingDocument.objects.get(pk=document.pk).status == S.DRAFT


def _give_staff_role(user, department):
    from django.contrib.auth.models import Group

    from township_office.models import User
    from township_office.roles import Role

    user.groups.add(Group.objects.get(name=Role.DEPARTMENT_STAFF))
    User.objects.filter(pk=user.pk).update(department=department)
    return User.objects.get(pk=user.pk)


def test_office_director_does_not_check_her_own_draft(office_director, principal, deputy_secretary, pdf_upload):
    from township_office.models import Department

    drafter = _give_staff_role(office_director, Department.objects.get(name="党政办公室"))
    document = services.draft_outgoing(
        by=drafter,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "办公室自拟",
            "main_recipients": "各村",
            "text": "正文。",
        },
        body=pdf_upload(),
    )
    workflow.review(document, by=deputy_secretary, text="同意")
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert not workflow.outgoing.allows(document, drafter, "check")
    with pytest.raises(Refused):
        workflow.check(document, by=drafter, text="自己核自己的稿")
    assert not worklist.waiting(drafter).filter(step="check").exists()
    assert worklist.waiting(principal).get().step == "check"  # the next in the chain
    workflow.check(document, by=principal, text="核稿无误")
    assert OutgoingDocument.objects.get(pk=document.pk).status == S.SIGN_OFF


def test_a_leader_does_not_sign_his_own_draft(deputy, principal, mayor, office_director, pdf_upload, departments):
    drafter = _give_staff_role(deputy, departments["农业农村办公室"])
    document = services.draft_outgoing(
        by=drafter,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "分管领导自拟",
            "main_recipients": "各村",
            "text": "正文。",
        },
        body=pdf_upload(),
    )
    OutgoingDocument.objects.filter(pk=document.pk).update(status=S.OFFICE_CHECK)
    document = OutgoingDocument.objects.get(pk=document.pk)
    worklist.track(document, kind="发文")
    workflow.check(document, by=office_director, text="核稿无误")
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert not workflow.outgoing.allows(document, drafter, "sign_off")
    assert {item.assignee for item in worklist.open_items(document, "sign_off")} == {principal, mayor}
    workflow.sign_off(document, by=principal, text="同意")
    assert OutgoingDocument.objects.get(pk=document.pk).signer == principal


@pytest.mark.parametrize("state", [S.RECHECK, S.ISSUED])
def test_the_office_steps_are_the_clerks_work_and_taking_them_closes_the_item(out_state, state, clerk, office_director):
    """复核 and 归档 may be taken by the office director too, but are the clerks' work: their items (named after the
    step, as Flow.duties derives them) close when either takes the step."""
    document = out_state(state)
    step = {S.RECHECK: "recheck", S.ISSUED: "archive_outgoing"}[state]
    live = set(worklist.open_items(document, step).values_list("assignee_id", flat=True))
    assert live == {clerk.pk}
    declared = {u.pk for s, people, _ in workflow.outgoing.duties(document) if s.name == step for u in people}
    assert declared == live
    if state == S.RECHECK:
        workflow.recheck(document, by=office_director)
    else:
        workflow.archive_outgoing(document, by=office_director, retention="D10")
    assert not worklist.open_items(document, step).exists()


@pytest.mark.parametrize("copies", ["2147483648", "9" * 25])
def test_issue_with_a_huge_number_of_copies_is_refused_beside_the_field(
    client_for, out_state, clerk, copies, monkeypatch
):
    """Issue 22 §8: 印发 with 份数 beyond the column (an integer on PostgreSQL, 64 bits on SQLite) was a 500."""
    document = out_state(S.ISSUING)
    monkeypatch.setattr(workflow, "seal_requests_for", lambda d: [])  # the page again, without the seals app
    before = database_state()
    response = client_for(clerk).post(
        steps.Step.url(workflow.outgoing["issue"], document),
        {"issue-copies": copies, "issue-issued_on": "2026-11-25", "issue-proofreader": "孙悦"},
    )
    assert response.status_code == 400
    assert "2147483647" in field_error(response, "issue-copies")  # the reason, beside the field
    assert database_state() == before
