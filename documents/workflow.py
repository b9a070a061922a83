"""公文流转 as declared steps: 收文 (``incoming``) and 发文 (``outgoing``).

Each step below says who may take it from which state; ``incoming.available(document, user)`` lists what a
person may do now, and calling a step checks the same declaration first, inside the step's transaction
(see ``township_office.steps``). A step body changes the record (``steps.advance``), its grants
(``set_grants`` for the step's own permission: whoever leaves the step loses it) and the work items of the
people who must act next, all in that one transaction.
"""

from django.apps import apps
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions, steps, worklist
from township_office.models import Township, User, WorkItem
from township_office.notifications import notify
from township_office.roles import LEADERS, OFFICE, Role, has_role, role_users
from township_office.steps import Refused  # noqa: F401  (services raise it too)
from township_office.uploads import validate_upload

from .forms import (
    ArchiveForm,
    ChaseForm,
    CompleteForm,
    CorrectForm,
    EditDraftForm,
    InstructForm,
    IssueForm,
    OpinionForm,
    OptionalOpinionForm,
    ProgressForm,
    ProposalForm,
    ReadForm,
    ReturnForm,
    SkipCountersignForm,
    SubmitForm,
)
from .models import (
    Assignment,
    Attachment,
    Circulation,
    IncomingDocument,
    Instruction,
    Opinion,
    OutgoingDocument,
    ProgressReport,
    Reminder,
)

In = IncomingDocument.Status
Out = OutgoingDocument.Status


def _members(departments):
    return list(User.objects.filter(department__in=departments, is_active=True))


def _by_rank(users):
    return sorted(set(users), key=lambda u: (getattr(getattr(u, "position", None), "rank", 999), u.pk))


# --- 收文 -------------------------------------------------------------------------------------------------


def _reassign_incoming(document, item, old, new):
    """转交 keeps the file's own lists right: the leaders to instruct, the handling departments, the readers."""
    if item.step == "instruct":
        document.instructing_leaders.remove(old)
        document.instructing_leaders.add(new)
    elif item.step in ("complete", "report_progress"):
        Assignment.objects.filter(document=document, department=old).update(department=new)
        permissions.revoke(document, "handle", departments=[old])
        permissions.grant(document, "handle", departments=[new])
    elif item.step == "mark_read":
        if not Circulation.objects.filter(document=document, reader=new).exists():
            Circulation.objects.filter(document=document, reader=old, read_at__isnull=True).update(reader=new)


incoming = steps.Flow(IncomingDocument, kind="收文", url_name="documents:incoming_step", on_reassign=_reassign_incoming)

OPEN = (In.REGISTERED, In.INSTRUCTING, In.HANDLING)
ROUTED = (In.INSTRUCTING, In.HANDLING, In.COMPLETED, In.ARCHIVED)


def register(document, *, by):
    """Called by ``services.register_incoming`` once the file is saved: 我发起的 and the office directors' 拟办."""
    worklist.track(document, kind="收文", initiator=by)
    worklist.assign(
        document,
        "propose",
        label="拟办",
        users=role_users(Role.OFFICE_DIRECTOR),
        due=document.deadline,
        urgent=document.is_urgent,
        notify=f"请拟办：{document.number} {document.title}",
    )


def correctors(document):
    """更正登记: the clerk (or the office director) until 拟办; after that only the office director."""
    if document.status == In.REGISTERED:
        return (Role.CLERK, Role.OFFICE_DIRECTOR)
    return (Role.OFFICE_DIRECTOR,)


def _shown(document, name, value):
    field = IncomingDocument._meta.get_field(name)
    if value in (None, ""):
        return "（空）"
    if field.choices:
        return str(dict(field.flatchoices).get(value, value))
    if hasattr(value, "tzinfo") and value.tzinfo is not None:
        return timezone.localtime(value).strftime("%Y-%m-%d %H:%M")
    return str(value)


