"""Preview in the page: real files converted, pages served only through the record's access function."""

import shutil
from unittest import mock

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from documents.models import Secrecy
from tests import preview_samples
from township_office import preview
from township_office.models import AuditEvent

PNG_MAGIC = b"\x89PNG\r\n\x1a\n"
needs_libreoffice = pytest.mark.libreoffice


@pytest.fixture
def incoming(clerk):
    """incoming(name, data) → the 收文 and its one attachment."""

    def make(name, data, **fields):
        document = services.register_incoming(
            by=clerk,
            data={"source_org": "县应急管理局", "title": "关于做好冬季防火工作的通知", **fields},
            files=[SimpleUploadedFile(name, data)],
        )
        return document, document.attachments.get()

    return make


def viewer_url(attachment):
    return f"/preview/incoming-attachment/{attachment.pk}/"


def test_pdf_is_shown_page_by_page(client_for, clerk, incoming):
    _, attachment = incoming("通知.pdf", preview_samples.pdf(3))
    client = client_for(clerk)
    response = client.get(viewer_url(attachment))
    assert response.status_code == 200
    html = response.content.decode()
    assert "共 3 页" in html and html.count("<img ") == 3
    assert 'loading="lazy"' in html and "下载原文件" in html
    page = client.get(f"{viewer_url(attachment)}page/1.png")
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    assert b"".join(page.streaming_content).startswith(PNG_MAGIC)
    assert "no-store" in page["Cache-Control"]  # NoStoreMiddleware: no signed-in response is kept
    assert client.get(f"{viewer_url(attachment)}page/4.png").status_code == 404


def test_detail_page_opens_with_the_first_page(client_for, clerk, incoming):
    document, attachment = incoming("通知.pdf", preview_samples.pdf(2))
    html = client_for(clerk).get(f"/documents/incoming/{document.code}/").content.decode()
    assert f"{viewer_url(attachment)}page/1.png" in html
    assert "township_office/js/preview.js" in html


def test_stranger_gets_404(client_for, stranger, incoming):
    _, attachment = incoming("通知.pdf", preview_samples.pdf(1))
    client = client_for(stranger)
    assert client.get(viewer_url(attachment)).status_code == 404
    assert client.get(f"{viewer_url(attachment)}page/1.png").status_code == 404


def test_guessed_or_malformed_reference_gets_404(client_for, clerk, incoming):
    _, attachment = incoming("通知.pdf", preview_samples.pdf(1))
    client = client_for(clerk)
    assert client.get(f"/preview/incoming-attachment/{attachment.pk + 1000}/").status_code == 404
    assert client.get("/preview/incoming-attachment/abc/").status_code == 404
    assert client.get("/preview/outgoing-body/not-a-uuid/").status_code == 404
    assert client.get(f"/preview/no-such-kind/{attachment.pk}/").status_code == 404


def test_anonymous_is_sent_to_login(client, incoming):
    _, attachment = incoming("通知.pdf", preview_samples.pdf(1))
    assert client.get(viewer_url(attachment)).status_code == 302


def test_image_is_its_own_page_with_its_content_type(client_for, clerk, incoming):
    data = preview_samples.png()
    _, attachment = incoming("扫描件.png", data)
    client = client_for(clerk)
    assert "共 1 页" in client.get(viewer_url(attachment)).content.decode()
    page = client.get(f"{viewer_url(attachment)}page/1.png")
    assert page["Content-Type"] == "image/png"
    assert b"".join(page.streaming_content) == data


def test_unreadable_file_says_so_and_offers_the_download(client_for, clerk, incoming):
    _, attachment = incoming("坏文件.pdf", b"%PDF-1.4\n%%EOF\n")
    html = client_for(clerk).get(viewer_url(attachment)).content.decode()
    assert "该文件无法预览，请下载查看" in html
    assert f"/attachments/{attachment.pk}/" in html and "下载原文件" in html


def test_broken_ofd_says_so(client_for, clerk, incoming):
    _, attachment = incoming("坏文件.ofd", _zip({"OFD.xml": "<not-ofd/>"}))
    html = client_for(clerk).get(viewer_url(attachment)).content.decode()
    assert "该文件无法预览，请下载查看" in html


