"""收文 steps: 更正登记, 退文, 拟办, 批示, 已阅, 报告进展, 办结, 催办, 归档."""

from datetime import datetime

from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions, steps
from township_office.models import User
from township_office.roles import LEADERS, OFFICE, Role, has_role, role_users
from township_office.steps import Refused
from township_office.uploads import validate_upload

from ..forms import (
    ArchiveForm,
    ChaseForm,
    CompleteForm,
    CorrectForm,
    InstructForm,
    ProgressForm,
    ProposalForm,
    ReadForm,
    ReturnForm,
)
from ..models import (
    Assignment,
    Attachment,
    Circulation,
    IncomingDocument,
    Instruction,
    ProgressReport,
    Reminder,
)
from .common import In, _by_rank, _members, archive_code_for, refuse_state_secret

# --- 收文 -------------------------------------------------------------------------------------------------


def _reassign_incoming(document, item, old, new):
    """转交 keeps the file's own lists right: the leaders to instruct, the handling departments, the readers."""
    if item.step == "instruct":
        document.instructing_leaders.remove(old)
        document.instructing_leaders.add(new)
    elif item.step in ("complete", "report_progress") and item.department_id:
        Assignment.objects.filter(document=document, department=old).update(department=new)
        permissions.revoke(document, "handle", departments=[old])
        permissions.grant(document, "handle", departments=[new])
    elif item.step == "mark_read":
        if not Circulation.objects.filter(document=document, reader=new).exists():
            Circulation.objects.filter(document=document, reader=old, read_at__isnull=True).update(reader=new)


incoming = steps.Flow(
    IncomingDocument,
    initiator="registered_by",
    kind="收文",
    url_name="documents:incoming_step",
    on_reassign=_reassign_incoming,
    start=steps.Start(
        "登记收文",
        "documents:incoming_register",
        (Role.CLERK, Role.OFFICE_DIRECTOR),
        refusal="只有文书或办公室主任可以登记收文。",
    ),
)

OPEN = (In.REGISTERED, In.INSTRUCTING, In.HANDLING)
ROUTED = (In.INSTRUCTING, In.HANDLING, In.COMPLETED, In.ARCHIVED)


