"""Preview in the page of every attachment: a registry of attachment kinds, conversion and a cache.

Each app declares in ``<app>/previews.py`` the attachments it keeps and how to reach them::

    preview.register("incoming-attachment", resolve)

where ``resolve(user, ref)`` goes through the app's access function (``get_<model>_for_user``) and returns
a :class:`PreviewFile`, or raises ``Http404``. The core serves ``/preview/<kind>/<ref>/`` (the viewer)
and ``/preview/<kind>/<ref>/page/<n>.png`` (one page) only through that function.

Formats: a PDF and an image are shown as they are (PDF pages are drawn on demand with PDFium, through
``pypdfium2``); Word/WPS and Excel files go through LibreOffice (``soffice --convert-to pdf``) and OFD
through the parts of easyofd vendored in ``township_office.ofd``, both in the Celery task ``convert_preview``
— in the request only on the embedded default without a broker, where every task runs in-process.

The cache lives under ``PREVIEW_ROOT`` (``DATA_DIR/previews``), one folder per file content (its SHA-256),
so a file attached to two records, or seen by many people, is converted once::

    <sha[:2]>/<sha>/state.json      {"state": "ready"|"failed", "pages": N, ...}
    <sha[:2]>/<sha>/document.pdf    the converted PDF (Office and OFD files)
    <sha[:2]>/<sha>/page-<n>.png    pages drawn so far
    <sha[:2]>/<sha>/pending         a conversion is queued (its age tells a lost task)
"""

import contextlib
import hashlib
import io
import json
import logging
import os
import shutil
import signal
import subprocess
import tempfile
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from celery import shared_task
from django.conf import settings
from django.core.exceptions import ValidationError
from django.http import Http404

from .uploads import sniff

log = logging.getLogger(__name__)

PAGE_WIDTH = 1240  # pixels: an A4 page at 150 dpi, sharp on a 3× phone screen and at 2× zoom on a desktop
CONVERTED = ("word", "excel", "ofd")  # converted in the Celery task; PDF and images are drawn directly
PENDING_TIMEOUT = 600  # seconds after which a queued conversion is taken as lost and queued again
RETRY_FAILED = 3600  # a failed conversion is tried again after an hour (a converter installed meanwhile)
# The OFD code (easyofd's) draws every text run in a font named 宋体; on Linux none is installed under that
# name, so it is registered to AR PL UMing (Debian fonts-arphic-uming, a Song/Ming face with TrueType outlines that
# reportlab can embed; Noto Serif CJK is CFF, which reportlab cannot).
OFD_FONT = "/usr/share/fonts/truetype/arphic/uming.ttc"
# Office suffixes LibreOffice recognises, by sniffed format (.wps/.et are saved under these names).
OLE_SUFFIX = {"word": ".doc", "excel": ".xls"}
ZIP_SUFFIX = {"word": ".docx", "excel": ".xlsx"}


class PreviewFailed(Exception):
    pass


@dataclass
class PreviewFile:
    """What an app's resolve function hands the core: the stored file and how to offer it."""

    file: object  # a FieldFile
    name: str  # shown above the pages
    download_url: str  # the app's own (permission-checked) download view
    sha256: str = ""  # when the model keeps it; otherwise computed once and remembered
    record_read: object = None  # callable(): audit of a secret read, called when the viewer opens


_registry = {}


def register(kind, resolve, *, describe=None, label=""):
    """Declare an attachment kind: ``resolve(user, ref)`` → PreviewFile or Http404, through the app's access
    function. ``describe(user, obj)`` → PreviewFile for a record or attachment the page already loaded through
    that function (the detail view did), so the viewer costs the page no query; the page images themselves are
    always served through ``resolve``."""
    _registry[kind] = (resolve, describe, label)