def test_ofd_is_converted_in_process_without_a_broker(client_for, clerk, incoming):
    _, attachment = incoming("通知.ofd", preview_samples.ofd(2))
    client = client_for(clerk)
    html = client.get(viewer_url(attachment)).content.decode()
    assert "共 2 页" in html
    page = client.get(f"{viewer_url(attachment)}page/2.png")
    assert page.status_code == 200 and b"".join(page.streaming_content).startswith(PNG_MAGIC)


def test_ofd_text_is_drawn_in_a_chinese_font(incoming, clerk):
    import subprocess

    _, attachment = incoming("通知.ofd", preview_samples.ofd(1))
    found = preview.resolve(clerk, "incoming-attachment", attachment.pk)
    current = preview.state(found)
    pdf = preview.folder(current.sha256) / "document.pdf"
    text = subprocess.run(["pdftotext", str(pdf), "-"], capture_output=True, check=True).stdout.decode()
    assert preview_samples.TEXT in text


def test_ofd_is_drawn_without_pymupdf():
    """The OFD path never imports PyMuPDF (fitz, AGPL-3.0): with the import made to fail, a sample still
    becomes a PDF of its pages, text included."""
    import subprocess
    import sys

    from django.conf import settings

    script = (  # what ofd_to_pdf runs (python -m township_office.preview ofd), with import fitz failing
        "import runpy, sys; sys.modules['fitz'] = sys.modules['pymupdf'] = None; sys.argv = ['preview', 'ofd']; "
        "runpy.run_module('township_office.preview', run_name='__main__')"
    )
    done = subprocess.run(
        [sys.executable, "-c", script],
        input=preview_samples.ofd(2),
        capture_output=True,
        check=False,
        cwd=settings.BASE_DIR,
        timeout=60,
    )
    assert done.returncode == 0, done.stderr.decode()[-500:]
    assert done.stdout.startswith(b"%PDF")
    text = subprocess.run(["pdftotext", "-", "-"], input=done.stdout, capture_output=True, check=True).stdout
    assert preview_samples.TEXT in text.decode()
    assert text.count(b"\f") == 2  # two pages


def test_no_agpl_package_is_installed():
    """PyMuPDF (AGPL-3.0) came in with easyofd; neither is a dependency any more (township_office/ofd)."""
    import importlib.util

    assert importlib.util.find_spec("fitz") is None
    assert importlib.util.find_spec("pymupdf") is None
    assert importlib.util.find_spec("easyofd") is None


@needs_libreoffice
def test_docx_is_converted_in_process_without_a_broker(client_for, clerk, incoming):
    _, attachment = incoming("通知.docx", preview_samples.docx(2))
    client = client_for(clerk)
    html = client.get(viewer_url(attachment)).content.decode()
    assert "共 2 页" in html
    page = client.get(f"{viewer_url(attachment)}page/1.png")
    assert page.status_code == 200 and b"".join(page.streaming_content).startswith(PNG_MAGIC)


@needs_libreoffice
def test_legacy_doc_and_wps_are_converted(client_for, clerk, incoming, tmp_path):
    import subprocess

    source = tmp_path / "通知.docx"
    source.write_bytes(preview_samples.docx(1))
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "doc",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    legacy = (tmp_path / "通知.doc").read_bytes()
    assert legacy.startswith(b"\xd0\xcf\x11\xe0")
    _, attachment = incoming("通知.wps", legacy)  # a WPS file is an OLE compound document too
    assert "共 1 页" in client_for(clerk).get(viewer_url(attachment)).content.decode()


def test_with_a_broker_the_request_only_queues_the_conversion(client_for, clerk, incoming):
    _, attachment = incoming("通知.ofd", preview_samples.ofd(1))
    client = client_for(clerk)
    with mock.patch("township_office.tasks.convert_preview.delay") as delay:
        html = client.get(viewer_url(attachment)).content.decode()
        assert "正在生成预览" in html and 'data-state="pending"' in html
        assert delay.call_count == 1
        client.get(viewer_url(attachment) + "?poll=1")
        assert delay.call_count == 1  # queued once, not at every poll
    storage_name, fmt, sha = delay.call_args.args
    assert fmt == "ofd"
    assert preview.convert(storage_name, fmt, sha)["state"] == "ready"  # what the worker runs
    assert "共 1 页" in client.get(viewer_url(attachment) + "?poll=1").content.decode()


