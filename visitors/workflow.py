"""Registration at the front desk and the petition case flow of the 《信访工作条例》(2022), declared once.

Two flows: ``contacts`` (a 来访/来信/来电 from its draft to its answer or its case) and ``cases`` (a 信访事项 from
立案 to 办结). Each step below says who may take it and from which state; the page offers exactly what
``flow.available()`` lists and the step refuses whatever it would not list. Every step runs in one transaction:
the state, the audit event, the grants and the work items change together or not at all.
"""

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions, steps
from township_office.models import Township, User
from township_office.roles import LEADERS, Role, has_role, role_users
from township_office.steps import Refused
from township_office.workflow import transition

from . import rules
from .forms import (
    AcceptForm,
    AnswerForm,
    CloseForm,
    DeclineForm,
    ExtensionForm,
    InstructForm,
    OpenCaseForm,
    ProgressForm,
    ReplyForm,
    ReportUpForm,
    ReviewForm,
)
from .models import CaseProgress, Contact, PetitionCase, Representative
from .permissions import DESK

C = PetitionCase.Status
K = Contact.Status
CLAIM_DAYS = rules.CLAIM_DAYS
MAX_EXTENSION = rules.MAX_EXTENSION


def _refuse(error):
    """A ValidationError from the rules, as the step's refusal (400, nothing changed)."""
    raise Refused("；".join(error.messages)) from error


# --- Contacts ------------------------------------------------------------------------------------------------


def _initiator_only(contact, user):
    if contact.received_by_id != user.pk:
        return f"只有登记人（{contact.received_by}）可以办理。"
    return None


def _save_representatives(contact, representatives):
    representatives = [r for r in representatives if r.get("name")]
    if len(representatives) > 5:
        raise ValidationError("集体访推选的代表不得超过5人。")
    contact.representatives.all().delete()
    for row in representatives:
        Representative.objects.create(contact=contact, **rules.normalise_contact_data(row))
    return representatives


@transaction.atomic
def register_contact(*, by, data, representatives=(), draft=False):
    """Register a visit, letter or call (or save it as a draft, completed and submitted later). A group visit (5
    or more) keeps at most five representatives. The registering person holds the contact until it is answered
    or opened as a case."""
    permissions.require(by, roles=DESK, message="只有信访接待员可以登记来访。")
    data = rules.normalise_contact_data(data)
    representatives = [r for r in representatives if r.get("name")]
    if not draft:
        rules.check_complete(data, representatives)
    contact = Contact.objects.create(**data, received_by=by, status=K.DRAFT if draft else K.OPEN)
    _save_representatives(contact, representatives)
    run = contacts.begin(contact, by=by)
    action = "保存登记草稿" if draft else "登记" + contact.get_channel_display()
    audit.record(action, by=by, obj=contact, to_state=contact.status, comment=contact.matter[:100])
    if not draft:  # not a step yet: the first item is given here, as 答复's declaration says
        run.hand_to("answer", users=[by])
    return contact


def earlier_contacts(contact):
    """重复信访: earlier contacts with the same ID number or phone (drafts are nobody's contact yet)."""
    from django.db.models import Q

    same = Q(pk__in=[])
    if contact.id_number:
        same |= Q(id_number=contact.id_number)
    if contact.phone:
        same |= Q(phone=contact.phone)
    return Contact.objects.filter(same).exclude(pk=contact.pk).exclude(status=K.DRAFT).order_by("-received_at")


contacts = steps.Flow(
    Contact,
    initiator="received_by",
    kind="来访登记",
    url_name="visitors:contact_step",
    start=steps.Start("登记", "visitors:contact_register", DESK, refusal="只有信访接待员可以登记来访。"),
)


@contacts.step(
    "修改草稿",
    source=[K.DRAFT],
    roles=DESK,
    rule=_initiator_only,
    refusal="只有信访接待员可以修改登记草稿。",
)
def save_draft(run, contact, *, data, representatives=()):
    """The person who started the draft changes it (the edit page); still a draft afterwards."""
    data = rules.normalise_contact_data(data)
    for name, value in data.items():
        setattr(contact, name, value)
    contact.save(update_fields=list(data))
    try:
        _save_representatives(contact, representatives)
    except ValidationError as error:
        _refuse(error)
    run.audit("修改登记草稿", comment=contact.matter[:100])


