"""Upload checks shared by every app: by content (magic bytes), not by the name, and by size."""

import hashlib
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError

# kind → (label, extensions)
KINDS = {
    "pdf": ("PDF", (".pdf",)),
    "image": ("图片", (".jpg", ".jpeg", ".png", ".tif", ".tiff")),
    "word": ("Word", (".doc", ".docx", ".wps")),
    "excel": ("Excel", (".xls", ".xlsx", ".et")),
    "ofd": ("OFD", (".ofd",)),
}
SCAN_KINDS = ("pdf", "image", "word", "excel", "ofd")


def sniff(head, file):
    """The kind of ``file`` from its first bytes ``head`` (and, for a zip, its member names), or None."""
    if head.startswith(b"%PDF-"):
        return "pdf"
    if head.startswith(b"\xff\xd8\xff") or head.startswith(b"\x89PNG\r\n\x1a\n"):
        return "image"
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return "image"
    if head.startswith(b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"):  # OLE2: legacy .doc / .xls / .wps / .et
        name = (getattr(file, "name", "") or "").lower()
        return "excel" if name.endswith((".xls", ".et")) else "word"
    if head.startswith(b"PK\x03\x04"):
        file.seek(0)
        try:
            with zipfile.ZipFile(file) as archive:
                names = set(archive.namelist())
        except zipfile.BadZipFile:
            return None
        finally:
            file.seek(0)
        if "word/document.xml" in names:
            return "word"
        if "xl/workbook.xml" in names:
            return "excel"
        if "OFD.xml" in names:
            return "ofd"
    return None


def validate_upload(file, kinds=SCAN_KINDS, *, max_mb=None):
    """Raise ValidationError (Chinese) unless ``file`` is one of ``kinds`` by content and small
    enough. Returns the detected kind."""
    max_mb = max_mb or settings.MAX_UPLOAD_MB
    if file.size > max_mb * 1024 * 1024:
        raise ValidationError(f"文件“{file.name}”超过 {max_mb} MB，请压缩或分开上传。", code="too_large")
    if file.size == 0:
        raise ValidationError(f"文件“{file.name}”是空文件。", code="empty")
    file.seek(0)
    head = file.read(16)
    file.seek(0)
    kind = sniff(head, file)
    if kind not in kinds:
        allowed = "、".join(KINDS[k][0] for k in kinds)
        raise ValidationError(f"文件“{file.name}”不是可接受的格式（仅限 {allowed}）。", code="bad_type")
    return kind


def sha256_of(file):
    """SHA-256 hex digest of an uploaded or stored file, read in chunks."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()