def resolve(user, kind, ref):
    """The attachment ``ref`` of ``kind`` as ``user`` may see it; Http404 for anything else."""
    if kind not in _registry:
        raise Http404("无此类附件")
    try:
        found = _registry[kind][0](user, str(ref))
    except (ValueError, ValidationError):
        raise Http404("无此附件") from None
    if found is None or not found.file:
        raise Http404("无此附件")
    return found


# --- The cache ------------------------------------------------------------------------


def root():
    path = Path(getattr(settings, "PREVIEW_ROOT", None) or settings.DATA_DIR / "previews")
    path.mkdir(parents=True, exist_ok=True)
    return path


def folder(sha):
    path = root() / sha[:2] / sha
    path.mkdir(parents=True, exist_ok=True)
    return path


def digest(preview):
    """SHA-256 of the stored file: the model's own, else computed once per stored name and size."""
    if preview.sha256:
        return preview.sha256
    name, size = preview.file.name, preview.file.size
    memo = root() / "names" / hashlib.sha256(name.encode()).hexdigest()
    try:
        remembered_size, sha = memo.read_text().split()
        if int(remembered_size) == size:
            return sha
    except (OSError, ValueError):
        pass
    hasher = hashlib.sha256()
    with preview.file.open("rb") as handle:
        for chunk in iter(lambda: handle.read(1024 * 1024), b""):
            hasher.update(chunk)
    sha = hasher.hexdigest()
    memo.parent.mkdir(exist_ok=True)
    _write_atomic(memo, f"{size} {sha}".encode())
    return sha


def _write_atomic(path, data):
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=".tmp-")
    with os.fdopen(fd, "wb") as handle:
        handle.write(data)
    os.replace(tmp, path)


def _read_state(path):
    try:
        return json.loads((path / "state.json").read_text())
    except (OSError, ValueError):
        return None


def _write_state(path, **state):
    _write_atomic(path / "state.json", json.dumps(state).encode())
    return state


def source_format(fieldfile):
    """pdf, jpeg, png, tiff, word, excel, ofd, or None: by content, like the upload check."""
    with fieldfile.open("rb") as handle:
        head = handle.read(16)
        kind = sniff(head, _Named(handle, fieldfile.name))
    if kind == "image":
        if head.startswith(b"\xff\xd8\xff"):
            return "jpeg"
        if head.startswith(b"\x89PNG"):
            return "png"
        return "tiff"
    return kind


class _Named:
    """A file object with the stored name, for the sniffer (OLE files are told apart by suffix)."""

    def __init__(self, handle, name):
        self._handle, self.name = handle, name

    def __getattr__(self, attr):
        return getattr(self._handle, attr)


# --- State: what the viewer can show now -----------------------------------------------


@dataclass
class State:
    state: str  # ready, pending, failed
    pages: int = 0
    fmt: str = ""
    sha256: str = ""


def state(preview, *, enqueue=True):
    """Where the preview of ``preview`` stands; queues the conversion of an Office or OFD file."""
    sha = digest(preview)
    path = folder(sha)
    known = _read_state(path)
    if known and known["state"] == "failed" and known.get("fmt") in CONVERTED:
        if time.time() - known.get("at", 0) > RETRY_FAILED:
            known = None
    if not known:
        fmt = source_format(preview.file)
        if fmt == "pdf":
            known = _pdf_state(path, _local_path(preview.file, path), fmt)
            if known["state"] == "ready" and enqueue:
                _draw_first_page_soon(Path(known["pdf"]), path)
        elif fmt in ("jpeg", "png", "tiff"):
            known = _image_state(path, preview.file, fmt)
        elif fmt in CONVERTED:
            pending = path / "pending"
            fresh = time.time() - _queued_at(pending) < PENDING_TIMEOUT
            if not fresh and enqueue:
                pending.write_text(repr(time.time()))
                try:
                    convert_preview.delay(preview.file.name, fmt, sha)  # runs here and now without a broker
                except Exception:
                    pending.unlink(missing_ok=True)  # queued again at the next view
                    raise
            known = _read_state(path) or {"state": "pending", "fmt": fmt}
        else:
            known = _write_state(path, state="failed", fmt=fmt or "unknown", reason="格式无法识别")
    return State(known["state"], known.get("pages", 0), known.get("fmt", ""), sha)


