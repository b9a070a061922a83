"""The rules of the 《信访工作条例》(2022) the forms and the steps share: complete registrations, deadlines,
who may instruct, and who an accusation must never reach."""

from datetime import timedelta

from django.core.exceptions import ValidationError
from django.db.models import Q

from township_office.roles import LEADERS, Role, has_role

from .idnumber import normalise_id_number
from .models import Contact, PetitionCase
from .phones import normalise_phone

# Days to handle a case from acceptance, by type. The 条例 sets 60 days for a 申诉求决类 matter handled with a
# 信访处理意见书 (Art. 35), extended once by at most 30 days (Art. 35); the office applies the same 60 days as
# the longest time for the other types. The 办理时限 is pre-filled with these and may be shortened, never
# lengthened (the one extension is a separate, approved step).
DEADLINE_DAYS = {
    PetitionCase.Type.CLAIM: 60,
    PetitionCase.Type.SUGGESTION: 60,
    PetitionCase.Type.ACCUSATION: 60,
}
CLAIM_DAYS = DEADLINE_DAYS[PetitionCase.Type.CLAIM]
MAX_EXTENSION = 30
NOTICE_DAYS = 15

CONTACT_FIELDS = [
    "channel",
    "received_at",
    "name",
    "gender",
    "id_number",
    "phone",
    "address",
    "people_count",
    "category",
    "matter",
]
# What a 来信 records besides (its own form: no 集体访代表, the 来信人's address, postmark and scan).
LETTER_FIELDS = [name for name in CONTACT_FIELDS if name not in ("channel", "people_count")] + ["postmark_date"]
LETTER_SCAN_KINDS = ("pdf", "image", "ofd")


# --- Registration ----------------------------------------------------------------------------------------------


def normalise_contact_data(data):
    """ID number and phone as stored and compared (full-width digits, spaces and dashes folded)."""
    data = dict(data)
    if data.get("id_number"):
        data["id_number"] = normalise_id_number(data["id_number"])
    if data.get("phone"):
        data["phone"] = normalise_phone(data["phone"])
    return data


def missing(data, representatives=()):
    """What a registration still lacks before it can be submitted: {field: reason}."""
    errors = {}
    if not (data.get("name") or "").strip():
        errors["name"] = "请填写姓名。"
    if not (data.get("matter") or "").strip():
        errors["matter"] = "请填写反映问题。"
    if data.get("channel") == Contact.Channel.VISIT and not data.get("id_number"):
        errors["id_number"] = "来访请登记身份证号。"
    if data.get("channel") == Contact.Channel.LETTER and not (data.get("address") or "").strip():
        errors["address"] = "来信请登记来信人地址，以便书面答复。"
    elif not data.get("phone") and not data.get("address"):
        errors["phone"] = "请至少留下联系电话或住址，以便答复。"
    named = [r for r in representatives if r.get("name")]
    if len(named) > 5:
        errors["people_count"] = "集体访推选的代表不得超过5人。"
    elif (data.get("people_count") or 1) >= 5 and not named:
        errors["people_count"] = "5人以上集体访请登记推选的代表（最多5人）。"
    return errors


def check_complete(data, representatives=()):
    errors = missing(data, representatives)
    if errors:
        raise ValidationError(errors)


# --- Acceptance ------------------------------------------------------------------------------------------------


def leader_roles(severity):
    """Who may instruct: a major matter (集体访, 越级 risk, public safety) a principal leader; a minor one any leader
    (the deputy in charge). The 受理 form, the 批示 step and 转交 all ask this one function."""
    if severity == PetitionCase.Severity.MAJOR:
        return (Role.PRINCIPAL_LEADER,)
    return LEADERS


def deadline_limit(case, today):
    return today + timedelta(days=DEADLINE_DAYS.get(case.petition_type, CLAIM_DAYS))


def check_deadline(case, deadline, today):
    limit = deadline_limit(case, today)
    if deadline is None:  # as the form pre-fills it
        return limit
    if deadline < today:
        raise ValidationError({"deadline": "办理时限不能早于今天。"})
    if deadline > limit:
        raise ValidationError(
            {
                "deadline": f"{case.get_petition_type_display()}办理时限自受理之日起不超过{(limit - today).days}日"
                f"（最迟{limit:%Y年%m月%d日}），需要更长时间请在办理中申请延期。"
            }
        )
    return deadline


