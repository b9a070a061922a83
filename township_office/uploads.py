"""Upload checks shared by every app: by content (magic bytes), not by the name, and by size.

An upload is accepted when its content is one of the kinds asked for, it is not empty or too large, and its
extension is one of that kind's (an HTML-named file starting with ``%PDF`` is refused: a browser would
trust the name). A stored file is served with the type its content says (:func:`content_type_of`,
:func:`serve`), never the one its name says, and a file missing on disk gives a clear page, not a 500.
"""

import hashlib
import logging
import os
import secrets
import zipfile

from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import FileResponse
from django.shortcuts import render

logger = logging.getLogger(__name__)

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
    extensions = KINDS[kind][1]
    if _extension(file.name) not in extensions:
        raise ValidationError(
            f"文件“{file.name}”的扩展名与内容不符：内容是 {KINDS[kind][0]} 文件，文件名应以 "
            f"{'、'.join(extensions)} 结尾。请确认是否选错了文件。",
            code="wrong_extension",
        )
    return kind


def _extension(name):
    return os.path.splitext(os.path.basename(name or ""))[1].lower()


# The type a browser is told, from the content (and, where the content is shared, the extension).
CONTENT_TYPES = {
    "pdf": "application/pdf",
    "ofd": "application/ofd",
    ".jpg": "image/jpeg",
    ".jpeg": "image/jpeg",
    ".png": "image/png",
    ".tif": "image/tiff",
    ".tiff": "image/tiff",
    ".doc": "application/msword",
    ".wps": "application/msword",
    ".docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    ".xls": "application/vnd.ms-excel",
    ".et": "application/vnd.ms-excel",
    ".xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
UNKNOWN_TYPE = "application/octet-stream"


def _image_type(head):
    if head.startswith(b"\xff\xd8\xff"):
        return "image/jpeg"
    if head.startswith(b"\x89PNG"):
        return "image/png"
    return "image/tiff"


def content_type_of(file):
    """The MIME type to serve ``file`` (an upload, an open file, or a stored ``FieldFile``) with, from its content.

    Anything not recognised as one of the accepted kinds is ``application/octet-stream``: a browser
    downloads it and never renders it as a page, whatever the stored name says. Word and Excel files
    are told apart from their legacy formats by the content (zip or not), the rest by the extension.
    Raises ``OSError`` (``FileNotFoundError``) when a stored file is missing on disk.
    """
    if hasattr(file, "storage"):  # a FieldFile: read it from the storage, leave it closed
        with file.storage.open(file.name, "rb") as handle:
            return _content_type(handle, file.name)
    return _content_type(file, getattr(file, "name", ""))


def _content_type(handle, name):
    handle.seek(0)
    head = handle.read(16)
    handle.seek(0)
    kind = sniff(head, handle)
    handle.seek(0)
    if kind in ("pdf", "ofd"):
        return CONTENT_TYPES[kind]
    if kind == "image":
        return _image_type(head)
    if kind in ("word", "excel"):
        zipped = head.startswith(b"PK")
        modern = ".docx" if kind == "word" else ".xlsx"
        extension = _extension(name)
        if zipped or extension not in KINDS[kind][1]:
            extension = modern if zipped else (".doc" if kind == "word" else ".xls")
        return CONTENT_TYPES[extension]
    return UNKNOWN_TYPE


def serve(request, fieldfile, *, filename=None, as_attachment=True):
    """The response for downloading the stored ``fieldfile``: typed by its content (:func:`content_type_of`),
    ``nosniff``, named ``filename`` (default: the stored name). A file missing on disk answers the page
    "文件缺失，请联系系统管理员" (404) and is logged, instead of a server error."""
    name = filename or os.path.basename(fieldfile.name or "")
    try:
        handle = fieldfile.storage.open(fieldfile.name, "rb")
    except (OSError, ValueError):
        username = getattr(getattr(request, "user", None), "username", "") or "-"
        logger.error("Stored file missing: %s (%s, asked by %s)", fieldfile.name, request.path, username)
        return render(request, "file_missing.html", {"filename": name}, status=404)
    content_type = _content_type(handle, fieldfile.name)
    response = FileResponse(handle, content_type=content_type, as_attachment=as_attachment, filename=name)
    response["X-Content-Type-Options"] = "nosniff"
    return response


def sha256_of(file):
    """SHA-256 hex digest of an uploaded or stored file, read in chunks."""
    digest = hashlib.sha256()
    file.seek(0)
    for chunk in iter(lambda: file.read(1024 * 1024), b""):
        digest.update(chunk)
    file.seek(0)
    return digest.hexdigest()


# --- Uploads held while a form is sent back -------------------------------------------------------------------
# A form sent back with an error cannot give a browser its chosen files again (a file input cannot be filled in).
# The files that passed their checks are therefore held on the server for the person's session and offered again
# (``includes/held_files.html``: each one a ticked box, to keep or drop); the form's next sending uses them as if
# chosen again. A token is honoured only for the session that held it, so a guessed token is nothing.

HELD_KEY = "held_uploads"
HELD_DIR = "pending"
HELD_HOURS = 24  # files held longer (a form given up on) are removed when the next file is held


def hold(request, files):
    """Keep the checked ``files`` for this session; returns one {"token", "name", "size"} for each."""
    from django.core.files.storage import default_storage

    _prune_held(default_storage)
    kept = request.session.get(HELD_KEY, {})
    held = []
    for upload in files:
        token = secrets.token_urlsafe(16)
        upload.seek(0)
        path = default_storage.save(f"{HELD_DIR}/{token}{_extension(upload.name)}", upload)
        kept[token] = {"path": path, "name": os.path.basename(upload.name)[:200], "size": upload.size}
        held.append({"token": token, "name": kept[token]["name"], "size": upload.size})
    request.session[HELD_KEY] = kept
    return held


def held(request, tokens):
    """The files this session holds under ``tokens`` (unknown ones ignored), each checked again as it is opened,
    as [{"token", "name", "size", "file"}] with ``file`` a File named as it was uploaded."""
    from django.core.files import File
    from django.core.files.storage import default_storage

    kept = request.session.get(HELD_KEY, {})
    found = []
    for token in dict.fromkeys(tokens):
        entry = kept.get(token)
        if entry is None:
            continue
        try:
            handle = default_storage.open(entry["path"], "rb")
        except OSError:
            continue
        found.append(
            {"token": token, "name": entry["name"], "size": entry["size"], "file": File(handle, entry["name"])}
        )
    return found


def release(request, tokens):
    """Forget and delete the files held under ``tokens`` (once used, or dropped by the person)."""
    from django.core.files.storage import default_storage

    kept = request.session.get(HELD_KEY, {})
    for token in tokens:
        entry = kept.pop(token, None)
        if entry is not None:
            default_storage.delete(entry["path"])
    request.session[HELD_KEY] = kept


def _prune_held(storage):
    import time

    try:
        _, names = storage.listdir(HELD_DIR)
    except (FileNotFoundError, NotImplementedError):
        return
    limit = time.time() - HELD_HOURS * 3600
    for name in names:
        path = f"{HELD_DIR}/{name}"
        try:
            if storage.get_modified_time(path).timestamp() < limit:
                storage.delete(path)
        except (OSError, NotImplementedError):
            continue