def register(document, *, by):
    """Called by ``services.register_incoming`` once the file is saved: 我发起的 and the office directors' 拟办."""
    incoming.begin(document, by=by).hand_to(
        "propose",
        users=role_users(Role.OFFICE_DIRECTOR),
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


def _same_minute(old, new):
    if isinstance(old, datetime) and isinstance(new, datetime):
        return old.replace(second=0, microsecond=0) == new.replace(second=0, microsecond=0)
    return False


@incoming.step(
    "更正登记",
    source=[In.REGISTERED, In.INSTRUCTING, In.HANDLING, In.COMPLETED],
    roles=correctors,
    form=CorrectForm,
    style="secondary",
    success="登记信息已更正。",
)
def correct(run, document, *, changes, files=(), reason=""):
    """Fields and scans of a registered file; every changed value is kept, before and after, in the audit
    comment (字段：原值 → 新值), which the 流转记录 shows."""
    lines, changed = [], []
    refuse_state_secret(changes.get("secrecy"))
    for name, value in changes.items():
        old = getattr(document, name)
        if _same_minute(old, value):  # the form shows times to the minute: an untouched time is no change
            continue
        if old != value:
            label = IncomingDocument._meta.get_field(name).verbose_name
            lines.append(f"{label}：{_shown(document, name, old)} → {_shown(document, name, value)}")
            setattr(document, name, value)
            changed.append(name)
    for upload in files:
        kind = validate_upload(upload)
        Attachment.objects.create(document=document, file=upload, name=upload.name[:200], kind=kind, uploaded_by=run.by)
        lines.append(f"补充附件：{upload.name[:200]}")
    if not lines:
        raise Refused("没有需要更正的内容。")
    if changed:
        document.save(update_fields=changed)
    if document.is_restricted:  # a file marked 内部/工作秘密 reaches nobody by role any more
        permissions.grant(document, "view", users=[document.registered_by, *role_users(Role.OFFICE_DIRECTOR)])
    if reason.strip():
        lines.append(f"说明：{reason.strip()}")
    run.audit(comment="；".join(lines))
    run.reschedule(due=document.deadline)  # what waits on the file moves with the correction


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
def return_to_sender(run, document, *, reason):
    if not reason.strip():
        raise Refused("退文必须写明理由。")
    run.advance(comment=reason, return_reason=reason)
    _assign_archive(run, document)
    run.notify([document.registered_by], f"{document.number} 已退文", body=reason)


def _assign_handling(run, document):
    """The file reaches 办理: the lead department must 办结, the support departments report progress."""
    lead = [a.department for a in document.assignments.select_related("department") if a.role == Assignment.Role.LEAD]
    support = [a.department for a in document.assignments.all() if a.role == Assignment.Role.SUPPORT]
    run.hand_to("complete", departments=lead, notify=f"请办理：{document.title}")
    run.hand_to("report_progress", departments=support, notify=f"请协办：{document.title}")
    if not lead:
        run.hand_to("complete", users=role_users(Role.OFFICE_DIRECTOR))


def _assign_archive(run, document):
    roles = incoming["archive_incoming"].workers_for(document)  # the clerks (归档's work_roles)
    run.hand_to("archive_incoming", users=role_users(*roles))


# --- Who holds each step's work now, and by when (the rebuild, manage.py rebuild_worklist, reads these) ----------


def _deadline(document):
    return document.deadline


def _to_instruct(document):
    """批示's work: the leaders asked (拟办) who have not instructed yet."""
    done = Instruction.objects.filter(document=document).values("leader")
    return [steps.Duty(users=list(document.instructing_leaders.filter(is_active=True).exclude(pk__in=done)))]


def _assigned(document, role):
    return [a.department for a in document.assignments.select_related("department") if a.role == role]


def _to_complete(document):
    """办结's work: the lead department, or the office director for a file without one (as 拟办 gives it)."""
    lead = _assigned(document, Assignment.Role.LEAD)
    return [steps.Duty(departments=lead)] if lead else [steps.Duty(users=list(role_users(Role.OFFICE_DIRECTOR)))]


def _to_support(document):
    """报告进展's work: the support departments."""
    return [steps.Duty(departments=_assigned(document, Assignment.Role.SUPPORT))]


@incoming.step(
    "拟办",
    work="待拟办",
    due=_deadline,
    source=[In.REGISTERED],
    target=[In.INSTRUCTING, In.HANDLING],
    roles=[Role.OFFICE_DIRECTOR],
    form=ProposalForm,
    everyone=True,
    success="拟办意见已提交。",
)
def propose(
    run,
    document,
    *,
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
    run.advance(
        In.INSTRUCTING if leaders else In.HANDLING,
        comment=proposal,
        proposal=proposal,
        proposal_by=run.by,
        proposal_at=now,
        circulation_mode=circulation_mode,
    )
    document.instructing_leaders.set(leaders)
    if lead_department:
        Assignment.objects.create(document=document, department=lead_department, role=Assignment.Role.LEAD)
    for department in support_departments:
        Assignment.objects.create(document=document, department=department, role=Assignment.Role.SUPPORT)
    permissions.set_grants(document, "handle", departments=departments)
    permissions.set_grants(document, "read", users=readers)
    permissions.grant(document, "view", users=readers, departments=departments)
    run.hand_to("instruct", users=leaders, notify=f"请批示：{document.title}")
    if not leaders:
        _assign_handling(run, document)
    sequential = circulation_mode == IncomingDocument.CirculationMode.SEQUENTIAL
    for order, reader in enumerate(readers):
        Circulation.objects.create(
            document=document, reader=reader, order=order, sent_at=now if (order == 0 or not sequential) else None
        )
    _send_copies(run, document, readers[:1] if sequential else readers)


def _send_copies(run, document, readers):
    """The copy reaches these readers (each holds ``read`` since 拟办: a later reader waits for their turn)."""
    run.hand_to("mark_read", users=readers, exclusive=False, notify=f"请阅：{document.title}")


@incoming.step(
    "批示",
    work="待批示",
    due=_deadline,
    holders=_to_instruct,
    source=[In.INSTRUCTING, In.HANDLING],
    roles=LEADERS,
    grant="instruct",
    form=InstructForm,
    confirm="批示签发后不能修改，只能追加新的批示。确定签发吗？",
    refusal="您不是该文件的呈批领导。",
    success="批示已签发。",
    style="primary",
)
def instruct(run, document, *, text, signature=b""):
    """批示: final once signed; when the last leader asked has instructed, the file goes to 办理. ``signature``:
    the leader's drawn signature (PNG bytes from township_office.signatures), kept with it; the audit event
    carries its SHA-256."""
    if not text.strip():
        raise Refused("请填写批示内容。")
    instruction = Instruction.objects.create(document=document, leader=run.by, text=text, signature=signature)
    waiting = document.instructing_leaders.exclude(
        pk__in=Instruction.objects.filter(document=document).values("leader")
    ).exists()
    comment = audit.fingerprinted(text, "附手写签名", signature) if signature else text
    if document.status == In.INSTRUCTING and not waiting:
        run.advance(In.HANDLING, comment=comment)
        _assign_handling(run, document)
    else:
        run.audit(comment=comment)
    run.notify(role_users(Role.OFFICE_DIRECTOR), f"{run.by}已批示：{document.title}", body=text)
    return instruction


def circulations_of(document):
    """The file's copies in circulation with their readers, in order: read once for the rules of a page and
    its 传阅情况 (``steps.cached``: a step reads them afresh)."""
    return steps.cached(document, "circulations", lambda: list(document.circulations.select_related("reader")))


def assignments_of(document):
    """The departments assigned to the file (主办 first), read once for the rules of a page and its 承办."""
    return steps.cached(document, "assignments", lambda: list(document.assignments.select_related("department")))


def _my_copy(document, user):
    return next((copy for copy in circulations_of(document) if copy.reader_id == user.pk), None)


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
    work="待阅",
    reading=True,
    source=ROUTED,
    grant="read",
    rule=_reader_rule,
    form=ReadForm,
    refusal="该文件没有传给您阅。",
)
def mark_read(run, document, *, comment=""):
    """已阅: the reader holding the copy marks it read; in rank order the next reader gets it."""
    now = timezone.now()
    changed = Circulation.objects.filter(document=document, reader=run.by, read_at__isnull=True).update(
        read_at=now, comment=comment
    )
    if changed != 1:
        raise Refused("您已阅过该文件。")
    run.audit(comment=comment)
    following = (
        Circulation.objects.filter(document=document, sent_at__isnull=True)
        .select_related("reader")
        .order_by("order", "pk")
        .first()
    )
    if following:
        Circulation.objects.filter(pk=following.pk).update(sent_at=now)
        _send_copies(run, document, [following.reader])


def _handler_rule(document, user):
    """Office roles handle any file; department staff only what was assigned to their department."""
    if has_role(user, *OFFICE):
        return None
    if has_role(user, Role.DEPARTMENT_STAFF) and "handle" in permissions.held(user, document):
        return None
    return "该文件未交您所在部门承办。"


def _lead_rule(document, user):
    """办结: the lead department (or the office, for a file without one)."""
    if has_role(user, *OFFICE):
        return None
    lead = next((a for a in assignments_of(document) if a.role == Assignment.Role.LEAD), None)
    if lead is None:
        return "只有办公室可以办结该文件。"
    reason = _handler_rule(document, user)
    if reason:
        return reason
    if user.department_id != lead.department_id:
        return "只有主办部门可以办结，协办部门请报告进展。"
    return None


@incoming.step(
    "报告进展",
    work="待协办",
    due=_deadline,
    holders=_to_support,
    source=[In.HANDLING],
    rule=_handler_rule,
    form=ProgressForm,
    style="secondary",
)
def report_progress(run, document, *, text):
    """承办 progress report by a member of an assigned department (record, audit and notice in one step)."""
    if not text.strip():
        raise Refused("请填写办理进展。")
    department = run.by.department
    if department is None:
        raise Refused("您没有所在部门，不能报告进展。")
    report = ProgressReport.objects.create(document=document, department=department, author=run.by, text=text)
    run.audit(comment=text)
    run.notify(role_users(Role.OFFICE_DIRECTOR), f"{department}报告进展：{document.title}", body=text)
    return report


@incoming.step(
    "办结",
    work="待办结",
    due=_deadline,
    holders=_to_complete,
    source=[In.HANDLING],
    target=In.COMPLETED,
    rule=_lead_rule,
    form=CompleteForm,
    everyone=True,
    confirm="办结后不能再报告进展，文件转入归档。确定办结吗？",
)
def complete(run, document, *, result, reply=""):
    if not result.strip():
        raise Refused("请填写办理结果。")
    run.advance(comment=result, result=result, reply=reply, completed_at=timezone.now(), completed_by=run.by)
    _assign_archive(run, document)
    run.notify(role_users(Role.OFFICE_DIRECTOR), f"已办结：{document.title}", body=result)


@incoming.step("催办", source=OPEN, roles=[Role.OFFICE_DIRECTOR], form=ChaseForm, style="secondary")
def chase(run, document, *, note):
    """Manual 催办 with a note: the record, the audit event and the notices in one transaction."""
    if not note.strip():
        raise Refused("请填写催办说明。")
    now = timezone.now()
    Reminder.objects.create(
        document=document,
        kind=Reminder.Kind.MANUAL,
        note=note,
        sent_by=run.by,
        event_key=f"manual:{document.code}:{now.timestamp()}",
    )
    run.audit(comment=note)
    run.notify(chase_targets(document), f"催办：{document.title}", body=note)


def chase_targets(document):
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


@incoming.step(
    "归档",
    work="待归档",
    urgent=False,  # the file's urgency was its handling's
    source=[In.COMPLETED, In.RETURNED],
    target=In.ARCHIVED,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    work_roles=[Role.CLERK],
    form=ArchiveForm,
    everyone=True,
    confirm="归档后文件只读，确定归档吗？",
)
def archive_incoming(run, document, *, retention):
    """归档: archive number per DA/T 22-2015; the record becomes read-only."""
    number = get_next_value(f"documents.archive.{document.year}")
    code = archive_code_for(document.year, retention, number)
    run.advance(
        comment=code,
        retention=retention,
        archive_number=number,
        archive_code=code,
        archived_at=timezone.now(),
    )
