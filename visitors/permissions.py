from django.db.models import Q

from township_office import permissions
from township_office.roles import Role, has_role

from . import rules
from .models import Contact, PetitionCase

ROLE_PERMISSIONS = {
    Role.FRONT_DESK: ["visitors.add_contact", "visitors.view_contact", "visitors.add_petitioncase"],
    Role.OFFICE_DIRECTOR: ["visitors.view_contact", "visitors.view_petitioncase", "visitors.add_petitioncase"],
}
DESK = (Role.FRONT_DESK, Role.OFFICE_DIRECTOR)


def sees_full_id(user):
    """Only the front desk and the office director may see a full ID number (each viewing audited)."""
    return has_role(user, *DESK)


def visible_contacts(user):
    """Front desk and office director see every registration but the drafts of others; a contact that became an
    accusation is never visible to the accused (the person, the members of the department, its 分管 leaders)."""
    if not getattr(user, "is_authenticated", False):
        return Contact.objects.none()
    scope = Q(pk__isnull=False) if has_role(user, *DESK) else None
    accused = PetitionCase.objects.filter(rules.hidden_cases(user)).values("contact_id")
    hidden = Q(pk__in=accused) | (Q(status=Contact.Status.DRAFT) & ~Q(received_by=user.pk))
    return permissions.visible(user, Contact.objects.all(), "view", role_scope=scope, hidden=hidden)


def get_contact_for_user(user, code):
    return permissions.get_for_user(user, visible_contacts(user), code=code)


def visible_cases(user):
    """Front desk and office director see every case; leaders and departments what is routed to them. An
    accusation is never visible to the accused person, the members of the accused department or the leaders in
    charge of it (分管), whatever the grants."""
    if not getattr(user, "is_authenticated", False):
        return PetitionCase.objects.none()
    scope = Q(pk__isnull=False) if has_role(user, *DESK) else None
    return permissions.visible(
        user, PetitionCase.objects.all(), "view", role_scope=scope, hidden=rules.hidden_cases(user)
    )


def get_case_for_user(user, code):
    # The people and departments the page names (来源登记, 批示领导, 主办部门, 被反映部门, 被反映人) come with the case.
    cases = visible_cases(user).select_related(
        "contact", "instructing_leader", "lead_department", "accused_department", "accused_person"
    )
    return permissions.get_for_user(user, cases, code=code)
