"""The attachments of this app shown in the page (township_office.preview): 收文 attachments and the 发文 正文."""

from django.http import Http404
from django.shortcuts import get_object_or_404
from django.urls import reverse

from township_office import preview

from . import official, services
from .models import Attachment
from .permissions import get_incoming_for_user, get_outgoing_for_user, reads_as_recipient


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


def original_for_user(user, code):
    """The 发文 whose 原稿 ``user`` may open: a composed 发文's 原稿 is the office's (404 to a recipient); an older
    发文's uploaded 正文 is what it issued, for everyone who may read it."""
    document = get_outgoing_for_user(user, code)
    if official.is_composed(document) and reads_as_recipient(user, document):
        raise Http404("未找到该发文的原稿")
    return document


def outgoing_body(user, ref):
    return describe_outgoing(user, original_for_user(user, ref))


def describe_outgoing(user, document):
    suffix = document.body.name[document.body.name.rfind(".") :] if "." in document.body.name else ""
    return preview.PreviewFile(
        file=document.body,
        name=f"{document.title}{suffix}" if not official.is_composed(document) else f"原稿 {document.title}{suffix}",
        download_url=reverse("documents:outgoing_body", args=[document.code]),
        record_read=lambda: _outgoing_read(user, document),
    )


def outgoing_document(user, ref):
    return describe_document(user, get_outgoing_for_user(user, ref))


def describe_document(user, document):
    """The typeset 发文 (typeset first when the draft changed since: the page shows what the PDF is)."""
    if not official.is_composed(document):
        raise Http404("该发文没有系统排版的正文")
    return preview.PreviewFile(
        file=official.ensure_typeset(document),
        name=document.doc_number or f"{document.title}（草稿）",
        download_url=reverse("documents:outgoing_document", args=[document.code]),
        sha256=document.typeset_sha256 if document.status in official.FROZEN else "",
        record_read=lambda: _outgoing_read(user, document),
    )


def _outgoing_read(user, document):
    services.record_restricted_read(user, document)
    services.record_delivery_read(user, document)


preview.register("incoming-attachment", incoming_attachment, describe=describe_attachment, label="收文附件")
preview.register("outgoing-body", outgoing_body, describe=describe_outgoing, label="发文原稿")
preview.register("outgoing-document", outgoing_document, describe=describe_document, label="发文")
