"""Who sees which documents, and the role model permissions of the documents app."""

from django.db.models import Q
from django.http import Http404

from township_office import permissions
from township_office.roles import OFFICE, Role, has_role

from .models import Delivery, IncomingDocument, OutgoingDocument, Secrecy, SecretCopy, SecretEntry

ROLE_PERMISSIONS = {
    Role.CLERK: [
        "documents.add_incomingdocument",
        "documents.view_incomingdocument",
        "documents.view_outgoingdocument",
    ],
    Role.OFFICE_DIRECTOR: [
        "documents.add_incomingdocument",
        "documents.view_incomingdocument",
        "documents.view_outgoingdocument",
    ],
    Role.DEPARTMENT_STAFF: ["documents.add_outgoingdocument"],
}


def visible_incoming(user):
    """Office roles see every non-secret file; others what was routed to them; secret files only by grant."""
    role_scope = Q(secrecy=Secrecy.NONE) if has_role(user, *OFFICE) else None
    return permissions.visible(user, IncomingDocument.objects.all(), "view", role_scope=role_scope)


def get_incoming_for_user(user, code):
    return permissions.get_for_user(
        user, visible_incoming(user).select_related("registered_by", "proposal_by"), code=code
    )


def visible_outgoing(user):
    """Office roles see every non-secret draft; drafters, reviewers and signers by grant."""
    role_scope = Q(secrecy=Secrecy.NONE) & ~Q(status=OutgoingDocument.Status.DRAFT) if has_role(user, *OFFICE) else None
    return permissions.visible(user, OutgoingDocument.objects.all(), "view", role_scope=role_scope)


def get_outgoing_for_user(user, code):
    # What the page shows of the draft (代字, 拟稿, 签发) comes with it.
    outgoing = visible_outgoing(user).select_related("issuer_code", "drafting_department", "drafter", "signer")
    return permissions.get_for_user(user, outgoing, code=code)


# --- 密件登记 -------------------------------------------------------------------------------------------------
# The register office (文书, 办公室主任) keeps the register and sees all of it; anyone else sees the entries and
# the copies they hold, held, are asked to receive or witnessed (a grant given by the step that named them).
REGISTER_KEEPERS = (Role.CLERK, Role.OFFICE_DIRECTOR)


def keeps_register(user):
    return has_role(user, *REGISTER_KEEPERS)


def visible_secret_entries(user):
    role_scope = Q(pk__isnull=False) if keeps_register(user) else None  # the whole register
    return permissions.visible(user, SecretEntry.objects.all(), "view", role_scope=role_scope)


def get_secret_entry_for_user(user, code):
    return permissions.get_for_user(user, visible_secret_entries(user), code=code)


def visible_secret_copies(user):
    role_scope = Q(pk__isnull=False) if keeps_register(user) else None  # the whole register
    return permissions.visible(user, SecretCopy.objects.all(), "view", role_scope=role_scope)


def get_secret_copy_for_user(user, code):
    return permissions.get_for_user(
        user, visible_secret_copies(user).select_related("entry", "holder", "pending_to", "pending_by"), code=code
    )


def sees_all_deliveries(user, document):
    """Who received an issued 发文, who signed and read it: the issuing office (office director, clerk) and the
    drafter see every department's row; anyone else at most their own department's."""
    return has_role(user, *OFFICE) or document.drafter_id == user.pk


def reads_as_recipient(user, document):
    """A member of a department the 发文 was delivered to who had no part in making it: they see the issued
    document, its 文号 and their own 签收, never the office's file (opinions, 流转记录, 稿纸, drafts, 原稿)."""
    if sees_all_deliveries(user, document) or document.signer_id == user.pk:
        return False
    department = getattr(user, "department_id", None)
    if not department or delivery_of_department(document, department) is None:
        return False
    return not document.opinions.filter(Q(author=user) | Q(department=department)).exists()


def delivery_of_department(document, department):
    """The delivery of ``document`` to ``department`` (None when there is none), read once per request."""
    cache = document.__dict__.setdefault("_deliveries", {})
    if department not in cache:
        cache[department] = (
            document.deliveries.filter(department=department).select_related("department").first()
            if department
            else None
        )
    return cache[department]


def get_outgoing_file_for_user(user, code):
    """The 发文 for its office's file (稿纸, 原稿, versions): 404 to a recipient, as to anyone without access."""
    document = get_outgoing_for_user(user, code)
    if reads_as_recipient(user, document):
        raise Http404("未找到该发文")
    return document


def deliveries_for(user, document):
    """The delivery rows of ``document`` the user may read (one query)."""
    rows = document.deliveries.select_related("department", "signed_by", "first_read_by", "paper_recorded_by")
    if sees_all_deliveries(user, document):
        return rows
    return rows.filter(department=user.department_id) if getattr(user, "department_id", None) else rows.none()


def received_by_department(user):
    """下发文件: the deliveries to the user's department of the 发文 the user may see, latest first."""
    department = getattr(user, "department_id", None)
    if not department:
        return Delivery.objects.none()
    return Delivery.objects.filter(department=department, outgoing__in=visible_outgoing(user).values("pk"))
