"""Data-changing services of the documents app that are not status transitions."""

from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions
from township_office.roles import Role, has_role, role_users
from township_office.uploads import validate_upload

from .models import Attachment, IncomingDocument


def next_incoming_serial(year):
    """Gapless per year: taken inside the registering transaction, so a rollback gives it back."""
    return get_next_value(f"documents.incoming.{year}")


@transaction.atomic
def register_incoming(*, by, data, files=()):
    """签收 and 登记 a file or a phone notice. ``data`` is a form's cleaned_data (model fields)."""
    permissions.require(by, roles=[Role.CLERK, Role.OFFICE_DIRECTOR], message="只有文书或办公室主任可以登记收文。")
    for upload in files:
        validate_upload(upload)
    received = data.get("signed_for_at") or timezone.now()
    year = timezone.localtime(received).year
    document = IncomingDocument(**data, year=year, serial=next_incoming_serial(year), registered_by=by)
    document.save()
    for upload in files:
        Attachment.objects.create(
            document=document, file=upload, name=upload.name[:200], kind=validate_upload(upload), uploaded_by=by
        )
    if document.is_secret:
        # Secret files reach nobody by role: the registering clerk and the office director(s)
        # are granted explicitly; everyone else is granted at routing.
        permissions.grant(document, "view", users=[by, *role_users(Role.OFFICE_DIRECTOR)])
    action = "登记电话记录" if document.kind == IncomingDocument.Kind.PHONE else "签收登记"
    audit.record(action, by=by, obj=document, to_state=document.status, comment=document.number)
    return document


def record_secret_read(user, document):
    """Reading a secret file is a sensitive read: audited each time."""
    if document.is_secret:
        audit.record("查阅涉密文件", by=user, obj=document, comment=document.get_secrecy_display())


def can_register(user):
    return has_role(user, Role.CLERK, Role.OFFICE_DIRECTOR)