@incoming.step(
    "更正登记",
    source=[In.REGISTERED, In.INSTRUCTING, In.HANDLING, In.COMPLETED],
    roles=correctors,
    form=CorrectForm,
    style="secondary",
    success="登记信息已更正。",
)
def correct(document, *, by, changes, files=(), reason=""):
    """Fields and scans of a registered file; every changed value is kept, before and after, in the audit
    comment (字段：原值 → 新值), which the 流转记录 shows."""
    lines, changed = [], []
    for name, value in changes.items():
        old = getattr(document, name)
        if old != value:
            label = IncomingDocument._meta.get_field(name).verbose_name
            lines.append(f"{label}：{_shown(document, name, old)} → {_shown(document, name, value)}")
            setattr(document, name, value)
            changed.append(name)
    for upload in files:
        kind = validate_upload(upload)
        Attachment.objects.create(document=document, file=upload, name=upload.name[:200], kind=kind, uploaded_by=by)
        lines.append(f"补充附件：{upload.name[:200]}")
    if not lines:
        raise Refused("没有需要更正的内容。")
    if changed:
        document.save(update_fields=changed)
    if document.is_secret:  # a file marked secret reaches nobody by role any more
        permissions.grant(document, "view", users=[document.registered_by, *role_users(Role.OFFICE_DIRECTOR)])
    if reason.strip():
        lines.append(f"说明：{reason.strip()}")
    audit.record("更正登记", by=by, obj=document, comment="；".join(lines))
    worklist.touch(document, title=str(document))
    # the deadline and urgency of what waits on the file move with the correction
    worklist.open_items(document).filter(kind=WorkItem.Kind.ACT).update(
        due=document.deadline, urgent=document.is_urgent
    )


@incoming.step(
    "退文",
    source=[In.REGISTERED],
    target=In.RETURNED,
    roles=[Role.OFFICE_DIRECTOR],
    form=ReturnForm,
    style="danger",
    everyone=True,
    confirm="退文后该文件不再流转，确定退文吗？",
)
def return_to_sender(document, *, by, reason):
    if not reason.strip():
        raise Refused("退文必须写明理由。")
    steps.advance(document, by=by, comment=reason, return_reason=reason)
    _assign_archive(document)
    notify([document.registered_by], f"{document.number} 已退文", url=document.get_absolute_url(), body=reason)


def _assign_handling(document):
    """The file reaches 办理: the lead department must 办结, the support departments report progress."""
    common = {"due": document.deadline, "urgent": document.is_urgent}
    for assignment in document.assignments.select_related("department"):
        if assignment.role == Assignment.Role.LEAD:
            worklist.assign(
                document,
                "complete",
                label="主办",
                departments=[assignment.department],
                notify=f"请办理：{document.title}",
                **common,
            )
        else:
            worklist.assign(
                document,
                "report_progress",
                label="协办",
                departments=[assignment.department],
                notify=f"请协办：{document.title}",
                **common,
            )
    if not document.assignments.filter(role=Assignment.Role.LEAD).exists():
        worklist.assign(document, "complete", label="办结", users=role_users(Role.OFFICE_DIRECTOR), **common)


def _assign_archive(document):
    worklist.assign(document, "archive", label="归档", users=role_users(Role.CLERK))


@incoming.step(
    "拟办",
    source=[In.REGISTERED],
    target=[In.INSTRUCTING, In.HANDLING],
    roles=[Role.OFFICE_DIRECTOR],
    form=ProposalForm,
    everyone=True,
    success="拟办意见已提交。",
)
def propose(
    document,
    *,
    by,
    proposal,
    leaders=(),
    lead_department=None,
    support_departments=(),
    readers=(),
    circulation_mode=IncomingDocument.CirculationMode.SEQUENTIAL,
):
    """初审通过 and 拟办: the proposal, the leaders to instruct, the departments, the readers."""
    if not proposal.strip():
        raise Refused("请填写拟办意见。")
    leaders = _by_rank(leaders)
    readers = _by_rank(readers)
    support_departments = [d for d in support_departments if d != lead_department]
    if not leaders and not lead_department and not readers:
        raise Refused("请至少选择呈批领导、主办部门或传阅人员之一。")
    if any(not has_role(u, *LEADERS) for u in leaders):
        raise Refused("呈批对象必须是主要领导或分管领导。")
    departments = [d for d in [lead_department, *support_departments] if d]
    unstaffed = [str(d) for d in departments if not _members([d])]
    if unstaffed:
        raise Refused(f"{'、'.join(unstaffed)} 没有可用的用户账号，无法办理。")
    now = timezone.now()
    steps.advance(
        document,
        by=by,
        target=In.INSTRUCTING if leaders else In.HANDLING,
        comment=proposal,
        proposal=proposal,
        proposal_by=by,
        proposal_at=now,
        circulation_mode=circulation_mode,
    )
    document.instructing_leaders.set(leaders)
    if lead_department:
        Assignment.objects.create(document=document, department=lead_department, role=Assignment.Role.LEAD)
    for department in support_departments:
        Assignment.objects.create(document=document, department=department, role=Assignment.Role.SUPPORT)
    permissions.set_grants(document, "instruct", users=leaders)
    permissions.set_grants(document, "handle", departments=departments)
    permissions.set_grants(document, "read", users=readers)
    permissions.grant(document, "view", users=[*leaders, *readers], departments=departments)
    worklist.assign(
        document,
        "instruct",
        label="批示",
        users=leaders,
        due=document.deadline,
        urgent=document.is_urgent,
        notify=f"请批示：{document.title}",
    )
    if not leaders:
        _assign_handling(document)
    sequential = circulation_mode == IncomingDocument.CirculationMode.SEQUENTIAL
    for order, reader in enumerate(readers):
        Circulation.objects.create(
            document=document, reader=reader, order=order, sent_at=now if (order == 0 or not sequential) else None
        )
    _send_copies(document, readers[:1] if sequential else readers)


