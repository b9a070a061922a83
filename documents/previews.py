"""The attachments of this app shown in the page (township_office.preview): 收文 attachments and the 发文 正文."""

from django.shortcuts import get_object_or_404
from django.urls import reverse

from township_office import preview

from . import services
from .models import Attachment
from .permissions import get_incoming_for_user, get_outgoing_for_user


def incoming_attachment(user, ref):
    attachment = get_object_or_404(Attachment.objects.select_related("document"), pk=int(ref))
    attachment.document = get_incoming_for_user(user, attachment.document.code)  # Http404 without a grant
    return describe_attachment(user, attachment)


def describe_attachment(user, attachment):
    document = attachment.document
    return preview.PreviewFile(
        file=attachment.file,
        name=attachment.name,
        download_url=reverse("documents:incoming_attachment", args=[document.code, attachment.pk]),
        record_read=lambda: services.record_restricted_read(user, document),
    )


def outgoing_body(user, ref):
    return describe_outgoing(user, get_outgoing_for_user(user, ref))


def describe_outgoing(user, document):
    suffix = document.body.name[document.body.name.rfind(".") :] if "." in document.body.name else ""
    return preview.PreviewFile(
        file=document.body,
        name=f"{document.title}{suffix}",
        download_url=reverse("documents:outgoing_body", args=[document.code]),
        record_read=lambda: _outgoing_read(user, document),
    )


def _outgoing_read(user, document):
    services.record_restricted_read(user, document)
    services.record_delivery_read(user, document)


preview.register("incoming-attachment", incoming_attachment, describe=describe_attachment, label="收文附件")
preview.register("outgoing-body", outgoing_body, describe=describe_outgoing, label="发文正文")
