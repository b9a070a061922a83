"""The 发文 as the document that goes out: its GB/T 9704 typesetting (township_office.gbdoc) from the record.

While the draft is being written its PDF is a cache, not part of the record: kept in the storage under a digest of
everything printed on it (``outgoing/typeset/drafts/<digest>.pdf``), typeset on the first read after a change, and
reading never writes to the database. 编号 typesets the numbered document once, inside its step, into
``OutgoingDocument.typeset`` with its SHA-256: from then on that file is the document — sealed, issued, signed for
and archived — whatever is read or changed in the settings later.
"""

import hashlib
import json
from dataclasses import asdict

from django.core.files.base import ContentFile
from django.db.models.fields.files import FieldFile
from django.utils import timezone

from township_office import gbdoc
from township_office.models import IssuerCode, Township

from .models import OutgoingDocument, Urgency

FROZEN = (
    OutgoingDocument.Status.SEALING,
    OutgoingDocument.Status.ISSUING,
    OutgoingDocument.Status.ISSUED,
    OutgoingDocument.Status.ARCHIVED,
)


def lines(text):
    return [line.strip() for line in (text or "").splitlines() if line.strip()]


def bodies_of(document):
    """The 发文机关 of the 标志: those chosen for this 发文, or the one its 代字 stands for."""
    chosen = [b for b in document.issuer_bodies or [] if b in IssuerCode.Body.values]
    return chosen or [document.issuer_code.body]


def issuer_names_of(document):
    """「中共长官镇委员会、长官镇人民政府」: the 发文机关 as the 标志 prints them."""
    return "、".join(gbdoc.issuer_names(Township.current(), bodies_of(document)))


def official_document(document, *, printed_on=None):
    """The :class:`~township_office.gbdoc.OfficialDocument` of ``document`` as it reads now."""
    township = Township.current()
    issuers = gbdoc.issuer_names(township, bodies_of(document))
    upward = document.importance == OutgoingDocument.Importance.UPWARD
    signer = document.signer.get_full_name() if document.signer_id else ""
    return gbdoc.OfficialDocument(
        issuers=issuers,
        issuer_code=document.issuer_code.code,
        doc_number=document.doc_number or None,
        title=document.title,
        main_recipients=document.main_recipients,
        body=gbdoc.parse_body(document.text) if document.text.strip() else [],
        urgency=document.get_urgency_display() if document.urgency != Urgency.NORMAL else "",
        signers=[signer or "　　　"] if upward else [],
        attachments=lines(document.attachments_note),
        signatures=lines(document.signatures.replace("、", "\n")),
        date_of_issue=document.date_of_issue,
        cc_recipients=document.cc_recipients,
        printed_by=document.printed_by or township.office_name,
        printed_on=printed_on or document.issued_on,
    )


def key_of(official):
    """A digest of everything the typesetter prints: a change to any of it means a new PDF."""
    data = json.dumps(asdict(official), ensure_ascii=False, sort_keys=True, default=str)
    return hashlib.sha256(data.encode()).hexdigest()


def is_composed(document):
    """Written in the page or imported: the system can typeset it (an older 发文 has only an uploaded file)."""
    return bool(document.text.strip())


def freeze(document):
    """编号: typeset the numbered document once, with the 印发日期 of today, and keep it for good (inside the
    step's transaction: a failure leaves the 发文 unnumbered)."""
    pdf = gbdoc.render_pdf(official_document(document, printed_on=timezone.localdate()))
    document.typeset.save(f"{document.code}.pdf", ContentFile(pdf), save=False)
    document.typeset_sha256 = hashlib.sha256(pdf).hexdigest()
    OutgoingDocument.objects.filter(pk=document.pk).update(
        typeset=document.typeset.name, typeset_sha256=document.typeset_sha256
    )


def ensure_typeset(document):
    """The document's PDF as a stored file: the frozen one from 编号 on, else the draft's cached typesetting (made
    first when its printed content changed since)."""
    if document.status in FROZEN and document.typeset:
        return document.typeset
    field = OutgoingDocument._meta.get_field("typeset")
    official = official_document(document)
    name = f"outgoing/typeset/drafts/{key_of(official)}.pdf"
    if not field.storage.exists(name):
        saved = field.storage.save(name, ContentFile(gbdoc.render_pdf(official)))
        if saved != name:  # typeset twice at the same moment: the same content, keep one
            field.storage.delete(saved)
    return FieldFile(document, field, name)


def document_pdf(document):
    """The bytes of the document as it is sealed and issued (用印 binds their SHA-256)."""
    fieldfile = ensure_typeset(document)
    with fieldfile.open("rb") as handle:
        return handle.read()