def _send_copies(document, readers):
    worklist.assign(
        document,
        "mark_read",
        label="传阅",
        kind=worklist.Kind.READ,
        users=readers,
        urgent=document.is_urgent,
        notify=f"请阅：{document.title}",
    )


@incoming.step(
    "批示",
    source=[In.INSTRUCTING, In.HANDLING],
    roles=LEADERS,
    grant="instruct",
    form=InstructForm,
    confirm="批示签发后不能修改，只能追加新的批示。确定签发吗？",
    refusal="您不是该文件的呈批领导。",
    success="批示已签发。",
    style="primary",
)
def instruct(document, *, by, text):
    """批示: final once signed; when the last leader asked has instructed, the file goes to 办理."""
    if not text.strip():
        raise Refused("请填写批示内容。")
    instruction = Instruction.objects.create(document=document, leader=by, text=text)
    waiting = document.instructing_leaders.exclude(
        pk__in=Instruction.objects.filter(document=document).values("leader")
    ).exists()
    if document.status == In.INSTRUCTING and not waiting:
        steps.advance(document, by=by, target=In.HANDLING, comment=text)
        _assign_handling(document)
    else:
        audit.record("批示", by=by, obj=document, comment=text)
    notify(
        role_users(Role.OFFICE_DIRECTOR), f"{by}已批示：{document.title}", url=document.get_absolute_url(), body=text
    )
    return instruction


def _my_copy(document, user):
    return Circulation.objects.filter(document=document, reader=user.pk).first()


def _reader_rule(document, user):
    copy = _my_copy(document, user)
    if copy is None:
        return "该文件没有传给您阅。"
    if copy.sent_at is None:
        return "还没有轮到您阅文。"
    if copy.read_at is not None:
        return "您已阅过该文件。"
    return None


@incoming.step(
    "已阅",
    source=ROUTED,
    grant="read",
    rule=_reader_rule,
    form=ReadForm,
    refusal="该文件没有传给您阅。",
)
def mark_read(document, *, by, comment=""):
    """已阅: the reader holding the copy marks it read; in rank order the next reader gets it."""
    now = timezone.now()
    changed = Circulation.objects.filter(document=document, reader=by, read_at__isnull=True).update(
        read_at=now, comment=comment
    )
    if changed != 1:
        raise Refused("您已阅过该文件。")
    audit.record("已阅", by=by, obj=document, comment=comment)
    following = (
        Circulation.objects.filter(document=document, sent_at__isnull=True)
        .select_related("reader")
        .order_by("order", "pk")
        .first()
    )
    if following:
        Circulation.objects.filter(pk=following.pk).update(sent_at=now)
        _send_copies(document, [following.reader])


def _handler_rule(document, user):
    """Office roles handle any file; department staff only what was assigned to their department."""
    if has_role(user, *OFFICE):
        return None
    if has_role(user, Role.DEPARTMENT_STAFF) and "handle" in permissions.held(user, document):
        return None
    return "该文件未交您所在部门承办。"


