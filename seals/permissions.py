from django.db.models import Exists, OuterRef, Q

from township_office import permissions
from township_office.roles import Role, has_role

from .models import IntroductionLetter, SealRequest

ROLE_PERMISSIONS = {
    Role.SYSTEM_ADMIN: [
        "seals.add_seal",
        "seals.change_seal",
        "seals.view_seal",
        "seals.view_sealstatuschange",
    ],
    Role.DEPARTMENT_STAFF: ["seals.add_sealrequest", "seals.add_introductionletter"],
    Role.CLERK: ["seals.add_sealrequest", "seals.add_introductionletter"],
    Role.SEAL_KEEPER: ["seals.view_stamping"],
    Role.OFFICE_DIRECTOR: [
        "seals.view_sealrequest",
        "seals.view_stamping",
        "seals.add_sealrequest",
        "seals.add_introductionletter",
    ],
}

# Who may apply for seal use and letters. The office director may too: the chain then skips her (she never
# approves her own request) and the principal leader decides.
APPLICANT_ROLES = (Role.DEPARTMENT_STAFF, Role.CLERK, Role.OFFICE_DIRECTOR)
REGISTER_ROLES = (Role.SEAL_KEEPER, Role.OFFICE_DIRECTOR)


def visible_requests(user):
    """The office director sees every submitted request; a custodian the approved ones for the seals in their
    keeping (and, by the grant the approval gives, any they were asked to stamp); applicants and approvers by
    grant. A draft is its applicant's alone."""
    S = SealRequest.Status
    scope = None
    if has_role(user, Role.OFFICE_DIRECTOR):
        scope = ~Q(status=S.DRAFT)
    elif has_role(user, Role.SEAL_KEEPER):
        kept = SealRequest.seals.through.objects.filter(sealrequest=OuterRef("pk"), seal__custodians=user.pk)
        scope = Q(status__in=[S.APPROVED, S.STAMPED]) & Q(Exists(kept))
    return permissions.visible(user, SealRequest.objects.all(), "view", role_scope=scope)


def get_request_for_user(user, code):
    return permissions.get_for_user(user, visible_requests(user).select_related("applicant", "department"), code=code)


def visible_letters(user):
    scope = Q(pk__isnull=False) if has_role(user, Role.OFFICE_DIRECTOR, Role.SEAL_KEEPER) else None
    return permissions.visible(user, IntroductionLetter.objects.all(), "view", role_scope=scope)


def get_letter_for_user(user, code):
    return permissions.get_for_user(user, visible_letters(user), code=code)