def _queued_at(pending):
    """When the conversion behind ``pending`` was queued (0 when none is), by this process's clock as written
    into the file, not by the file's mtime: a ``PREVIEW_ROOT`` shared with another machine has that one's clock."""
    try:
        return float(pending.read_text())
    except FileNotFoundError:
        return 0.0
    except ValueError:  # touched by an older version (empty): its age is the file's
        with contextlib.suppress(FileNotFoundError):
            return pending.stat().st_mtime
        return 0.0


def _local_path(fieldfile, path):
    """A filesystem path to the stored file (copied into the cache for a storage without one)."""
    try:
        return Path(fieldfile.path)
    except NotImplementedError:
        copy = path / "source"
        if not copy.exists():
            with fieldfile.open("rb") as handle:
                _write_atomic(copy, handle.read())
        return copy


def _pdf_state(path, pdf_path, fmt):
    try:
        with _pdfium() as pdfium:
            document = pdfium.PdfDocument(str(pdf_path))  # a password-protected PDF fails here
            try:
                pages = len(document)
                # Each page's shape (rotation included), so the viewer reserves its height before the
                # image arrives (lazy loading).
                sizes = [[round(w), round(h)] for w, h in (document.get_page_size(n) for n in range(pages))]
            finally:
                document.close()
        if not pages:
            raise PreviewFailed("没有页面")
    except Exception as exc:  # noqa: BLE001 - any unreadable PDF is "cannot preview"
        log.warning("preview: unreadable PDF %s: %s", pdf_path, exc)
        return _write_state(path, state="failed", fmt=fmt, reason=str(exc)[:200])
    return _write_state(path, state="ready", fmt=fmt, pages=pages, pdf=str(pdf_path), sizes=sizes)


def _image_state(path, fieldfile, fmt):
    try:
        from PIL import Image

        with fieldfile.open("rb") as handle, Image.open(handle) as image:
            pages = getattr(image, "n_frames", 1) if fmt == "tiff" else 1
            sizes = [list(image.size)] * pages
    except Exception as exc:  # noqa: BLE001 - a broken image is "cannot preview"
        return _write_state(path, state="failed", fmt=fmt, reason=str(exc)[:200])
    return _write_state(path, state="ready", fmt=fmt, pages=pages, sizes=sizes)


# --- Conversion (the Celery task calls this) --------------------------------------------


def convert(storage_name, fmt, sha):
    """Convert the stored Office or OFD file to ``document.pdf`` in its cache folder; never raises."""
    from django.core.files.storage import default_storage

    path = folder(sha)
    started = time.monotonic()
    try:
        with default_storage.open(storage_name, "rb") as handle:
            data = handle.read()
        if fmt == "ofd":
            pdf = ofd_to_pdf(data)
        else:
            pdf = office_to_pdf(data, fmt)
        _write_atomic(path / "document.pdf", pdf)
        result = _pdf_state(path, path / "document.pdf", fmt)
        if result["state"] == "ready":  # the first page is ready when the reader arrives
            with contextlib.suppress(Http404):  # else drawn (or found undrawable) when asked for
                _once(path / "page-1.png", lambda: _draw_pdf_page(path / "document.pdf", 1, path / "page-1.png"))
    except Exception as exc:  # noqa: BLE001 - a file that cannot be converted says so in the page
        log.warning("preview: cannot convert %s (%s): %s", storage_name, fmt, exc)
        result = _write_state(path, state="failed", fmt=fmt, reason=str(exc)[:200], at=time.time())
    finally:
        (path / "pending").unlink(missing_ok=True)
    log.info("preview: %s %s → %s in %.1f s", fmt, storage_name, result["state"], time.monotonic() - started)
    return result