@contacts.step("提交登记", source=[K.DRAFT], target=K.OPEN, roles=DESK, rule=_initiator_only)
def submit(run, contact, *, data=None, representatives=None):
    """A draft becomes a registration: complete by now (the edit page sends the final values with it)."""
    if data is not None:
        data = rules.normalise_contact_data(data)
        for name, value in data.items():
            setattr(contact, name, value)
        contact.save(update_fields=list(data))
        try:
            _save_representatives(contact, representatives or ())
        except ValidationError as error:
            _refuse(error)
    fields = {f: getattr(contact, f) for f in rules.CONTACT_FIELDS}
    try:
        rules.check_complete(fields, list(contact.representatives.values("name", "id_number", "phone")))
    except ValidationError as error:
        _refuse(error)
    run.advance(comment=contact.matter[:100])
    run.hand_to("answer", users=[run.by])


@contacts.step(
    "撤回",
    source=[K.OPEN],
    target=K.DRAFT,
    roles=DESK,
    rule=_initiator_only,
    style="secondary",
    confirm="撤回后登记回到草稿，可修改后重新提交。确定撤回吗？",
)
def withdraw_contact(run, contact):
    run.advance()


def _answerer(contact):
    """Whose work an open contact is: who took back the case opened from it, or else who registered it."""
    withdrawn = contact.cases.filter(status=C.WITHDRAWN).select_related("opened_by").order_by("-pk").first()
    holder = withdrawn.opened_by if withdrawn is not None else contact.received_by
    return [steps.Duty(users=[holder])] if holder is not None else []


@contacts.step(
    "当场答复办结",
    source=[K.OPEN],
    target=K.ANSWERED,
    roles=DESK,
    form=AnswerForm,
    everyone=True,
    confirm="当场答复后本次登记即办结，不能撤销。确定办结吗？",
    work="待答复或立案",
    holders=_answerer,
)
def answer(run, contact, *, answer):
    if not answer.strip():
        raise Refused("请填写当场答复情况。")
    run.advance(comment=answer, answer=answer)


answer_on_the_spot = answer


@contacts.step("立为信访事项", source=[K.OPEN], target=K.CASE, roles=DESK, form=OpenCaseForm, everyone=True)
def open_case(run, contact, *, petition_type, category=None, accused_department=None, accused_person=None):
    """Open a petition case from a contact. 检举控告 cases name who is accused and are hidden from them."""
    if petition_type not in PetitionCase.Type.values:
        raise Refused("请选择信访类型。")
    if (accused_department or accused_person) and petition_type != PetitionCase.Type.ACCUSATION:
        raise Refused("只有检举控告类事项登记被反映部门或被反映人。")
    run.advance()
    year = timezone.localdate().year
    township = Township.current()
    case = PetitionCase.objects.create(
        contact=contact,
        opened_by=run.by,
        prefix=township.case_number_prefix if township else "",
        petition_type=petition_type,
        category=category or contact.category,
        received_on=timezone.localtime(contact.received_at).date(),
        year=year,
        serial=get_next_value(f"visitors.case.{year}"),
        severity=PetitionCase.Severity.MAJOR if contact.is_group_visit else PetitionCase.Severity.MINOR,
        accused_department=accused_department,
        accused_person=accused_person,
    )
    run.track(case, initiator=run.by)
    run.audit("信访事项立案", obj=case, to_state=case.status, comment=case.get_petition_type_display())
    run.hand_to(
        "accept",
        obj=case,
        users=office_directors(case),
        notify=f"新信访事项待受理：{case.number}",
    )
    return case


# --- Petition cases ------------------------------------------------------------------------------------------


def instructing_roles(case):
    """Who may instruct this case (see ``rules.leader_roles``): the 批示 step and 转交 use it."""
    return rules.leader_roles(case.severity)


def extension_approver(case):
    """The approver of an extension: the leader who instructed the case."""
    return case.instructing_leader


def _major(case):
    return case.severity == PetitionCase.Severity.MAJOR


def _deadline(case):
    return case.effective_deadline


def office_directors(case):
    """The office directors who act on a case (never one an accusation names)."""
    return [u for u in role_users(Role.OFFICE_DIRECTOR) if not rules.is_accused(case, u)]


def desk_for(case):
    """Who records satisfaction and closes: the person who opened the case, or else the front desk."""
    opener = case.opened_by
    if opener is not None and opener.is_active and has_role(opener, *DESK) and not rules.is_accused(case, opener):
        return [opener]
    return [u for u in role_users(Role.FRONT_DESK) if not rules.is_accused(case, u)]


def _opener_only(case, user):
    if case.opened_by_id != user.pk:
        return "只有立案人可以撤回该信访事项。"
    return None