def _lead_rule(document, user):
    """办结: the lead department (or the office, for a file without one)."""
    lead = document.assignments.filter(role=Assignment.Role.LEAD).first()
    if has_role(user, *OFFICE):
        return None
    if lead is None:
        return "只有办公室可以办结该文件。"
    reason = _handler_rule(document, user)
    if reason:
        return reason
    if user.department_id != lead.department_id:
        return "只有主办部门可以办结，协办部门请报告进展。"
    return None


@incoming.step("报告进展", source=[In.HANDLING], rule=_handler_rule, form=ProgressForm, style="secondary")
def report_progress(document, *, by, text):
    """承办 progress report by a member of an assigned department (record, audit and notice in one step)."""
    if not text.strip():
        raise Refused("请填写办理进展。")
    department = by.department
    if department is None:
        raise Refused("您没有所在部门，不能报告进展。")
    report = ProgressReport.objects.create(document=document, department=department, author=by, text=text)
    audit.record("报告进展", by=by, obj=document, comment=text)
    notify(
        role_users(Role.OFFICE_DIRECTOR),
        f"{department}报告进展：{document.title}",
        url=document.get_absolute_url(),
        body=text,
    )
    return report


@incoming.step("办结", source=[In.HANDLING], target=In.COMPLETED, rule=_lead_rule, form=CompleteForm, everyone=True)
def complete(document, *, by, result, reply=""):
    if not result.strip():
        raise Refused("请填写办理结果。")
    steps.advance(document, by=by, comment=result, result=result, reply=reply, completed_at=timezone.now())
    _assign_archive(document)
    notify(
        role_users(Role.OFFICE_DIRECTOR),
        f"已办结：{document.title}",
        url=document.get_absolute_url(),
        body=result,
    )


@incoming.step("催办", source=OPEN, roles=[Role.OFFICE_DIRECTOR], form=ChaseForm, style="secondary")
def chase(document, *, by, note):
    """Manual 催办 with a note: the record, the audit event and the notices in one transaction."""
    if not note.strip():
        raise Refused("请填写催办说明。")
    now = timezone.now()
    Reminder.objects.create(
        document=document,
        kind=Reminder.Kind.MANUAL,
        note=note,
        sent_by=by,
        event_key=f"manual:{document.code}:{now.timestamp()}",
    )
    audit.record("催办", by=by, obj=document, comment=note)
    notify(_chase_targets(document), f"催办：{document.title}", url=document.get_absolute_url(), body=note)


def _chase_targets(document):
    departments = [a.department for a in document.assignments.select_related("department")]
    people = _members(departments)
    if document.status == In.INSTRUCTING:
        instructed = set(document.instructions.values_list("leader_id", flat=True))
        people += [u for u in document.instructing_leaders.all() if u.pk not in instructed]
    return people


def escalation_targets(document):
    """The deputy leaders in charge of the handling departments."""
    departments = document.assignments.values("department")
    return list(User.objects.filter(position__in_charge_of__in=departments, is_active=True).distinct())


def archive_code_for(year, retention, number):
    township = Township.current()
    return f"{township.fonds_code}-{year}-{retention}-{township.office_code}-{number:04d}"


@incoming.step(
    "归档",
    source=[In.COMPLETED, In.RETURNED],
    target=In.ARCHIVED,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    form=ArchiveForm,
    everyone=True,
    confirm="归档后文件只读，确定归档吗？",
)
def archive_incoming(document, *, by, retention):
    """归档: archive number per DA/T 22-2015; the record becomes read-only."""
    number = get_next_value(f"documents.archive.{document.year}")
    code = archive_code_for(document.year, retention, number)
    steps.advance(
        document,
        by=by,
        comment=code,
        retention=retention,
        archive_number=number,
        archive_code=code,
        archived_at=timezone.now(),
    )


# --- 发文 -------------------------------------------------------------------------------------------------


def _reassign_outgoing(document, item, old, new):
    """转交 of a 会签 moves the department in the document's list, so the 会签 is still complete when all sign."""
    if item.step == "countersign" and item.department_id:
        document.countersign_departments.remove(old)
        document.countersign_departments.add(new)