def office_to_pdf(data, fmt):
    """Word/WPS/Excel bytes → PDF bytes with LibreOffice headless (Debian libreoffice-*-nogui)."""
    soffice = shutil.which("soffice") or shutil.which("libreoffice")
    if not soffice:
        raise PreviewFailed("未安装 LibreOffice")
    suffix = (ZIP_SUFFIX if data.startswith(b"PK") else OLE_SUFFIX)[fmt]
    with _soffice_profile() as profile, tempfile.TemporaryDirectory(dir=root(), prefix=".convert-") as work:
        source = Path(work) / f"document{suffix}"
        source.write_bytes(data)
        command = [
            soffice,
            f"-env:UserInstallation={profile.as_uri()}",
            "--headless",
            "--norestore",
            "--nolockcheck",
            "--convert-to",
            "pdf",
            "--outdir",
            work,
            str(source),
        ]
        env = {**os.environ, "HOME": work}
        timeout = _timeout()
        # Its own process group: the soffice script starts soffice.bin, which a timeout must end too.
        process = subprocess.Popen(
            command, stdout=subprocess.PIPE, stderr=subprocess.PIPE, env=env, start_new_session=True
        )
        try:
            _, stderr = process.communicate(timeout=timeout)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise PreviewFailed(f"LibreOffice 超过 {timeout} 秒") from None
        output = Path(work) / "document.pdf"
        if process.returncode or not output.exists():
            raise PreviewFailed(f"LibreOffice: {stderr.decode(errors='replace')[-300:]}")
        return output.read_bytes()


@contextlib.contextmanager
def _soffice_profile(slots=8):
    """A LibreOffice user profile no other conversion is using now (two soffice runs on one profile wait
    for each other or fail), from a few kept under PREVIEW_ROOT/.soffice and reused (a new one costs ~1 s)."""
    import fcntl

    base = root() / ".soffice"
    base.mkdir(exist_ok=True)
    for slot in range(slots):
        lock = open(base / f"{slot}.lock", "w")  # noqa: SIM115 - closed below
        try:
            fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            lock.close()
            continue
        try:
            yield base / str(slot)
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)
            lock.close()
        return
    raise PreviewFailed("LibreOffice 正忙，请稍后再试")


def _timeout():
    """In a worker a long file may take its time; in a request (no broker) stay under gunicorn's 30 s."""
    return 25 if settings.CELERY_TASK_ALWAYS_EAGER else 300


def ofd_to_pdf(data):
    """OFD bytes → PDF bytes, with ``township_office.ofd`` in a child process (``python -m township_office.preview ofd``): a
    file that makes it loop or crash is stopped at the time limit and cannot take the web or worker process along."""
    import sys

    try:
        completed = subprocess.run(
            [sys.executable, "-m", "township_office.preview", "ofd"],
            input=data,
            capture_output=True,
            timeout=_timeout(),
            check=False,
            cwd=settings.BASE_DIR,
        )
    except subprocess.TimeoutExpired:
        raise PreviewFailed(f"OFD 转换超过 {_timeout()} 秒") from None
    if completed.returncode or not completed.stdout.startswith(b"%PDF"):
        raise PreviewFailed(f"OFD: {completed.stderr.decode(errors='replace')[-300:]}")
    return completed.stdout


def _ofd_to_pdf_here(data):
    """OFD (GB/T 33190) bytes → PDF bytes with the parts of easyofd vendored in ``township_office.ofd``
    (reportlab drawing), in this process."""
    from . import ofd

    _register_ofd_font()
    pdf = ofd.to_pdf(data)
    if not pdf or not pdf.startswith(b"%PDF"):
        raise PreviewFailed("OFD 转换无结果")
    return pdf


def _register_ofd_font():
    from reportlab.pdfbase import pdfmetrics
    from reportlab.pdfbase.ttfonts import TTFont

    if "宋体" in pdfmetrics.getRegisteredFontNames() or not os.path.exists(OFD_FONT):
        return
    pdfmetrics.registerFont(TTFont("宋体", OFD_FONT, subfontIndex=0))


