"""The data migration of issue 12 §1: state-secret 收文 and 发文 already stored become paper register entries.

Called by migration 0009_secret_register with the historical models (``apps``); the tests call it with the
project's own registry. For every 收文 and 发文 marked 秘密, 机密 or 绝密 it:

- registers a 密件 (来文单位, 文号, 密级, 保密期限, 份数 — 1 if unknown —, received time, title "密件"), its copies kept
  by the office;
- removes the stored content: the record itself with its attachments, 批示, 传阅, 承办, 进展, 催办, opinions and
  grants (deleted with it), the files in storage and their previews (best effort), its work items and Matter, the
  notifications that point at it or quote its title, and batch printouts that include it;
- prints what it did and writes one audit event.

The audit log is append-only and hash-chained: its earlier events about these records stay as they were.
"""

import hashlib
import logging
import shutil

from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

logger = logging.getLogger(__name__)

STATE_SECRET = ("secret", "confidential", "top_secret")
MESSAGE = "已将 {n} 件涉密文件转为纸质密件登记，电子内容已删除"


def _remove_file(name):
    """Delete a stored file and the preview cache of its content; a missing file is no error (best effort)."""
    if not name:
        return
    try:
        from township_office import preview

        digest = hashlib.sha256()
        with default_storage.open(name, "rb") as handle:
            for chunk in iter(lambda: handle.read(1024 * 1024), b""):
                digest.update(chunk)
        sha = digest.hexdigest()
        shutil.rmtree(preview.root() / sha[:2] / sha, ignore_errors=True)
        memo = preview.root() / "names" / hashlib.sha256(name.encode()).hexdigest()
        memo.unlink(missing_ok=True)
    except Exception:  # noqa: BLE001 - best effort: the file may be gone already
        logger.warning("preview of %s not removed", name, exc_info=True)
    try:
        default_storage.delete(name)
    except Exception:  # noqa: BLE001
        logger.warning("stored file %s not removed", name, exc_info=True)


def _register(apps, *, by, year_of, source_org, doc_number, secrecy, term, copies, received_at):
    from sequences import get_next_value

    Entry = apps.get_model("documents", "SecretEntry")
    Copy = apps.get_model("documents", "SecretCopy")
    Event = apps.get_model("documents", "SecretCopyEvent")
    year = year_of(received_at)
    entry = Entry.objects.create(
        year=year,
        serial=get_next_value(f"documents.secret.{year}"),
        source_org=(source_org or "（不详）")[:100],
        doc_number=(doc_number or "")[:60],
        secrecy=secrecy,
        secrecy_term=(term or "")[:30],
        copies=copies or 1,
        received_at=received_at,
        title_not_secret=False,
        title="",
        registered_by_id=by,
        registered_at=timezone.now(),
    )
    for number in range(1, (copies or 1) + 1):
        copy = Copy.objects.create(entry=entry, copy_number=str(number), updated_at=entry.registered_at)
        Event.objects.create(copy=copy, kind="registered", actor_id=by, at=entry.registered_at)
    return entry


def _forget_record(apps, model_name, pk, title, url):
    """Work items, Matter, notifications and batch printouts of one record."""
    ContentType = apps.get_model("contenttypes", "ContentType")
    Matter = apps.get_model("township_office", "Matter")
    Notification = apps.get_model("township_office", "Notification")
    content_type = ContentType.objects.filter(app_label="documents", model=model_name).first()
    matters = Matter.objects.filter(content_type=content_type, object_id=pk) if content_type else Matter.objects.none()
    notifications = Notification.objects.filter(work_item__matter__in=matters) | Notification.objects.filter(url=url)
    if len(title) >= 4:  # a title short enough to be part of unrelated words is matched by its link only
        notifications |= Notification.objects.filter(title__contains=title) | Notification.objects.filter(
            body__contains=title
        )
    notifications.delete()
    matters.delete()  # and their work items


def convert_state_secrets(apps, schema_editor=None, *, out=print):
    """Returns how many records were converted."""
    Incoming = apps.get_model("documents", "IncomingDocument")
    Outgoing = apps.get_model("documents", "OutgoingDocument")
    Attachment = apps.get_model("documents", "Attachment")
    BatchPrint = apps.get_model("documents", "BatchPrint")

    def year_of(moment):
        return timezone.localtime(moment).year

    converted, codes, files = 0, set(), []
    for document in Incoming.objects.filter(secrecy__in=STATE_SECRET).order_by("pk"):
        _register(
            apps,
            by=document.registered_by_id,
            year_of=year_of,
            source_org=document.source_org,
            doc_number=document.source_doc_number,
            secrecy=document.secrecy,
            term=document.secrecy_term,
            copies=document.copies,
            received_at=document.signed_for_at,
        )
        files += list(Attachment.objects.filter(document=document).values_list("file", flat=True))
        url = reverse("documents:incoming_detail", args=[document.code])
        _forget_record(apps, "incomingdocument", document.pk, document.title, url)
        codes.add(str(document.code))
        document.delete()  # attachments, 批示, 传阅, 承办, 进展, 催办 and grants with it
        converted += 1
    for document in Outgoing.objects.filter(secrecy__in=STATE_SECRET).select_related("issuer_code").order_by("pk"):
        _register(
            apps,
            by=document.drafter_id,
            year_of=year_of,
            source_org=f"本单位发文（{document.issuer_code.code}）",
            doc_number=document.doc_number,
            secrecy=document.secrecy,
            term="",
            copies=document.copies,
            received_at=document.created_at,
        )
        files.append(document.body.name if document.body else "")
        url = reverse("documents:outgoing_detail", args=[document.code])
        _forget_record(apps, "outgoingdocument", document.pk, document.title, url)
        codes.add(str(document.code))
        document.delete()  # opinions and grants with it
        converted += 1
    if codes:
        for batch in BatchPrint.objects.all().only("pk", "document_codes", "file"):
            if codes.intersection(batch.document_codes or []):
                files.append(batch.file.name if batch.file else "")
                batch.delete()
    for name in files:
        _remove_file(name)
    if converted:
        from township_office import audit  # the running code's chain: its tables exist by now (dependencies)

        message = MESSAGE.format(n=converted)
        audit.record("涉密文件转为纸质密件登记", by=None, comment=f"{message}（保守国家秘密法：本系统不存储国家秘密）")
        out(message)
        linked = _linked_seal_requests(apps, codes)
        if linked:
            out(f"另有 {linked} 件用印申请关联这些发文，其中的待用印文件请办公室人工核查删除")
    return converted


def _linked_seal_requests(apps, codes):
    try:
        SealRequest = apps.get_model("seals", "SealRequest")
    except LookupError:
        return 0
    return SealRequest.objects.filter(linked_object_code__in=codes).count()