def _not_accused(case, user):
    if rules.is_accused(case, user):
        return "该检举控告事项涉及您本人或您所在、分管的部门，您不能办理。"
    return None


def _both(*checks):
    """A rule made of several: the first reason found."""

    def rule(case, user):
        for check in checks:
            reason = check(case, user)
            if reason:
                return reason
        return None

    return rule


def _extension_pending(case, user):
    if not case.extension_pending:
        return "没有待审批的延期申请。"
    return None


def _may_request_extension(case, user):
    if case.extension_days:
        return "办理期限已延长过一次，不能再次延期。"
    if case.extension_pending:
        return "延期申请正在等待领导审批。"
    return None


def _review_open(case, user):
    if case.replied_on is None:
        return "尚未答复的事项不能登记复查申请。"
    if case.review_kind == "recheck":
        return "复核申请已登记。"
    return None


def _on_reassign(case, item, old, new):
    """转交 keeps the case's own names right (the instructing leader, the lead department), and never hands an
    accusation to whom it must not reach."""
    if isinstance(new, User):
        reason = _not_accused(case, new)
        if reason:
            raise Refused(f"不能转交给{new}：该检举控告事项涉及其本人或其所在、分管的部门。")
    else:
        reason = rules.department_refusal(case, new)
        if reason:
            raise Refused(reason)
    if item.step in ("instruct", "approve_extension") and isinstance(new, User):
        PetitionCase.objects.filter(pk=case.pk).update(instructing_leader=new)
    elif item.step == "report_progress" and not isinstance(new, User):
        if case.lead_department_id == old.pk:
            PetitionCase.objects.filter(pk=case.pk).update(lead_department=new)
        elif case.support_departments.filter(pk=old.pk).exists():
            case.support_departments.remove(old)
            case.support_departments.add(new)


cases = steps.Flow(
    PetitionCase, initiator="opened_by", kind="信访事项", url_name="visitors:case_step", on_reassign=_on_reassign
)


@cases.step(
    "受理并交办",
    source=[C.REGISTERED],
    target=C.INSTRUCTING,
    roles=[Role.OFFICE_DIRECTOR],
    rule=_not_accused,
    form=AcceptForm,
    everyone=True,
    confirm="受理后将书面告知信访人，并开始计算办理期限，不能撤销。确定受理并交办吗？",
    refusal="只有办公室主任可以受理信访事项。",
    work="待受理",
    due=lambda case: case.notice_due,
    urgent=_major,
)
def accept(
    run,
    case,
    *,
    notice_text,
    severity,
    leader,
    lead_department,
    support_departments=(),
    deadline=None,
    handled_with_opinion=False,
    forwarded_to="",
):
    """受理 and triage: written notice to the petitioner (within 15 days of receipt), the leader to instruct
    (the deputy in charge for minor matters, a principal leader for major ones), the departments and the
    deadline (60 days from acceptance for a 申诉求决类 matter handled with a 处理意见书)."""
    today = timezone.localdate()
    try:
        deadline = rules.check_acceptance(
            case,
            notice_text=notice_text,
            severity=severity,
            leader=leader,
            lead_department=lead_department,
            support_departments=support_departments,
            deadline=deadline,
            handled_with_opinion=handled_with_opinion,
            today=today,
        )
    except ValidationError as error:
        _refuse(error)
    if case.petition_type == PetitionCase.Type.ACCUSATION:
        forwarded_to = forwarded_to or "镇纪委（纪检监察）"
    elif case.category == "legal":
        forwarded_to = forwarded_to or "镇政法委员会（政法机关）"
    support_departments = [d for d in support_departments if d != lead_department]
    run.advance(
        comment=notice_text,
        notice_text=notice_text,
        notice_sent_on=today,
        accepted_on=today,
        severity=severity,
        instructing_leader=leader,
        lead_department=lead_department,
        deadline=deadline,
        handled_with_opinion=handled_with_opinion,
        forwarded_to=forwarded_to,
        forwarded_on=today if forwarded_to else None,
    )
    case.support_departments.set(support_departments)
    # The departments may read the case and report on it from now on; their work items come with the 批示.
    departments = [lead_department, *support_departments]
    permissions.set_grants(case, cases["report_progress"].grant, departments=departments)
    permissions.grant(case, "view", departments=departments)
    if forwarded_to:
        run.audit("转送", comment=forwarded_to)
    run.hand_to(
        "instruct",
        users=[leader],
        notify=f"请批示信访事项：{case.number}",
    )