# --- Pages ------------------------------------------------------------------------------

CONTENT_TYPES = {"jpeg": "image/jpeg", "png": "image/png"}


def page(preview, number):
    """(path, content type) of page ``number`` (1-based); Http404 past the end or not ready."""
    current = state(preview, enqueue=False)
    if current.state != "ready" or not 1 <= number <= current.pages:
        raise Http404("无此页")
    path = folder(current.sha256)
    if current.fmt in CONTENT_TYPES:  # a JPEG or PNG is its own page, a large one scaled down once
        sizes = (_read_state(path) or {}).get("sizes") or [[0, 0]]
        if sizes[0][0] <= PAGE_WIDTH * 2:
            return _local_path(preview.file, path), CONTENT_TYPES[current.fmt]
        target = path / f"page-1.{current.fmt}"
        if not target.exists():
            _draw_scaled_image(preview.file, current.fmt, target)
        return target, CONTENT_TYPES[current.fmt]
    target = path / f"page-{number}.png"
    if current.fmt == "tiff":
        _once(target, lambda: _draw_tiff_page(preview.file, number, target))
    else:
        known = _read_state(path) or {}
        pdf = Path(known.get("pdf") or path / "document.pdf")
        if not pdf.exists():
            pdf = _local_path(preview.file, path)
        _once(target, lambda: _draw_pdf_page(pdf, number, target))
    return target, "image/png"


def _once(target, draw):
    """Draw ``target`` unless it exists; one drawer at a time across processes (flock), the others wait for
    its result instead of drawing the same page again."""
    import fcntl

    if target.exists():
        return
    with open(target.with_name(f".{target.name}.lock"), "w") as lock:
        fcntl.flock(lock, fcntl.LOCK_EX)
        try:
            if not target.exists():
                draw()
        finally:
            fcntl.flock(lock, fcntl.LOCK_UN)


def _draw_first_page_soon(pdf, path):
    """Start drawing page 1 while the detail page is sent: the browser asks for it a moment later."""

    def draw():
        try:
            _once(path / "page-1.png", lambda: _draw_pdf_page(pdf, 1, path / "page-1.png"))
        except Exception:  # noqa: BLE001 - the page request draws it (or answers 404) itself
            log.exception("preview: drawing page 1 of %s ahead failed", pdf)

    threading.Thread(target=draw, name="preview-page-1", daemon=True).start()


def _draw_pdf_page(pdf, number, target):
    """One page, PAGE_WIDTH pixels wide, with PDFium (pypdfium2): in-process, and a page in about half the
    time poppler's pdftoppm takes (no process to start, faster rasterising); Pillow encodes the PNG."""
    try:
        with _pdfium() as pdfium:
            document = pdfium.PdfDocument(str(pdf))
            try:
                page = document[number - 1]
                width = page.get_width()
                image = page.render(scale=PAGE_WIDTH / width, may_draw_forms=True).to_pil()
                page.close()
            finally:
                document.close()
    except Exception as exc:  # noqa: BLE001 - a page that cannot be drawn is a missing page
        log.warning("preview: cannot draw %s page %s: %s", pdf, number, exc)
        raise Http404("此页无法显示") from None
    buffer = io.BytesIO()
    image.save(buffer, "PNG", compress_level=3)
    _write_atomic(target, buffer.getvalue())


_pdfium_lock = threading.Lock()


@contextlib.contextmanager
def _pdfium():
    """pypdfium2, one call at a time in a process: PDFium is not thread-safe (gunicorn's sync workers and
    Celery's prefork are single-threaded, but the development server and the test live server are not)."""
    import pypdfium2

    with _pdfium_lock:
        yield pypdfium2