outgoing = steps.Flow(OutgoingDocument, kind="发文", url_name="documents:outgoing_step", on_reassign=_reassign_outgoing)


def reviewers_for(document):
    """部门审核 by the deputy leaders in charge of the drafting department."""
    return list(role_users(Role.DEPUTY_LEADER).filter(position__in_charge_of=document.drafting_department_id))


def _not_drafter(document, users):
    return [u for u in users if u.pk != document.drafter_id]


def checkers_for(document):
    """核稿: the office directors, never the drafter; the principal leaders when an office director drafted it
    and no other office director is there (the next person in the chain decides)."""
    return _not_drafter(document, role_users(Role.OFFICE_DIRECTOR)) or _not_drafter(
        document, role_users(Role.PRINCIPAL_LEADER)
    )


def check_roles(document):
    """Who may 核稿 this document: one function for the declaration and for the items (``checkers_for``)."""
    if _not_drafter(document, role_users(Role.OFFICE_DIRECTOR)):
        return (Role.OFFICE_DIRECTOR,)
    return (Role.PRINCIPAL_LEADER,)


def signers_for(document):
    """签发: the principal leaders for important and upward documents; for routine ones the deputy leaders in
    charge of the drafting department (the principal leaders when none is). Never the drafter."""
    principals = _not_drafter(document, role_users(Role.PRINCIPAL_LEADER))
    if document.importance != OutgoingDocument.Importance.ROUTINE:
        return principals
    return _not_drafter(document, reviewers_for(document)) or principals


def _not_own_draft(document, user):
    """Separation of duties: nobody checks or signs a document they drafted themselves."""
    return "不能核稿或签发自己拟稿的发文，由下一位审批人办理。" if document.drafter_id == user.pk else None


def pending_countersign(document):
    signed = document.opinions.filter(step=Opinion.Step.COUNTERSIGN).values("department")
    return list(document.countersign_departments.exclude(pk__in=signed))


def _drafter_rule(document, user):
    return None if document.drafter_id == user.pk else "只有拟稿人可以办理。"


def _opinion(document, step, by, text, approved=True, department=None, skipped=False):
    return Opinion.objects.create(
        document=document,
        step=step,
        author=by,
        text=text,
        approved=approved,
        department=department,
        skipped=skipped,
    )


def _need_text(text):
    if not text.strip():
        raise Refused("请填写意见。")


def _back_to_drafter(document, *, by, step, text):
    """退回修改: the opinion, the document back to 拟稿, the drafter's item to resubmit; nobody keeps a step."""
    _opinion(document, step, by, text, approved=False)
    steps.advance(document, by=by, target=Out.DRAFT, comment=text)
    for perm in ("review", "countersign", "sign_off"):
        permissions.set_grants(document, perm)
    worklist.assign(
        document,
        "submit",
        label="修改后重新提交",
        users=[document.drafter],
        urgent=document.is_urgent,
        notify=f"发文稿被退回修改：{document.title}",
        body=text,
    )


def _send_to(document, perm, step, label, *, users=(), departments=()):
    permissions.set_grants(document, perm, users=users, departments=departments)
    permissions.grant(document, "view", users=users, departments=departments)
    worklist.assign(
        document,
        step,
        label=label,
        users=users,
        departments=departments,
        urgent=document.is_urgent,
        notify=f"请{label}：{document.title}",
    )


def _to_sign_off(document):
    _send_to(document, "sign_off", "sign_off", "签发", users=signers_for(document))


def _to_clerks(document, step, label):
    worklist.assign(document, step, label=label, users=role_users(Role.CLERK), urgent=document.is_urgent)


def start_draft(document, *, by):
    """Called by ``services.draft_outgoing`` once the draft is saved: 我发起的, and the drafter holds it."""
    worklist.track(document, kind="发文", initiator=by)
    permissions.grant(document, "view", users=[by])


@outgoing.step(
    "修改草稿", source=[Out.DRAFT], rule=_drafter_rule, form=EditDraftForm, style="secondary", success="草稿已保存。"
)
def edit_draft(document, *, by, changes, countersign_departments=(), body=None):
    fields = [name for name, value in changes.items() if getattr(document, name) != value]
    for name in fields:
        setattr(document, name, changes[name])
    if body:
        document.body = body
        fields.append("body")
    if fields:
        document.save(update_fields=fields)
    document.countersign_departments.set(countersign_departments)
    audit.record("修改草稿", by=by, obj=document, comment=document.title)
    worklist.touch(document, title=str(document))