def test_a_queued_conversion_is_timed_by_the_clock_that_queued_it(client_for, clerk, incoming):
    """The age of a queued conversion is read from the time written in its marker, not from the file's mtime
    (a PREVIEW_ROOT shared with a machine whose clock differs, or a clock moved on): fresh is not queued again,
    one older than PENDING_TIMEOUT is."""
    import os
    import time

    _, attachment = incoming("通知.ofd", preview_samples.ofd(1))
    found = preview.resolve(clerk, "incoming-attachment", attachment.pk)
    with mock.patch("township_office.tasks.convert_preview.delay") as delay:
        preview.state(found)
        assert delay.call_count == 1
        pending = preview.folder(preview.digest(found)) / "pending"
        os.utime(pending, (0, 0))  # the file system's clock says 1970
        preview.state(found)
        assert delay.call_count == 1
        pending.write_text(repr(time.time() - preview.PENDING_TIMEOUT - 1))
        os.utime(pending)  # and now: only the written time says it was lost
        preview.state(found)
        assert delay.call_count == 2


def test_same_content_is_converted_once(clerk, incoming):
    data = preview_samples.ofd(1)
    _, first = incoming("甲.ofd", data)
    _, second = incoming("乙.ofd", data)
    preview.state(preview.resolve(clerk, "incoming-attachment", first.pk))
    with mock.patch("township_office.tasks.convert_preview.delay") as delay:
        assert preview.state(preview.resolve(clerk, "incoming-attachment", second.pk)).state == "ready"
    delay.assert_not_called()


def test_opening_a_secret_file_is_audited(client_for, office_director, incoming):
    _, attachment = incoming("通知.pdf", preview_samples.pdf(1), secrecy=Secrecy.INTERNAL)
    client = client_for(office_director)
    before = AuditEvent.objects.filter(action="查阅内部文件").count()
    assert client.get(viewer_url(attachment)).status_code == 200
    page = client.get(f"{viewer_url(attachment)}page/1.png")
    assert AuditEvent.objects.filter(action="查阅内部文件").count() == before + 1
    assert "no-store" in page["Cache-Control"]


def test_libreoffice_is_installed_where_the_suite_runs():
    """CI installs the Makefile's Debian packages; the LibreOffice tests are skipped only without them."""
    if not shutil.which("soffice"):
        pytest.skip("LibreOffice not installed here (make system-deps installs it)")
    assert shutil.which("pdftoppm")


def _zip(members):
    import io
    import zipfile

    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        for name, text in members.items():
            archive.writestr(name, text)
    return buffer.getvalue()


def test_failed_conversion_is_tried_again_an_hour_later(clerk, incoming, monkeypatch):
    _, attachment = incoming("坏文件.ofd", _zip({"OFD.xml": "<not-ofd/>"}))
    found = preview.resolve(clerk, "incoming-attachment", attachment.pk)
    assert preview.state(found).state == "failed"
    with mock.patch("township_office.tasks.convert_preview.delay") as delay:
        assert preview.state(found).state == "failed"
        delay.assert_not_called()
        monkeypatch.setattr(preview, "RETRY_FAILED", -1)
        preview.state(found)
        delay.assert_called_once()


def test_multipage_tiff_scan_is_shown_frame_by_frame(client_for, clerk, incoming):
    import io

    from PIL import Image

    frames = [Image.new("RGB", (400, 560), color) for color in ("white", "lightgray")]
    buffer = io.BytesIO()
    frames[0].save(buffer, "TIFF", save_all=True, append_images=frames[1:])
    _, attachment = incoming("扫描件.tif", buffer.getvalue())
    client = client_for(clerk)
    assert "共 2 页" in client.get(viewer_url(attachment)).content.decode()
    page = client.get(f"{viewer_url(attachment)}page/2.png")
    assert page["Content-Type"] == "image/png"
    assert b"".join(page.streaming_content).startswith(PNG_MAGIC)