@cases.step(
    "不予受理",
    source=[C.REGISTERED],
    target=C.DECLINED,
    roles=[Role.OFFICE_DIRECTOR],
    rule=_not_accused,
    form=DeclineForm,
    everyone=True,
    style="danger",
    confirm="不予受理将书面告知信访人，确定吗？",
    refusal="只有办公室主任可以决定不予受理。",
)
def decline(run, case, *, notice_text):
    if not notice_text.strip():
        raise Refused("不予受理须书面告知信访人并说明理由。")
    run.advance(comment=notice_text, notice_text=notice_text, notice_sent_on=timezone.localdate())


@cases.step(
    "撤回",
    source=[C.REGISTERED],
    target=C.WITHDRAWN,
    roles=DESK,
    rule=_both(_opener_only, _not_accused),
    style="secondary",
    confirm="撤回后该信访事项作废，来访登记回到待处理，可重新答复或立案。确定撤回吗？",
)
def withdraw(run, case):
    """The person who opened the case takes it back before the office director decides on it."""
    run.advance()
    contact = Contact.objects.get(pk=case.contact_id)
    transition(contact, by=run.by, action="信访事项撤回", source=[K.CASE], target=K.OPEN, comment=case.number)
    run.touch(contact)
    run.hand_to("answer", obj=contact, users=[run.by])


@cases.step(
    "批示",
    source=[C.INSTRUCTING],
    target=C.HANDLING,
    roles=instructing_roles,
    grant="instruct",
    rule=_not_accused,
    form=InstructForm,
    confirm="批示提交后不能修改，确定提交吗？",
    refusal="您不是该事项的批示领导。",
    work="待批示",
    urgent=_major,
)
def instruct(run, case, *, text):
    if not text.strip():
        raise Refused("请填写批示内容。")
    run.advance(comment=text, instruction=text, instructed_at=timezone.now())
    # 受理 already granted the departments their part (exclusive=False: the lead's item keeps the supports' grant).
    if case.lead_department_id:
        run.hand_to(
            "report_progress",
            departments=[case.lead_department],
            exclusive=False,
            notify=f"请办理信访事项：{case.number}",
            body=text,
        )
    supports = list(case.support_departments.all())
    if supports:
        run.hand_to(
            "report_progress",
            departments=supports,
            exclusive=False,
            notify=f"请协办信访事项：{case.number}",
            body=text,
        )


@cases.step(
    "报告办理进展",
    source=[C.HANDLING],
    roles=[Role.DEPARTMENT_STAFF],
    grant="handle",
    rule=_not_accused,
    form=ProgressForm,
    refusal="该事项未交您所在部门办理。",
    work="待办理",
    due=_deadline,
    urgent=_major,
)
def report_progress(run, case, *, text):
    if not text.strip():
        raise Refused("请填写办理进展。")
    CaseProgress.objects.create(case=case, department=run.by.department, author=run.by, text=text)
    run.audit(comment=text)
    run.hand_to(
        "reply",
        users=office_directors(case),
        notify=f"信访事项有新进展，请审核答复：{case.number}",
        body=text,
    )


@cases.step(
    "申请延期",
    source=[C.HANDLING],
    roles=[Role.OFFICE_DIRECTOR],
    rule=_both(_not_accused, _may_request_extension),
    form=ExtensionForm,
    style="secondary",
    refusal="只有办公室主任可以申请延期。",
)
def request_extension(run, case, *, days, reason):
    """One extension of at most 30 days, asked by the office, approved by the instructing leader."""
    if not 1 <= days <= MAX_EXTENSION:
        raise Refused("延期不得超过30日。")
    if not reason.strip():
        raise Refused("请写明延期理由（将告知信访人）。")
    PetitionCase.objects.filter(pk=case.pk).update(extension_requested_days=days, extension_reason=reason)
    case.extension_requested_days, case.extension_reason = days, reason
    run.audit(comment=f"{days}日：{reason}")
    # The approver already holds 批示's grant, which 批准延期 shares: added to, never taken from anyone.
    run.hand_to(
        "approve_extension",
        users=[extension_approver(case)],
        exclusive=False,
        notify=f"请审批信访事项延期：{case.number}",
        body=f"申请延长{days}日：{reason}",
    )