@outgoing.step(
    "提交部门审核",
    source=[Out.DRAFT],
    target=Out.DEPT_REVIEW,
    rule=_drafter_rule,
    form=SubmitForm,
    success="已提交部门审核。",
)
def submit(document, *, by, body=None):
    """提交 / 重新提交 by the drafter (optionally with a new body): to the deputy leader in charge."""
    if body:
        document.body = body
        document.save(update_fields=["body"])
    if not document.body:
        raise Refused("请先上传正文再提交。")
    reviewers = reviewers_for(document)
    if not reviewers:
        raise Refused("所在部门没有分管领导，无法送部门审核，请联系系统管理员。")
    unstaffed = [str(d) for d in document.countersign_departments.all() if not _members([d])]
    if unstaffed:
        raise Refused(f"会签部门 {'、'.join(unstaffed)} 没有可用的用户账号，请修改草稿后再提交。")
    steps.advance(document, by=by, comment=document.title)
    _send_to(document, "review", "review", "部门审核", users=reviewers)


@outgoing.step(
    "撤回",
    source=[Out.DEPT_REVIEW],
    target=Out.DRAFT,
    rule=_drafter_rule,
    style="secondary",
    confirm="撤回后稿件回到草稿，审核人的待办随之撤销。确定撤回吗？",
    success="已撤回，稿件回到草稿。",
)
def withdraw(document, *, by):
    """撤回 by the drafter until the first decision: back to draft, the reviewers' items and grants taken back."""
    reviewers = [item.assignee for item in worklist.open_items(document, "review").select_related("assignee")]
    steps.advance(document, by=by, comment="拟稿人撤回")
    worklist.withdraw(document, "review", by=by, users=[u for u in reviewers if u], decision="拟稿人已撤回")
    lost, _ = permissions.set_grants(document, "review")
    permissions.revoke(document, "view", users=User.objects.filter(pk__in=lost))


@outgoing.step(
    "审核通过",
    source=[Out.DEPT_REVIEW],
    target=Out.OFFICE_CHECK,
    roles=[Role.DEPUTY_LEADER],
    grant="review",
    form=OpinionForm,
    refusal="您不是该稿的审核人。",
)
def review(document, *, by, text):
    """部门审核 by the deputy leader in charge of the drafting department."""
    _need_text(text)
    _opinion(document, Opinion.Step.DEPT_REVIEW, by, text)
    steps.advance(document, by=by, comment=text)
    permissions.set_grants(document, "review")
    _to_check(document)


def _to_check(document):
    worklist.assign(
        document,
        "check",
        label="核稿",
        users=checkers_for(document),
        urgent=document.is_urgent,
        notify=f"请核稿：{document.title}",
    )


@outgoing.step(
    "审核退回",
    source=[Out.DEPT_REVIEW],
    target=Out.DRAFT,
    roles=[Role.DEPUTY_LEADER],
    grant="review",
    form=OpinionForm,
    style="danger",
    refusal="您不是该稿的审核人。",
)
def review_return(document, *, by, text):
    _need_text(text)
    _back_to_drafter(document, by=by, step=Opinion.Step.DEPT_REVIEW, text=text)


@outgoing.step(
    "核稿通过",
    source=[Out.OFFICE_CHECK],
    rule=_not_own_draft,
    target=[Out.COUNTERSIGN, Out.SIGN_OFF],
    roles=check_roles,
    form=OpinionForm,
    everyone=True,
)
def check(document, *, by, text):
    """办公室核稿: on to 会签 (each countersigning department) or straight to 签发. The grants are written here,
    after the decision, in the step's transaction: a refused or returned 核稿 grants nothing."""
    _need_text(text)
    _opinion(document, Opinion.Step.OFFICE_CHECK, by, text)
    countersign = list(document.countersign_departments.all())
    if countersign:
        steps.advance(document, by=by, target=Out.COUNTERSIGN, comment=text)
        _send_to(document, "countersign", "countersign", "会签", departments=countersign)
    else:
        steps.advance(document, by=by, target=Out.SIGN_OFF, comment=text)
        _to_sign_off(document)