def leader_refusal(case, leader, severity):
    """Why ``leader`` cannot be asked to instruct ``case`` (or None)."""
    if leader is None:
        return "请选择批示领导。"
    if not leader.is_active:
        return f"{leader} 的账号已停用，不能批示。"
    if not has_role(leader, *leader_roles(severity)):
        if severity == PetitionCase.Severity.MAJOR:
            return "重大信访事项须报主要领导批示。"
        return f"{leader} 不是镇领导，不能批示。"
    if is_accused(case, leader):
        return "检举控告事项不得由被反映人或被反映部门的分管领导批示，请另选批示领导。"
    return None


def department_refusal(case, department):
    if department is not None and department.pk in accused_department_ids(case):
        return f"检举控告事项不得交被反映部门（或被反映人所在部门）{department}办理。"
    return None


def check_acceptance(
    case,
    *,
    notice_text,
    severity,
    leader,
    lead_department,
    support_departments,
    deadline,
    handled_with_opinion,
    today,
):
    """Everything 受理并交办 needs; returns the deadline. Errors by field, so the form shows each beside it."""
    errors = {}
    if not (notice_text or "").strip():
        errors["notice_text"] = "请填写书面告知信访人的内容。"
    reason = leader_refusal(case, leader, severity)
    if reason:
        errors["leader"] = reason
    if lead_department is None:
        errors["lead_department"] = "请选择主办部门。"
    else:
        reason = department_refusal(case, lead_department)
        if reason:
            errors["lead_department"] = reason
    for department in support_departments:
        reason = department_refusal(case, department)
        if reason:
            errors["support_departments"] = reason
    for department in [lead_department, *support_departments]:
        if department is not None and not department.members.filter(is_active=True).exists():
            errors.setdefault(
                "support_departments" if department != lead_department else "lead_department",
                f"{department} 没有可用的用户账号，无法办理，请联系系统管理员开通账号。",
            )
    try:
        deadline = check_deadline(case, deadline, today)
    except ValidationError as error:
        errors.update(error.message_dict)
    if errors:
        raise ValidationError(errors)
    return deadline


# --- Accusations: never given to, shown to or counted for the accused --------------------------------------


def accused_department_ids(case):
    """The departments an accusation must not reach: the accused department and the accused person's."""
    if case.petition_type != PetitionCase.Type.ACCUSATION:
        return set()
    ids = set()
    if case.accused_department_id:
        ids.add(case.accused_department_id)
    if case.accused_person_id and case.accused_person.department_id:
        ids.add(case.accused_person.department_id)
    return ids


def in_charge_ids(user):
    """The departments ``user`` is in charge of (分管), cached on the user for the request."""
    cached = getattr(user, "_in_charge_ids", None)
    if cached is None:
        from township_office.models import Department

        if not getattr(user, "is_authenticated", False):
            cached = []
        else:
            cached = list(Department.objects.filter(leaders_in_charge__user=user.pk).values_list("pk", flat=True))
        user._in_charge_ids = cached
    return cached


def accused_scope(user):
    """The departments whose accusations ``user`` must never see: their own and those they are in charge of."""
    ids = set(in_charge_ids(user))
    if getattr(user, "department_id", None):
        ids.add(user.department_id)
    return ids


def is_accused(case, user):
    """Is ``user`` the accused person, a member of the accused department or a leader in charge of it?"""
    if case.petition_type != PetitionCase.Type.ACCUSATION or user is None:
        return False
    if case.accused_person_id and case.accused_person_id == user.pk:
        return True
    return bool(case.accused_department_id and case.accused_department_id in accused_scope(user))


def hidden_cases(user, prefix=""):
    """A Q of the cases ``user`` must never see, whatever grants or role they hold."""
    return Q(**{f"{prefix}petition_type": PetitionCase.Type.ACCUSATION}) & (
        Q(**{f"{prefix}accused_person": user.pk})
        | Q(**{f"{prefix}accused_department__in": sorted(accused_scope(user))})
    )
