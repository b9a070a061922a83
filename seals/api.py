"""The narrow interface other apps use: seal requests linked to their records."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.core.files.base import ContentFile
from django.db import transaction
from django.urls import reverse

from township_office.steps import Refused

from .models import Seal, SealRequest


@dataclass(frozen=True)
class SealRequestSummary:
    code: str
    number: str
    status: str
    status_label: str
    url: str
    fully_stamped: bool


def _summary(r):
    return SealRequestSummary(
        str(r.code), r.number, r.status, r.get_status_display(), r.get_absolute_url(), r.fully_stamped
    )


def requests_for(object_type, object_code):
    rows = SealRequest.objects.filter(linked_object_type=object_type, linked_object_code=str(object_code)).exclude(
        status=SealRequest.Status.DRAFT  # a draft is its applicant's alone until submitted
    )
    return [_summary(r) for r in rows.order_by("created_at")]


def new_request_url(object_type, object_code, title):
    query = urlencode({"link_type": object_type, "link_code": object_code, "title": title, "use_type": "document"})
    return f"{reverse('seals:request_create')}?{query}"


# The seals a document of an issuing body (IssuerCode.Body) is stamped with, offered first.
DOCUMENT_SEAL_KINDS = {"party": Seal.Kind.PARTY, "government": Seal.Kind.GOVERNMENT, "office": Seal.Kind.OFFICE}


def document_seals():
    """[(pk, name, kind)] of the seals in use a document may be stamped with (the body's seals, not contracts')."""
    rows = Seal.objects.filter(status=Seal.Status.IN_USE, kind__in=list(DOCUMENT_SEAL_KINDS.values()))
    return list(rows.order_by("tier", "name").values_list("pk", "name", "kind"))


def request_for_document(
    *,
    by,
    department,
    object_type,
    object_code,
    linked_label,
    title,
    recipient,
    copies,
    seal_ids,
    pdf,
    filename,
    signed_off_by,
    signed_off_at,
):
    """用印申请 for an issued document, made and submitted at once: ``pdf`` (the document as issued) is the file, its
    SHA-256 bound as for any request; the 签发 by ``signed_off_by`` at ``signed_off_at`` counts for the levels of
    the chain that leader may approve (``workflow.submit``). ``department``: whose document it is (the chain's
    deputy level is the leader in charge of it). ``linked_label`` names the document in the request and the
    register (发文 长政发〔2026〕3号). Returns the request's summary; a refusal (``Refused``) changes nothing."""
    from . import workflow

    seals = list(Seal.objects.filter(pk__in=seal_ids, kind__in=list(DOCUMENT_SEAL_KINDS.values())))
    if not seals or len(seals) != len(set(seal_ids)):
        raise Refused("请选择发文所用的印章（党委、政府或党政办公室印章）。")
    with transaction.atomic():
        request = workflow.save_draft(
            by=by,
            data={
                "title": title[:200],
                "recipient": recipient[:100],
                "purpose": f"{linked_label}用印"[:300],
                "copies": copies,
                "use_type": SealRequest.UseType.DOCUMENT,
                "linked_object_type": object_type,
                "linked_object_code": str(object_code),
                "linked_label": linked_label[:80],
                "signed_off_by": signed_off_by,
                "signed_off_at": signed_off_at,
            },
            seals=seals,
            document=ContentFile(pdf, name=filename),
            department=department,
        )
        SealRequest.objects.filter(pk=request.pk).update(signed_off_sha256=request.document_sha256)
        request.signed_off_sha256 = request.document_sha256
        workflow.submit(request, by=by)
    request.refresh_from_db()
    return _summary(request)