@outgoing.step(
    "核稿退回",
    source=[Out.OFFICE_CHECK],
    rule=_not_own_draft,
    target=Out.DRAFT,
    roles=check_roles,
    form=OpinionForm,
    style="danger",
    everyone=True,
)
def check_return(document, *, by, text):
    _need_text(text)
    _back_to_drafter(document, by=by, step=Opinion.Step.OFFICE_CHECK, text=text)


def _countersign_rule(document, user):
    if not user.department_id:
        return "您所在部门不是会签部门。"
    if document.opinions.filter(step=Opinion.Step.COUNTERSIGN, department=user.department_id).exists():
        return "您所在部门已会签。"
    return None


def _after_countersign(document, *, by, comment):
    """One department signed or was skipped (one audit event saying which): the others keep their step; when
    none is left, on to 签发."""
    pending = pending_countersign(document)
    permissions.set_grants(document, "countersign", departments=pending)
    if pending:
        audit.record(steps.current_step().label, by=by, obj=document, comment=comment)
    else:
        steps.advance(document, by=by, target=Out.SIGN_OFF, comment=f"{comment}（会签完毕）")
        _to_sign_off(document)


@outgoing.step(
    "会签",
    source=[Out.COUNTERSIGN],
    target=Out.SIGN_OFF,
    grant="countersign",
    rule=_countersign_rule,
    form=OpinionForm,
    refusal="您所在部门不是会签部门。",
)
def countersign(document, *, by, text):
    """会签 by a member of a countersigning department; when every department has signed, on to 签发."""
    _need_text(text)
    _opinion(document, Opinion.Step.COUNTERSIGN, by, text, department=by.department)
    _after_countersign(document, by=by, comment=f"{by.department}：{text}")


@outgoing.step(
    "跳过会签",
    source=[Out.COUNTERSIGN],
    target=Out.SIGN_OFF,
    roles=[Role.OFFICE_DIRECTOR],
    form=SkipCountersignForm,
    style="secondary",
    confirm="跳过后该部门不再会签，理由记入流转记录。确定跳过吗？",
)
def skip_countersign(document, *, by, department, reason):
    """The office director unblocks a 会签 (a department with no one to sign, or away) with a written reason."""
    if not reason.strip():
        raise Refused("请写明跳过会签的理由。")
    if department not in pending_countersign(document):
        raise Refused(f"{department} 不在待会签部门之列。")
    _opinion(document, Opinion.Step.COUNTERSIGN, by, reason, department=department, skipped=True)
    worklist.withdraw(document, "countersign", by=by, departments=[department], decision=f"跳过会签：{reason}"[:200])
    _after_countersign(document, by=by, comment=f"{department}：{reason}")


def _signer_rule(document, user):
    if document.drafter_id == user.pk:
        return _not_own_draft(document, user)
    if document.importance != OutgoingDocument.Importance.ROUTINE and not has_role(user, Role.PRINCIPAL_LEADER):
        return "重要文件和上行文须由主要领导签发。"
    return None


@outgoing.step(
    "签发",
    source=[Out.SIGN_OFF],
    target=Out.RECHECK,
    roles=LEADERS,
    grant="sign_off",
    rule=_signer_rule,
    form=OpinionForm,
    everyone=True,
    confirm="签发后进入复核、编号，确定签发吗？",
    refusal="您不是该文的签发人。",
)
def sign_off(document, *, by, text):
    """签发: by the right leader; opinion, name and full date are recorded."""
    _need_text(text)
    _opinion(document, Opinion.Step.SIGN_OFF, by, text)
    steps.advance(document, by=by, comment=text, signer=by)
    permissions.set_grants(document, "sign_off")
    _to_clerks(document, "recheck", "复核")


@outgoing.step(
    "签发退回",
    source=[Out.SIGN_OFF],
    target=Out.DRAFT,
    roles=LEADERS,
    grant="sign_off",
    rule=_not_own_draft,
    form=OpinionForm,
    style="danger",
    everyone=True,
    refusal="您不是该文的签发人。",
)
def sign_off_return(document, *, by, text):
    _need_text(text)
    _back_to_drafter(document, by=by, step=Opinion.Step.SIGN_OFF, text=text)