def test_large_photo_is_scaled_down_in_its_own_format(client_for, clerk, incoming):
    import io

    from PIL import Image

    buffer = io.BytesIO()
    Image.new("RGB", (4000, 3000), "white").save(buffer, "JPEG")
    _, attachment = incoming("公函照片.jpg", buffer.getvalue())
    page = client_for(clerk).get(f"{viewer_url(attachment)}page/1.png")
    assert page["Content-Type"] == "image/jpeg"
    with Image.open(io.BytesIO(b"".join(page.streaming_content))) as drawn:
        assert drawn.width == preview.PAGE_WIDTH * 2


@needs_libreoffice
def test_excel_and_et_are_converted(client_for, clerk, incoming, tmp_path):
    import io
    import subprocess

    from openpyxl import Workbook

    workbook = Workbook()
    workbook.active.append(["村（社区）", "防火巡查人数"])
    for row in range(1, 30):
        workbook.active.append([f"第{row}村", row])
    buffer = io.BytesIO()
    workbook.save(buffer)
    _, xlsx = incoming("统计表.xlsx", buffer.getvalue())
    client = client_for(clerk)
    assert "共 1 页" in client.get(viewer_url(xlsx)).content.decode()

    source = tmp_path / "统计表.xlsx"
    source.write_bytes(buffer.getvalue())
    subprocess.run(
        ["soffice", f"-env:UserInstallation={(tmp_path / 'profile').as_uri()}", "--headless", "--convert-to", "xls",
         "--outdir", str(tmp_path), str(source)],
        capture_output=True, check=True, timeout=120,
    )  # fmt: skip
    _, et = incoming("统计表.et", (tmp_path / "统计表.xls").read_bytes())  # WPS 表格: an OLE workbook
    assert "共 1 页" in client.get(viewer_url(et)).content.decode()
    assert client.get(f"{viewer_url(et)}page/1.png").status_code == 200


def test_first_pdf_page_is_drawn_while_the_detail_page_is_sent(client_for, clerk, incoming):
    import time

    document, attachment = incoming("通知.pdf", preview_samples.pdf(2))
    client_for(clerk).get(f"/documents/incoming/{document.code}/")
    found = preview.resolve(clerk, "incoming-attachment", attachment.pk)
    drawn = preview.folder(preview.digest(found)) / "page-1.png"
    deadline = time.monotonic() + 20
    while not drawn.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert drawn.read_bytes().startswith(PNG_MAGIC)
    assert not (drawn.parent / "page-2.png").exists()  # the others when the browser asks


def test_viewer_is_a_fragment_for_the_script_and_a_page_without_it(client_for, clerk, incoming):
    _, attachment = incoming("通知.pdf", preview_samples.pdf(1))
    client = client_for(clerk)
    fragment = client.get(viewer_url(attachment), headers={"X-Preview-Fragment": "1"}).content.decode()
    assert fragment.lstrip().startswith("<section") and "<html" not in fragment
    page = client.get(viewer_url(attachment)).content.decode()
    assert "<html" in page and "共 1 页" in page and "township_office/js/preview.js" in page


def test_a_broken_queue_does_not_break_the_detail_page(client_for, clerk, incoming):
    document, _ = incoming("通知.ofd", preview_samples.ofd(1))
    with mock.patch("township_office.tasks.convert_preview.delay", side_effect=ConnectionError("broker down")):
        response = client_for(clerk).get(f"/documents/incoming/{document.code}/")
    assert response.status_code == 200
    assert "该文件无法预览，请下载查看" in response.content.decode()


def test_a_conversion_past_its_time_limit_says_so(client_for, clerk, incoming, monkeypatch):
    monkeypatch.setattr(preview, "_timeout", lambda: 0.01)  # the child process cannot even start in time
    _, attachment = incoming("通知.ofd", preview_samples.ofd(1))
    html = client_for(clerk).get(viewer_url(attachment)).content.decode()
    assert "该文件无法预览，请下载查看" in html