def _draw_scaled_image(fieldfile, fmt, target):
    """A photo or scan wider than two page widths, scaled to PAGE_WIDTH × 2 in its own format."""
    from PIL import Image, ImageOps

    with fieldfile.open("rb") as handle, Image.open(handle) as image:
        image = ImageOps.exif_transpose(image)
        image.thumbnail((PAGE_WIDTH * 2, PAGE_WIDTH * 6))
        buffer = io.BytesIO()
        if fmt == "jpeg":
            image.convert("RGB").save(buffer, "JPEG", quality=85)
        else:
            image.save(buffer, "PNG", compress_level=3)
    _write_atomic(target, buffer.getvalue())


def _draw_tiff_page(fieldfile, number, target):
    from PIL import Image

    with fieldfile.open("rb") as handle, Image.open(handle) as image:
        image.seek(number - 1)
        frame = image.convert("RGB") if image.mode not in ("1", "L", "RGB") else image.copy()
        if frame.width > PAGE_WIDTH * 2:
            frame.thumbnail((PAGE_WIDTH * 2, PAGE_WIDTH * 4))
        buffer = io.BytesIO()
        frame.save(buffer, "PNG")
    _write_atomic(target, buffer.getvalue())


# --- The viewer (template tag and fragment view share this) -----------------------------


def ref_of(item):
    """The reference of a record or attachment in preview URLs: its public code, else its pk."""
    if hasattr(item, "_meta"):
        return str(getattr(item, "code", None) or item.pk)
    return str(item)


def viewer_context(user, kind, ref, *, others=(), loaded=None):
    """Everything ``includes/preview_viewer.html`` shows for one attachment (Http404 if not visible).
    ``loaded``: the record or attachment as the page's view loaded it through the access function."""
    from django.urls import reverse

    describe = _registry.get(kind, (None, None))[1]
    found = describe(user, loaded) if loaded is not None and describe else resolve(user, kind, ref)
    if not found or not found.file:
        raise Http404("无此附件")
    try:
        current = state(found)
    except OSError as exc:  # the stored file is missing
        log.warning("preview: %s %s unreadable: %s", kind, ref, exc)
        current = State("failed")
    except Exception:  # a broker down, a converter bug: the record's page still opens, with the download
        log.exception("preview: %s %s", kind, ref)
        current = State("failed")
    viewer_url = reverse("township_office:preview", args=[kind, ref])
    pages = []
    if current.state == "ready":
        sizes = (_read_state(folder(current.sha256)) or {}).get("sizes") or []
        for number in range(1, current.pages + 1):
            width, height = sizes[number - 1] if number <= len(sizes) else (210, 297)
            pages.append(
                {
                    "number": number,
                    "url": f"{viewer_url}page/{number}.png?v={current.sha256[:12]}",
                    "width": PAGE_WIDTH,
                    "height": round(PAGE_WIDTH * height / width) if width else PAGE_WIDTH * 297 // 210,
                }
            )
    files = [
        {"name": name, "url": reverse("township_office:preview", args=[kind, other]), "current": other == str(ref)}
        for other, name in others
    ]
    return {
        "preview": found,
        "kind": kind,
        "state": current.state,
        "page_count": current.pages,
        "pages": pages,
        "viewer_url": viewer_url,
        "files": files if len(files) > 1 else [],
    }


if __name__ == "__main__":  # python -m township_office.preview ofd < file.ofd > file.pdf (see ofd_to_pdf)
    import sys

    if sys.argv[1:] != ["ofd"]:
        sys.exit("usage: python -m township_office.preview ofd < file.ofd > file.pdf")
    pdf_out = sys.stdout.buffer
    with contextlib.redirect_stdout(sys.stderr):  # the OFD code prints its progress
        pdf = _ofd_to_pdf_here(sys.stdin.buffer.read())
    pdf_out.write(pdf)


@shared_task(name="township_office.tasks.convert_preview")
def convert_preview(storage_name, fmt, sha256):
    """Office or OFD file → the cached PDF of its preview (the Celery task ``state()`` queues)."""
    return convert(storage_name, fmt, sha256)["state"]
