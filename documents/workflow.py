"""Every status change of a document: role, object grant and state are checked here, the
audit event is written in the same transaction, and people are told after commit."""

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions
from township_office.models import Township
from township_office.notifications import notify
from township_office.roles import LEADERS, OFFICE, Role, has_role, role_users
from township_office.uploads import validate_upload
from township_office.workflow import TransitionNotAllowed, transition

from .models import (
    Assignment,
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
    from township_office.models import User

    return list(User.objects.filter(department__in=departments, is_active=True))


# --- Incoming ----------------------------------------------------------------


def return_to_sender(document, *, by, reason):
    """初审 → 退文 with a reason."""
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以初审退文。")
    if not reason.strip():
        raise ValidationError("退文必须写明理由。")
    transition(
        document, by=by, action="退文", source=[In.REGISTERED], target=In.RETURNED, comment=reason, return_reason=reason
    )
    notify([document.registered_by], f"{document.number} 已退文", url=document.get_absolute_url(), body=reason)


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
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以拟办。")
    if not proposal.strip():
        raise ValidationError("请填写拟办意见。")
    leaders = sorted(set(leaders), key=lambda u: (getattr(getattr(u, "position", None), "rank", 999), u.pk))
    support_departments = [d for d in support_departments if d != lead_department]
    if not leaders and not lead_department and not readers:
        raise ValidationError("请至少选择呈批领导、主办部门或传阅人员之一。")
    if any(not has_role(u, *LEADERS) for u in leaders):
        raise ValidationError("呈批对象必须是主要领导或分管领导。")
    now = timezone.now()
    target = In.INSTRUCTING if leaders else In.HANDLING
    with transaction.atomic():
        transition(
            document,
            by=by,
            action="拟办",
            source=[In.REGISTERED],
            target=target,
            comment=proposal,
            proposal=proposal,
            proposal_by=by,
            proposal_at=now,
            circulation_mode=circulation_mode,
        )
        document.instructing_leaders.set(leaders)
        if leaders:
            permissions.grant(document, ["view", "instruct"], users=leaders)
        departments = [d for d in [lead_department, *support_departments] if d]
        if lead_department:
            Assignment.objects.create(document=document, department=lead_department, role=Assignment.Role.LEAD)
        for department in support_departments:
            Assignment.objects.create(document=document, department=department, role=Assignment.Role.SUPPORT)
        if departments:
            permissions.grant(document, ["view", "handle"], departments=departments)
        readers = sorted(set(readers), key=lambda u: (getattr(getattr(u, "position", None), "rank", 999), u.pk))
        sequential = circulation_mode == IncomingDocument.CirculationMode.SEQUENTIAL
        for order, reader in enumerate(readers):
            Circulation.objects.create(
                document=document, reader=reader, order=order, sent_at=now if (order == 0 or not sequential) else None
            )
        if readers:
            permissions.grant(document, ["view", "read"], users=readers)
    url = document.get_absolute_url()
    notify(leaders, f"请批示：{document.title}", url=url)
    if not leaders and departments:
        notify(_members(departments), f"请办理：{document.title}", url=url)
    first_readers = readers if not sequential else readers[:1]
    notify(first_readers, f"请阅：{document.title}", url=url)


def instruct(document, *, by, text):
    """批示: a leader with the grant writes an instruction; it is final once signed."""
    permissions.require(by, roles=LEADERS, obj=document, perm="instruct", message="您不是该文件的呈批领导。")
    if not text.strip():
        raise ValidationError("请填写批示内容。")
    if document.status not in (In.INSTRUCTING, In.HANDLING):
        raise TransitionNotAllowed("该文件当前不能批示。")
    with transaction.atomic():
        instruction = Instruction.objects.create(document=document, leader=by, text=text)
        audit.record("批示", by=by, obj=document, comment=text)
        waiting = document.instructing_leaders.exclude(
            pk__in=Instruction.objects.filter(document=document).values("leader")
        ).exists()
        moved = False
        if document.status == In.INSTRUCTING and not waiting:
            transition(document, by=by, action="批示完毕，转承办", source=[In.INSTRUCTING], target=In.HANDLING)
            moved = True
    url = document.get_absolute_url()
    departments = [a.department for a in document.assignments.select_related("department")]
    notify(role_users(Role.OFFICE_DIRECTOR), f"{by}已批示：{document.title}", url=url, body=text)
    if moved and departments:
        notify(_members(departments), f"请办理：{document.title}", url=url, body=text)
    return instruction


def mark_read(document, *, by, comment=""):
    """已阅: the reader holding the copy marks it read; in rank order the next reader gets it."""
    circulation = Circulation.objects.filter(document=document, reader=by).first()
    if circulation is None or not permissions.has_grant(by, document, "read"):
        raise PermissionDenied("该文件没有传给您阅。")
    if circulation.sent_at is None:
        raise TransitionNotAllowed("还没有轮到您阅文。")
    now = timezone.now()
    with transaction.atomic():
        changed = Circulation.objects.filter(pk=circulation.pk, read_at__isnull=True).update(
            read_at=now, comment=comment
        )
        if changed != 1:
            raise TransitionNotAllowed("您已阅过该文件。")
        audit.record("已阅", by=by, obj=document, comment=comment)
        following = Circulation.objects.filter(document=document, sent_at__isnull=True).order_by("order", "pk").first()
        if following:
            Circulation.objects.filter(pk=following.pk).update(sent_at=now)
    if following:
        notify([following.reader], f"请阅：{document.title}", url=document.get_absolute_url())


def _require_handler(document, user):
    if has_role(user, *OFFICE):
        return
    permissions.require(
        user, roles=[Role.DEPARTMENT_STAFF], obj=document, perm="handle", message="该文件未交您所在部门承办。"
    )


def report_progress(document, *, by, text):
    """承办 progress report by a member of an assigned department."""
    _require_handler(document, by)
    if not text.strip():
        raise ValidationError("请填写办理进展。")
    if document.status != In.HANDLING:
        raise TransitionNotAllowed("该文件不在办理中，不能报告进展。")
    department = by.department
    report = ProgressReport.objects.create(document=document, department=department, author=by, text=text)
    audit.record("报告办理进展", by=by, obj=document, comment=text)
    notify(
        role_users(Role.OFFICE_DIRECTOR),
        f"{department}报告进展：{document.title}",
        url=document.get_absolute_url(),
        body=text,
    )
    return report


def complete(document, *, by, result, reply=""):
    """办结: the lead department (or the office, for a file with no lead department) records the result."""
    if not result.strip():
        raise ValidationError("请填写办理结果。")
    lead = document.assignments.filter(role=Assignment.Role.LEAD).select_related("department").first()
    if lead is None:
        permissions.require(by, roles=OFFICE, message="只有办公室可以办结该文件。")
    elif not has_role(by, *OFFICE):
        permissions.require(
            by, roles=[Role.DEPARTMENT_STAFF], obj=document, perm="handle", message="只有主办部门可以办结。"
        )
        if by.department_id != lead.department_id:
            raise PermissionDenied("只有主办部门可以办结，协办部门请报告进展。")
    transition(
        document,
        by=by,
        action="办结",
        source=[In.HANDLING],
        target=In.COMPLETED,
        comment=result,
        result=result,
        reply=reply,
        completed_at=timezone.now(),
    )
    notify(
        role_users(Role.OFFICE_DIRECTOR, Role.CLERK),
        f"已办结：{document.title}",
        url=document.get_absolute_url(),
        body=result,
    )


def chase(document, *, by, note):
    """Manual 催办 with a note: the handling departments and the leaders in charge are told."""
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以催办。")
    if not note.strip():
        raise ValidationError("请填写催办说明。")
    if not document.is_open:
        raise TransitionNotAllowed("该文件已办结或已归档，无需催办。")
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
    from township_office.models import User

    departments = document.assignments.values("department")
    return list(User.objects.filter(position__in_charge_of__in=departments, is_active=True).distinct())


def archive_code_for(year, retention, number):
    township = Township.current()
    return f"{township.fonds_code}-{year}-{retention}-{township.office_code}-{number:04d}"


def archive_incoming(document, *, by, retention):
    """归档: archive number per DA/T 22-2015; the record becomes read-only."""
    permissions.require(by, roles=[Role.CLERK, Role.OFFICE_DIRECTOR], message="只有文书可以归档。")
    if document.status not in (In.COMPLETED, In.RETURNED):
        raise TransitionNotAllowed("只有已办结或已退文的文件可以归档。")
    with transaction.atomic():
        number = get_next_value(f"documents.archive.{document.year}")
        code = archive_code_for(document.year, retention, number)
        transition(
            document,
            by=by,
            action="归档",
            source=[In.COMPLETED, In.RETURNED],
            target=In.ARCHIVED,
            comment=code,
            retention=retention,
            archive_number=number,
            archive_code=code,
            archived_at=timezone.now(),
        )


# --- Outgoing ----------------------------------------------------------------


def _signers_for(document):
    """签发: the principal leaders for important and upward documents; for routine ones the deputy
    leaders in charge of the drafting department (or a principal leader)."""
    principals = list(role_users(Role.PRINCIPAL_LEADER))
    if document.importance != OutgoingDocument.Importance.ROUTINE:
        return principals
    deputies = list(role_users(Role.DEPUTY_LEADER).filter(position__in_charge_of=document.drafting_department_id))
    return deputies + principals


def _reviewers_for(document):
    """部门审核 by the deputy leaders in charge of the drafting department."""
    return list(role_users(Role.DEPUTY_LEADER).filter(position__in_charge_of=document.drafting_department_id))


@transaction.atomic
def draft_outgoing(*, by, data, body, countersign_departments=()):
    """拟稿: department staff upload the body and submit it for the department's review."""
    permissions.require(by, roles=[Role.DEPARTMENT_STAFF], message="只有站所室经办人可以拟稿。")
    if by.department_id is None:
        raise ValidationError("您没有所在部门，不能拟稿。")
    validate_upload(body, kinds=("word", "pdf", "ofd"))
    document = OutgoingDocument(
        **data, drafting_department=by.department, drafter=by, body=body, status=Out.DEPT_REVIEW
    )
    document.save()
    document.countersign_departments.set(countersign_departments)
    reviewers = _reviewers_for(document)
    if not reviewers:
        raise ValidationError("所在部门没有分管领导，无法送部门审核，请联系系统管理员。")
    permissions.grant(document, "view", users=[by])
    permissions.grant(document, ["view", "review"], users=reviewers)
    audit.record("拟稿", by=by, obj=document, to_state=document.status, comment=document.title)
    notify(reviewers, f"请审核发文稿：{document.title}", url=document.get_absolute_url())
    return document


def resubmit_outgoing(document, *, by, body=None):
    """The drafter resubmits a returned draft (optionally with a new body)."""
    if document.drafter_id != by.pk:
        raise PermissionDenied("只有拟稿人可以重新提交。")
    if body is not None:
        validate_upload(body, kinds=("word", "pdf", "ofd"))
    fields = {"body": body} if body is not None else {}
    transition(document, by=by, action="重新提交", source=[Out.DRAFT], target=Out.DEPT_REVIEW)
    if body is not None:
        document.body = body
        document.save(update_fields=["body"])
    notify(_reviewers_for(document), f"请审核发文稿：{document.title}", url=document.get_absolute_url())
    return fields


def _opinion(document, step, by, text, approved=True, department=None):
    return Opinion.objects.create(
        document=document, step=step, author=by, text=text, approved=approved, department=department
    )


def review_outgoing(document, *, by, text, approve=True):
    """部门审核 by the deputy leader in charge of the drafting department."""
    permissions.require(by, roles=[Role.DEPUTY_LEADER], obj=document, perm="review", message="您不是该稿的审核人。")
    return _decide(
        document,
        by=by,
        step=Opinion.Step.DEPT_REVIEW,
        source=Out.DEPT_REVIEW,
        target=Out.OFFICE_CHECK,
        text=text,
        approve=approve,
        next_people=role_users(Role.OFFICE_DIRECTOR),
        next_label="请核稿",
    )


def check_outgoing(document, *, by, text, approve=True):
    """办公室核稿."""
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以核稿。")
    countersign = list(document.countersign_departments.all())
    if countersign:
        target, people, label = Out.COUNTERSIGN, _members(countersign), "请会签"
        permissions.grant(document, ["view", "countersign"], departments=countersign)
    else:
        people = _signers_for(document)
        target, label = Out.SIGN_OFF, "请签发"
        permissions.grant(document, ["view", "sign_off"], users=people)
    return _decide(
        document,
        by=by,
        step=Opinion.Step.OFFICE_CHECK,
        source=Out.OFFICE_CHECK,
        target=target,
        text=text,
        approve=approve,
        next_people=people,
        next_label=label,
    )


def countersign_outgoing(document, *, by, text):
    """会签 by a member of a countersigning department; when every department has signed, on to 签发."""
    permissions.require(by, obj=document, perm="countersign", message="您所在部门不是会签部门。")
    if document.status != Out.COUNTERSIGN:
        raise TransitionNotAllowed("该稿当前不在会签阶段。")
    if document.opinions.filter(step=Opinion.Step.COUNTERSIGN, department=by.department).exists():
        raise TransitionNotAllowed("您所在部门已会签。")
    with transaction.atomic():
        _opinion(document, Opinion.Step.COUNTERSIGN, by, text, department=by.department)
        audit.record("会签", by=by, obj=document, comment=text)
        signed = document.opinions.filter(step=Opinion.Step.COUNTERSIGN).values("department")
        pending = document.countersign_departments.exclude(pk__in=signed).exists()
        if not pending:
            signers = _signers_for(document)
            permissions.grant(document, ["view", "sign_off"], users=signers)
            transition(document, by=by, action="会签完毕", source=[Out.COUNTERSIGN], target=Out.SIGN_OFF)
            notify(signers, f"请签发：{document.title}", url=document.get_absolute_url())


def sign_off(document, *, by, text, approve=True):
    """签发: by the right leader; opinion, name and full date are recorded."""
    permissions.require(by, roles=LEADERS, obj=document, perm="sign_off", message="您不是该文的签发人。")
    if (
        approve
        and document.importance != OutgoingDocument.Importance.ROUTINE
        and not has_role(by, Role.PRINCIPAL_LEADER)
    ):
        raise PermissionDenied("重要文件和上行文须由主要领导签发。")
    _decide(
        document,
        by=by,
        step=Opinion.Step.SIGN_OFF,
        source=Out.SIGN_OFF,
        target=Out.RECHECK,
        text=text,
        approve=approve,
        next_people=role_users(Role.CLERK),
        next_label="请复核",
        signer=by if approve else None,
    )


def _decide(document, *, by, step, source, target, text, approve, next_people, next_label, **fields):
    if not text.strip():
        raise ValidationError("请填写意见。")
    with transaction.atomic():
        _opinion(document, step, by, text, approved=approve)
        label = Opinion.Step(step).label
        if approve:
            transition(document, by=by, action=label, source=[source], target=target, comment=text, **fields)
        else:
            transition(document, by=by, action=f"{label}退回修改", source=[source], target=Out.DRAFT, comment=text)
    if approve:
        notify(next_people, f"{next_label}：{document.title}", url=document.get_absolute_url())
    else:
        notify([document.drafter], f"发文稿被退回修改：{document.title}", url=document.get_absolute_url(), body=text)


def recheck_outgoing(document, *, by, text):
    """复核 by the clerk before numbering."""
    permissions.require(by, roles=[Role.CLERK, Role.OFFICE_DIRECTOR], message="只有文书可以复核。")
    with transaction.atomic():
        _opinion(document, Opinion.Step.RECHECK, by, text or "复核无误")
        transition(document, by=by, action="复核", source=[Out.RECHECK], target=Out.NUMBERING, comment=text)


def number_outgoing(document, *, by):
    """编号: 发文字号 = issuer code + 〔year〕 + serial + 号, gapless per issuer code and year."""
    permissions.require(by, roles=[Role.CLERK], message="只有文书可以编号。")
    if document.status != Out.NUMBERING:
        raise TransitionNotAllowed("该文当前不能编号。")
    year = timezone.localdate().year
    with transaction.atomic():
        serial = get_next_value(f"documents.outgoing.{document.issuer_code.code}.{year}")
        doc_number = f"{document.issuer_code.code}〔{year}〕{serial}号"
        transition(
            document,
            by=by,
            action="编号",
            source=[Out.NUMBERING],
            target=Out.SEALING,
            comment=doc_number,
            year=year,
            serial=serial,
            doc_number=doc_number,
        )
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


def confirm_sealed(document, *, by):
    """用印: confirmed when a linked seal-use request is fully stamped."""
    permissions.require(by, roles=[Role.CLERK], message="只有文书可以确认用印。")
    requests = seal_requests_for(document)
    if _seals_api() is not None and not any(r.fully_stamped for r in requests):
        raise ValidationError("该文尚无已完成用印的用印申请，请先申请用印并由印章管理员登记用印。")
    numbers = "、".join(r.number for r in requests if r.fully_stamped)
    transition(document, by=by, action="用印", source=[Out.SEALING], target=Out.ISSUING, comment=numbers)


def issue_outgoing(document, *, by, copies, issued_on, proofreader):
    """印发/核发: copies, date, proofreader; 主送 and 抄送 were fixed at drafting."""
    permissions.require(by, roles=[Role.CLERK], message="只有文书可以印发。")
    if not copies or copies < 1:
        raise ValidationError("印发份数至少为 1。")
    transition(
        document,
        by=by,
        action="印发",
        source=[Out.ISSUING],
        target=Out.ISSUED,
        comment=f"{copies}份",
        copies=copies,
        issued_on=issued_on,
        proofreader=proofreader,
    )
    notify([document.drafter], f"已印发：{document.doc_number} {document.title}", url=document.get_absolute_url())


def archive_outgoing(document, *, by, retention):
    permissions.require(by, roles=[Role.CLERK, Role.OFFICE_DIRECTOR], message="只有文书可以归档。")
    year = document.year or timezone.localdate().year
    with transaction.atomic():
        number = get_next_value(f"documents.archive.{year}")
        code = archive_code_for(year, retention, number)
        transition(
            document,
            by=by,
            action="归档",
            source=[Out.ISSUED],
            target=Out.ARCHIVED,
            comment=code,
            retention=retention,
            archive_number=number,
            archive_code=code,
        )
