"""Registration at the front desk and the petition case flow of the 《信访工作条例》(2022)."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db import transaction
from django.db.models import Q
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions
from township_office.models import User
from township_office.notifications import notify
from township_office.roles import LEADERS, Role, has_role, role_users
from township_office.workflow import TransitionNotAllowed, transition

from .models import CaseProgress, Contact, PetitionCase, Representative
from .permissions import DESK

C = PetitionCase.Status
CLAIM_DAYS = 60  # 申诉求决类 handled with a 信访处理意见书: 60 days from acceptance
MAX_EXTENSION = 30


@transaction.atomic
def register_contact(*, by, data, representatives=()):
    """Register a visit, letter or call; a group visit (5 or more) keeps at most five representatives."""
    permissions.require(by, roles=DESK, message="只有信访接待员可以登记来访。")
    representatives = [r for r in representatives if r.get("name")]
    if len(representatives) > 5:
        raise ValidationError("集体访推选的代表不得超过5人。")
    if data.get("people_count", 1) >= 5 and not representatives:
        raise ValidationError("5人以上集体访请登记推选的代表（最多5人）。")
    contact = Contact.objects.create(**data, received_by=by)
    for row in representatives:
        Representative.objects.create(contact=contact, **row)
    audit.record(
        "登记" + contact.get_channel_display(),
        by=by,
        obj=contact,
        to_state=contact.status,
        comment=contact.matter[:100],
    )
    return contact


def earlier_contacts(contact):
    """重复信访: earlier contacts with the same ID number or phone."""
    same = Q(pk__in=[])
    if contact.id_number:
        same |= Q(id_number=contact.id_number)
    if contact.phone:
        same |= Q(phone=contact.phone)
    return Contact.objects.filter(same).exclude(pk=contact.pk).order_by("-received_at")


def answer_on_the_spot(contact, *, by, answer):
    permissions.require(by, roles=DESK, message="只有信访接待员可以答复。")
    if not answer.strip():
        raise ValidationError("请填写当场答复情况。")
    transition(
        contact,
        by=by,
        action="当场答复办结",
        source=[Contact.Status.OPEN],
        target=Contact.Status.ANSWERED,
        comment=answer,
        answer=answer,
    )


@transaction.atomic
def open_case(contact, *, by, petition_type, category=None, accused_department=None, accused_person=None):
    """Open a petition case from a contact. 检举控告 cases name who is accused and are hidden from them."""
    permissions.require(by, roles=DESK, message="只有信访接待员可以立为信访事项。")
    if petition_type not in PetitionCase.Type.values:
        raise ValidationError("请选择信访类型。")
    if (accused_department or accused_person) and petition_type != PetitionCase.Type.ACCUSATION:
        raise ValidationError("只有检举控告类事项登记被反映部门或被反映人。")
    transition(contact, by=by, action="转为信访事项", source=[Contact.Status.OPEN], target=Contact.Status.CASE)
    year = timezone.localdate().year
    case = PetitionCase.objects.create(
        contact=contact,
        petition_type=petition_type,
        category=category or contact.category,
        received_on=timezone.localtime(contact.received_at).date(),
        year=year,
        serial=get_next_value(f"visitors.case.{year}"),
        severity=PetitionCase.Severity.MAJOR if contact.is_group_visit else PetitionCase.Severity.MINOR,
        accused_department=accused_department,
        accused_person=accused_person,
    )
    audit.record("信访事项立案", by=by, obj=case, to_state=case.status, comment=case.get_petition_type_display())
    notify(role_users(Role.OFFICE_DIRECTOR), f"新信访事项待受理：{case.number}", url=case.get_absolute_url())
    return case


def accept(
    case,
    *,
    by,
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
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以受理信访事项。")
    if not notice_text.strip():
        raise ValidationError("请填写书面告知信访人的内容。")
    if leader is None or not has_role(leader, *LEADERS):
        raise ValidationError("请选择批示领导。")
    if severity == PetitionCase.Severity.MAJOR and not has_role(leader, Role.PRINCIPAL_LEADER):
        raise ValidationError("重大信访事项须报主要领导批示。")
    if lead_department is None:
        raise ValidationError("请选择主办部门。")
    if case.accused_department_id and lead_department.pk == case.accused_department_id:
        raise ValidationError("检举控告事项不得交被反映部门办理。")
    if leader.pk == case.accused_person_id or (
        case.accused_department_id and leader.department_id == case.accused_department_id
    ):
        raise ValidationError("检举控告事项不得由被反映人或被反映部门的领导批示，请另选批示领导。")
    today = timezone.localdate()
    if handled_with_opinion and case.petition_type == PetitionCase.Type.CLAIM:
        limit = today + timedelta(days=CLAIM_DAYS)
        deadline = min(deadline, limit) if deadline else limit
    if deadline is None:
        raise ValidationError("请填写办理时限。")
    if case.petition_type == PetitionCase.Type.ACCUSATION:
        forwarded_to = forwarded_to or "镇纪委（纪检监察）"
    elif case.category == "legal":
        forwarded_to = forwarded_to or "镇政法委员会（政法机关）"
    support_departments = [
        d for d in support_departments if d != lead_department and d.pk != case.accused_department_id
    ]
    with transaction.atomic():
        transition(
            case,
            by=by,
            action="受理并交办",
            source=[C.REGISTERED],
            target=C.INSTRUCTING,
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
        permissions.grant(case, ["view", "instruct"], users=[leader])
        permissions.grant(case, ["view", "handle"], departments=[lead_department, *support_departments])
        if forwarded_to:
            audit.record("转送", by=by, obj=case, comment=forwarded_to)
    notify([leader], f"请批示信访事项：{case.number}", url=case.get_absolute_url())


def decline(case, *, by, notice_text):
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以决定不予受理。")
    if not notice_text.strip():
        raise ValidationError("不予受理须书面告知信访人并说明理由。")
    transition(
        case,
        by=by,
        action="不予受理",
        source=[C.REGISTERED],
        target=C.DECLINED,
        comment=notice_text,
        notice_text=notice_text,
        notice_sent_on=timezone.localdate(),
    )


def instruct(case, *, by, text):
    permissions.require(by, roles=LEADERS, obj=case, perm="instruct", message="您不是该事项的批示领导。")
    if not text.strip():
        raise ValidationError("请填写批示内容。")
    transition(
        case,
        by=by,
        action="领导批示",
        source=[C.INSTRUCTING],
        target=C.HANDLING,
        comment=text,
        instruction=text,
        instructed_at=timezone.now(),
    )
    members = User.objects.filter(department=case.lead_department, is_active=True)
    notify(members, f"请办理信访事项：{case.number}", url=case.get_absolute_url(), body=text)


def _require_handler(case, user):
    permissions.require(
        user, roles=[Role.DEPARTMENT_STAFF], obj=case, perm="handle", message="该事项未交您所在部门办理。"
    )


def report_progress(case, *, by, text):
    _require_handler(case, by)
    if case.status != C.HANDLING:
        raise TransitionNotAllowed("该事项不在办理中。")
    if not text.strip():
        raise ValidationError("请填写办理进展。")
    CaseProgress.objects.create(case=case, department=by.department, author=by, text=text)
    audit.record("报告办理进展", by=by, obj=case, comment=text)
    notify(role_users(Role.OFFICE_DIRECTOR), f"信访事项有新进展：{case.number}", url=case.get_absolute_url(), body=text)


def request_extension(case, *, by, days, reason):
    """One extension of at most 30 days, asked by the office, approved by the instructing leader."""
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以申请延期。")
    if case.extension_days or case.extension_requested_days:
        raise ValidationError("办理期限只能延长一次。")
    if not 1 <= days <= MAX_EXTENSION:
        raise ValidationError("延期不得超过30日。")
    if not reason.strip():
        raise ValidationError("请写明延期理由（将告知信访人）。")
    if case.status != C.HANDLING:
        raise TransitionNotAllowed("只有办理中的事项可以申请延期。")
    PetitionCase.objects.filter(pk=case.pk).update(extension_requested_days=days, extension_reason=reason)
    audit.record("申请延期", by=by, obj=case, comment=f"{days}日：{reason}")
    notify([case.instructing_leader], f"请审批信访事项延期：{case.number}", url=case.get_absolute_url())


def approve_extension(case, *, by):
    permissions.require(by, roles=LEADERS, obj=case, perm="instruct", message="只有批示领导可以批准延期。")
    days = case.extension_requested_days
    changed = PetitionCase.objects.filter(
        pk=case.pk, status=C.HANDLING, extension_days=0, extension_requested_days__gt=0
    ).update(extension_days=days, extension_approved_by=by)
    if changed != 1:
        raise TransitionNotAllowed("没有待批准的延期申请。")
    audit.record("批准延期", by=by, obj=case, comment=f"延长{days}日，理由已告知信访人：{case.extension_reason}")


def report_up(case, *, by, text):
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以向上级报告。")
    if case.status != C.HANDLING:
        raise TransitionNotAllowed("只有办理中的事项可以向上级报告办理情况。")
    if not text.strip():
        raise ValidationError("请填写报告内容。")
    PetitionCase.objects.filter(pk=case.pk).update(report_up=text)
    audit.record("向上级报告办理情况", by=by, obj=case, comment=text)


def reply(case, *, by, text):
    """答复意见 / 处理意见书 to the petitioner, in writing."""
    permissions.require(by, roles=[Role.OFFICE_DIRECTOR], message="只有办公室主任可以答复信访人。")
    if not text.strip():
        raise ValidationError("请填写答复意见。")
    transition(
        case,
        by=by,
        action="书面答复",
        source=[C.HANDLING],
        target=C.REPLIED,
        comment=text,
        reply_text=text,
        replied_on=timezone.localdate(),
    )


def close(case, *, by, satisfaction):
    permissions.require(by, roles=DESK, message="只有办公室可以办结。")
    if satisfaction not in ("satisfied", "basic", "unsatisfied"):
        raise ValidationError("请选择信访人满意度。")
    transition(
        case, by=by, action="办结", source=[C.REPLIED], target=C.CLOSED, comment=satisfaction, satisfaction=satisfaction
    )


def record_review_request(case, *, by, kind, requested_on, result=""):
    """复查 (then 复核) asked within 30 days of the reply; decided by the level above within 30 days."""
    permissions.require(by, roles=DESK, message="只有办公室可以登记复查申请。")
    if case.replied_on is None:
        raise TransitionNotAllowed("尚未答复的事项不能申请复查。")
    if requested_on > case.review_due:
        raise ValidationError(f"已超过答复后30日的复查申请期限（{case.review_due:%Y年%m月%d日}），依法不再受理。")
    PetitionCase.objects.filter(pk=case.pk).update(
        review_kind=kind, review_requested_on=requested_on, review_result=result
    )
    audit.record("登记复查（复核）申请", by=by, obj=case, comment=f"{kind} {requested_on} {result}")
