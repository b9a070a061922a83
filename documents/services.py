"""Data-changing services of the documents app that are not steps: registering a 收文, starting a 发文."""

from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions
from township_office.roles import Role, has_role, role_users
from township_office.uploads import validate_upload

from . import workflow
from .models import Attachment, Delivery, IncomingDocument, OutgoingDocument
from .workflow.common import refuse_state_secret


def next_incoming_serial(year):
    """Gapless per year: taken inside the registering transaction, so a rollback gives it back."""
    return get_next_value(f"documents.incoming.{year}")


@transaction.atomic
def register_incoming(*, by, data, files=()):
    """签收 and 登记 a file or a phone notice. ``data`` is a form's cleaned_data (model fields)."""
    workflow.incoming.start.require(by)
    refuse_state_secret(data.get("secrecy"))
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
    if document.is_restricted:
        # 内部 / 工作秘密 files reach nobody by role: the registering clerk and the office director(s)
        # are granted explicitly; everyone else is granted at routing.
        permissions.grant(document, "view", users=[by, *role_users(Role.OFFICE_DIRECTOR)])
    action = "登记电话记录" if document.kind == IncomingDocument.Kind.PHONE else "签收登记"
    audit.record(action, by=by, obj=document, to_state=document.status, comment=document.number)
    workflow.register(document, by=by)
    return document


@transaction.atomic
def draft_outgoing(*, by, data, body=None, countersign_departments=(), recipient_departments=(), submit=True):
    """拟稿 by department staff: the draft is kept with the drafter (保存草稿), or at once submitted for the
    department's review (the 提交 step; a refusal there undoes the draft too, and the form shows why)."""
    workflow.outgoing.start.require(by)
    refuse_state_secret(data.get("secrecy"))
    if body:
        validate_upload(body, kinds=("word", "pdf", "ofd"))
    document = OutgoingDocument(
        **data, drafting_department=by.department, drafter=by, body=body or "", status=OutgoingDocument.Status.DRAFT
    )
    document.save()
    document.countersign_departments.set(countersign_departments)
    document.recipient_departments.set(recipient_departments)
    workflow.keep_version(document, by=by)
    audit.record("拟稿", by=by, obj=document, to_state=document.status, comment=document.title)
    workflow.start_draft(document, by=by)
    if submit:
        workflow.submit(document, by=by)
    return document


def record_restricted_read(user, document):
    """Reading a restricted (内部 / 工作秘密) file is a sensitive read: audited each time."""
    if document.is_restricted:
        audit.record("查阅内部文件", by=user, obj=document, comment=document.get_secrecy_display())


def record_delivery_read(user, document):
    """A member of a recipient department opens the 发文 (its page with the 正文, the viewer or the download)
    after the department signed for it: the first such reading is kept (who and when), later ones are not."""
    department = getattr(user, "department_id", None)
    if not department or document.status not in (OutgoingDocument.Status.ISSUED, OutgoingDocument.Status.ARCHIVED):
        return 0
    return Delivery.objects.filter(
        outgoing=document, department=department, signed_at__isnull=False, first_read_at__isnull=True
    ).update(first_read_at=timezone.now(), first_read_by=user)


def can_batch_print(user):
    """批量打印收文处理笺 is office work; leaders and departments open the files one by one."""
    return has_role(user, Role.CLERK, Role.OFFICE_DIRECTOR)
