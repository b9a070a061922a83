from django.db.models import Q

from township_office import permissions
from township_office.roles import OFFICE, Role, has_role

from .models import Reception

ROLE_PERMISSIONS = {
    Role.OFFICE_DIRECTOR: [
        "reception.add_reception",
        "reception.change_reception",
        "reception.view_reception",
        "reception.approve_reception",
    ],
    Role.CLERK: ["reception.add_reception", "reception.change_reception", "reception.view_reception"],
    Role.SYSTEM_ADMIN: ["reception.add_meetingroom", "reception.change_meetingroom", "reception.view_meetingroom"],
}


def may_see_totals(user):
    """接待费用统计: the office and the principal leaders."""
    return has_role(user, *OFFICE, Role.PRINCIPAL_LEADER)


def visible_receptions(user):
    """The office sees every reception; leaders and departments those they accompany, approve or prepare for."""
    scope = Q(pk__isnull=False) if has_role(user, *OFFICE) else None
    return permissions.visible(user, Reception.objects.all(), "view", role_scope=scope)


def get_reception_for_user(user, code):
    return permissions.get_for_user(
        user, visible_receptions(user).select_related("created_by", "approved_by"), code=code
    )