@outgoing.step(
    "复核",
    source=[Out.RECHECK],
    target=Out.NUMBERING,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    form=OptionalOpinionForm,
    everyone=True,
)
def recheck(document, *, by, text=""):
    """复核 by the clerk before numbering."""
    _opinion(document, Opinion.Step.RECHECK, by, text or "复核无误")
    steps.advance(document, by=by, comment=text)
    _to_clerks(document, "number", "编号")


@outgoing.step(
    "编号",
    source=[Out.NUMBERING],
    target=Out.SEALING,
    roles=[Role.CLERK],
    everyone=True,
    confirm="编号不可撤销，确定编号吗？",
)
def number(document, *, by):
    """编号: 发文字号 = issuer code + 〔year〕 + serial + 号, gapless per issuer code and year."""
    year = timezone.localdate().year
    serial = get_next_value(f"documents.outgoing.{document.issuer_code.code}.{year}")
    doc_number = f"{document.issuer_code.code}〔{year}〕{serial}号"
    steps.advance(document, by=by, comment=doc_number, year=year, serial=serial, doc_number=doc_number)
    _to_clerks(document, "seal", "用印")
    return doc_number


def _seals_api():
    """The seals app's narrow interface, or None when the seals app (or its api) is not installed."""
    if not apps.is_installed("seals"):
        return None
    try:
        from seals import api
    except ImportError:
        return None
    return api if hasattr(api, "requests_for") else None


def seal_requests_for(document):
    """The seal-use requests linked to this document (empty when the seals app is not installed)."""
    api = _seals_api()
    return api.requests_for("documents.outgoingdocument", str(document.code)) if api else []


def new_seal_request_url(document):
    api = _seals_api()
    return api.new_request_url("documents.outgoingdocument", str(document.code), document.title) if api else ""


@outgoing.step("确认用印", source=[Out.SEALING], target=Out.ISSUING, roles=[Role.CLERK], everyone=True)
def seal(document, *, by):
    """用印: confirmed when a linked seal-use request is fully stamped."""
    requests = seal_requests_for(document)
    if _seals_api() is not None and not any(r.fully_stamped for r in requests):
        raise Refused("该文尚无已完成用印的用印申请，请先申请用印并由印章管理员登记用印。")
    numbers = "、".join(r.number for r in requests if r.fully_stamped)
    steps.advance(document, by=by, comment=numbers)
    _to_clerks(document, "issue", "印发")


@outgoing.step("印发", source=[Out.ISSUING], target=Out.ISSUED, roles=[Role.CLERK], form=IssueForm, everyone=True)
def issue(document, *, by, copies, issued_on, proofreader):
    """印发/核发: copies, date, proofreader; 主送 and 抄送 were fixed at drafting."""
    if not copies or copies < 1:
        raise Refused("印发份数至少为 1。")
    steps.advance(document, by=by, comment=f"{copies}份", copies=copies, issued_on=issued_on, proofreader=proofreader)
    _to_clerks(document, "archive", "归档")
    notify([document.drafter], f"已印发：{document.doc_number} {document.title}", url=document.get_absolute_url())


@outgoing.step(
    "归档",
    source=[Out.ISSUED],
    target=Out.ARCHIVED,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    form=ArchiveForm,
    everyone=True,
)
def archive_outgoing(document, *, by, retention):
    year = document.year or timezone.localdate().year
    number = get_next_value(f"documents.archive.{year}")
    code = archive_code_for(year, retention, number)
    steps.advance(document, by=by, comment=code, retention=retention, archive_number=number, archive_code=code)


# --- The names used before the steps were declared (tests/test_integration.py calls them) -------------------


def draft_outgoing(*, by, data, body=None, countersign_departments=(), submit=True):
    from .services import draft_outgoing as draft

    return draft(by=by, data=data, body=body, countersign_departments=countersign_departments, submit=submit)


def review_outgoing(document, *, by, text, approve=True):
    return (review if approve else review_return)(document, by=by, text=text)


def check_outgoing(document, *, by, text, approve=True):
    return (check if approve else check_return)(document, by=by, text=text)


def recheck_outgoing(document, *, by, text=""):
    return recheck(document, by=by, text=text)


def number_outgoing(document, *, by):
    return number(document, by=by)


def confirm_sealed(document, *, by):
    return seal(document, by=by)
