"""Reception plan approval and closing."""

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.base import ContentFile
from django.db import transaction
from django.utils import timezone

from township_office import audit, permissions
from township_office.notifications import notify
from township_office.roles import OFFICE, Role, has_role, role_users
from township_office.workflow import TransitionNotAllowed, transition

from . import rules
from .models import Material, Reception

S = Reception.Status


def require_office(user):
    permissions.require(user, roles=OFFICE, message="只有党政办公室可以编制接待方案。")


def approvers_for(reception):
    return list(role_users(Role.PRINCIPAL_LEADER if reception.is_major else Role.OFFICE_DIRECTOR))


def grant_participants(reception):
    """Accompanying leaders and departments preparing materials see the reception."""
    permissions.grant(reception, "view", users=list(reception.accompanying_leaders.all()))
    departments = {m.department for m in reception.materials.select_related("department")}
    departments |= {i.department for i in reception.itinerary.select_related("department") if i.department}
    if departments:
        permissions.grant(reception, "view", departments=list(departments))


def submit(reception, *, by):
    """Submit the plan for approval; every rule is checked first."""
    require_office(by)
    problems = rules.breaches(reception)
    if problems:
        raise ValidationError(problems)
    approvers = approvers_for(reception)
    with transaction.atomic():
        transition(reception, by=by, action="提交接待方案", source=[S.DRAFT], target=S.PENDING)
        permissions.grant(reception, ["view", "approve"], users=approvers)
        grant_participants(reception)
    notify(approvers, f"请审批接待方案：{reception}", url=reception.get_absolute_url())


def approve(reception, *, by, comment=""):
    """Major receptions by a principal leader, others by the office director; the rules are checked again."""
    role = Role.PRINCIPAL_LEADER if reception.is_major else Role.OFFICE_DIRECTOR
    who = "主要领导" if reception.is_major else "办公室主任"
    permissions.require(by, roles=[role], obj=reception, perm="approve", message=f"该接待方案须由{who}审批。")
    problems = rules.breaches(reception)
    if problems:
        raise ValidationError(problems)
    transition(
        reception,
        by=by,
        action="批准接待方案",
        source=[S.PENDING],
        target=S.APPROVED,
        comment=comment,
        approved_by=by,
        approved_at=timezone.now(),
    )
    notify(
        [reception.created_by, *reception.accompanying_leaders.all()],
        f"接待方案已批准：{reception}",
        url=reception.get_absolute_url(),
    )


def send_back(reception, *, by, reason):
    role = Role.PRINCIPAL_LEADER if reception.is_major else Role.OFFICE_DIRECTOR
    permissions.require(by, roles=[role], obj=reception, perm="approve", message="您不是该接待方案的审批人。")
    if not reason.strip():
        raise ValidationError("退回时请写明理由。")
    transition(reception, by=by, action="退回接待方案", source=[S.PENDING], target=S.DRAFT, comment=reason)
    notify([reception.created_by], f"接待方案被退回：{reception}", url=reception.get_absolute_url(), body=reason)


def plan_changed(reception, *, by, what):
    """Any change after approval sends the plan back for approval."""
    if reception.status == S.APPROVED:
        transition(
            reception,
            by=by,
            action="审批后修改方案，重新报批",
            source=[S.APPROVED],
            target=S.PENDING,
            comment=what,
            approved_by=None,
            approved_at=None,
        )
        notify(approvers_for(reception), f"接待方案已修改，请重新审批：{reception}", url=reception.get_absolute_url())
    else:
        audit.record("修改接待方案", by=by, obj=reception, comment=what)


def require_editable(reception, user):
    require_office(user)
    if reception.status in (S.CLOSED, S.CANCELLED):
        raise TransitionNotAllowed("已结算或已取消的接待不能修改。")


def finish_material(material, *, by):
    if not (has_role(by, *OFFICE) or by.department_id == material.department_id):
        raise PermissionDenied("该材料不由您所在部门承担。")
    changed = Material.objects.filter(pk=material.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=by)
    if changed != 1:
        raise TransitionNotAllowed("该材料已标记完成。")
    audit.record("接待材料已完成", by=by, obj=material.reception, comment=material.title)


def close(reception, *, by, costs, attendees, invoices):
    """Closing: actual attendees and costs; the three papers — invoices, the 公函, the 接待清单 — must be attached."""
    require_office(by)
    if reception.status != S.APPROVED:
        raise TransitionNotAllowed("只有已批准的接待可以结算。")
    if not invoices and not reception.invoices:
        raise ValidationError("报销须附发票。")
    if not reception.letter_scan:
        raise ValidationError("报销须附来访单位公函。")
    from .pdf import reception_list

    with transaction.atomic():
        for field, value in costs.items():
            setattr(reception, field, value)
        reception.actual_attendees = attendees
        if invoices:
            reception.invoices = invoices
        reception.save(update_fields=[*costs, "actual_attendees", "invoices"])
        content = reception_list(reception)
        reception.reception_list.save(f"接待清单-{reception.code}.pdf", ContentFile(content), save=False)
        transition(
            reception,
            by=by,
            action="接待结算",
            source=[S.APPROVED],
            target=S.CLOSED,
            comment=f"合计 {reception.total_cost} 元",
            reception_list=reception.reception_list.name,
            closed_at=timezone.now(),
        )


def cancel(reception, *, by, reason):
    require_office(by)
    if not reason.strip():
        raise ValidationError("请写明取消原因。")
    transition(
        reception, by=by, action="取消接待", source=[S.DRAFT, S.PENDING, S.APPROVED], target=S.CANCELLED, comment=reason
    )