@cases.step(
    "批准延期",
    source=[C.HANDLING],
    roles=LEADERS,
    grant="instruct",
    rule=_both(_not_accused, _extension_pending),
    confirm="批准后办理期限延长，理由将告知信访人。确定批准吗？",
    refusal="只有批示领导可以批准延期。",
    everyone=True,
    work="待批准延期",
    due=_deadline,
)
def approve_extension(run, case):
    days = case.extension_requested_days
    changed = PetitionCase.objects.filter(pk=case.pk, extension_days=0, extension_requested_days=days).update(
        extension_days=days, extension_approved_by=run.by
    )
    if changed != 1:
        raise Refused("没有待批准的延期申请。")
    case.extension_days, case.extension_approved_by = days, run.by
    run.audit(comment=f"延长{days}日，理由已告知信访人：{case.extension_reason}")
    run.reschedule(due=case.effective_deadline)  # the departments' time too


@cases.step(
    "不批准延期",
    source=[C.HANDLING],
    roles=LEADERS,
    grant="instruct",
    rule=_both(_not_accused, _extension_pending),
    style="danger",
    confirm="不批准延期后，须在原期限内办结。确定不批准吗？",
    refusal="只有批示领导可以审批延期。",
)
def reject_extension(run, case):
    days = case.extension_requested_days
    PetitionCase.objects.filter(pk=case.pk).update(extension_requested_days=0, extension_reason="")
    case.extension_requested_days, case.extension_reason = 0, ""
    run.audit(comment=f"申请延长{days}日，未批准")
    run.finish("approve_extension", decision=run.step.label, everyone=True)


@cases.step(
    "向上级报告",
    source=[C.HANDLING, C.REPLIED],
    roles=[Role.OFFICE_DIRECTOR],
    rule=_not_accused,
    form=ReportUpForm,
    style="secondary",
    refusal="只有办公室主任可以向上级报告。",
)
def report_up(run, case, *, text):
    if not text.strip():
        raise Refused("请填写报告内容。")
    PetitionCase.objects.filter(pk=case.pk).update(report_up=text)
    case.report_up = text
    run.audit("向上级报告办理情况", comment=text)


@cases.step(
    "书面答复",
    source=[C.HANDLING],
    target=C.REPLIED,
    roles=[Role.OFFICE_DIRECTOR],
    rule=_not_accused,
    form=ReplyForm,
    everyone=True,
    confirm="答复意见将书面告知信访人，确定答复吗？",
    refusal="只有办公室主任可以答复信访人。",
    work="待答复信访人",
    due=_deadline,
    holders=lambda case: [steps.Duty(users=office_directors(case))] if case.progress.exists() else [],
)
def reply(run, case, *, text):
    """答复意见 / 处理意见书 to the petitioner, in writing."""
    if not text.strip():
        raise Refused("请填写答复意见。")
    run.advance(comment=text, reply_text=text, replied_on=timezone.localdate())
    run.hand_to("close", users=desk_for(case), notify=f"信访事项已答复，请回访：{case.number}")


SATISFACTION = {"satisfied": "满意", "basic": "基本满意", "unsatisfied": "不满意"}


@cases.step(
    "办结",
    source=[C.REPLIED],
    target=C.CLOSED,
    roles=DESK,
    rule=_not_accused,
    form=CloseForm,
    everyone=True,
    confirm="办结后该信访事项结案，不能撤销。确定办结吗？",
    refusal="只有办公室可以办结。",
    work="待回访办结",
    holders=lambda case: [steps.Duty(users=desk_for(case))],
)
def close(run, case, *, satisfaction):
    if satisfaction not in SATISFACTION:
        raise Refused("请选择信访人满意度。")
    run.advance(comment=SATISFACTION[satisfaction], satisfaction=satisfaction)


@cases.step(
    "登记复查（复核）申请",
    source=[C.REPLIED, C.CLOSED],
    roles=DESK,
    rule=_both(_not_accused, _review_open),
    form=ReviewForm,
    style="secondary",
    refusal="只有办公室可以登记复查申请。",
)
def record_review_request(run, case, *, kind, requested_on, result=""):
    """复查 (then 复核) asked within 30 days of the reply; decided by the level above within 30 days."""
    if requested_on > case.review_due:
        raise Refused(f"已超过答复后30日的复查申请期限（{case.review_due:%Y年%m月%d日}），依法不再受理。")
    if requested_on < case.replied_on:
        raise Refused("申请日期不能早于答复日期。")
    PetitionCase.objects.filter(pk=case.pk).update(
        review_kind=kind, review_requested_on=requested_on, review_result=result
    )
    case.review_kind, case.review_requested_on, case.review_result = kind, requested_on, result
    label = "复核" if kind == "recheck" else "复查"
    run.audit(comment=f"{label} {requested_on:%Y-%m-%d} {result}".strip())
