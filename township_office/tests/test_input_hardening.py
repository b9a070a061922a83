"""Pages, search words and uploads from hostile input: never a server error, never a file served as a page."""

import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import models
from django.db.models import Q
from django.db.models.fields.files import FieldFile
from django.test import RequestFactory

from tests.testapp.models import Dossier
from township_office import search, uploads
from township_office.pagination import MAX_PAGE, CappedPaginator, page_number, paginate

PDF = b"%PDF-1.7\n%%EOF\n"


# --- ?page= ---------------------------------------------------------------
@pytest.mark.parametrize(
    "raw,number",
    [
        ("3", 3),
        (" 3 ", 3),
        ("0", 1),
        ("-5", 1),
        ("abc", 1),
        ("a\x00b", 1),
        ("1.5", 1),
        ("1e5", 1),
        ("3_000", 1),
        ("²", 1),
        ("١٢", 12),
        ("9" * 30, MAX_PAGE),
        ("9" * 5000, MAX_PAGE),
        (None, 1),
        ("", 1),
        (10**40, MAX_PAGE),
    ],
)
def test_page_number(raw, number):
    assert page_number(raw) == number


@pytest.mark.parametrize("raw", ["999999999999999999999999", "-1", "0", "x", "\x00", "99999"])
def test_any_page_shows_a_page(db, raw):
    Dossier.objects.bulk_create([Dossier(title=f"卷{i}") for i in range(25)])
    request = RequestFactory().get("/", {"page": raw})
    page = paginate(request, Dossier.objects.order_by("pk"), 10)
    assert page.number in (1, 3)
    assert len(page.object_list) in (10, 5)


def test_far_past_the_end_is_the_last_page(db):
    Dossier.objects.bulk_create([Dossier(title=f"卷{i}") for i in range(25)])
    page = CappedPaginator(Dossier.objects.order_by("pk"), 10, number=10**30).get_page(10**30)
    assert page.number == 3 and [d.title for d in page] == ["卷20", "卷21", "卷22", "卷23", "卷24"]


# --- search ---------------------------------------------------------------
@pytest.mark.parametrize(
    "raw,cleaned",
    [("a\x00b", "ab"), (" 防汛\t抗旱\r\n", "防汛 抗旱"), ("\x00", ""), ("\ud800x", "x"), ("长" * 300, "长" * 200)],
)
def test_search_words_are_cleaned(raw, cleaned):
    assert search.clean(raw) == cleaned


@pytest.mark.parametrize("q", ["a\x00b", "森林\x00防火", "\x00\x00\x00", "防\x00", "\x01\x02\x7f防火工作", "x" * 5000])
def test_control_characters_in_search_never_fail(db, q):
    Dossier.objects.create(title="关于做好森林防火工作的通知")
    found = search.matching(Dossier.objects.all(), q, ["title"], extra=Q(title=q))
    assert list(found.values_list("title", flat=True)) in ([], ["关于做好森林防火工作的通知"])
    assert search.matching(Dossier.objects.all(), "森林\x00防火", ["title"]).count() == 1


def test_extra_condition_is_cleaned_but_kept(db):
    Dossier.objects.create(title="A1")
    Dossier.objects.create(title="其他")
    assert list(search.matching(Dossier.objects.all(), "zz\x00", ["title"], extra=Q(title="A\x001"))) == list(
        Dossier.objects.filter(title="A1")
    )


# --- uploads --------------------------------------------------------------
def _zip(member):
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr(member, "<x/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content",
    [
        ("page.html", PDF),
        ("scan.svg", b"\x89PNG\r\n\x1a\n0000"),
        ("正文.pdf", _zip("word/document.xml")),
        ("扫描件", PDF),
        ("a.pdf.html", PDF),
        ("photo.png", PDF),
    ],
)
def test_extension_must_match_the_content(name, content):
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(SimpleUploadedFile(name, content))
    assert error.value.code == "wrong_extension"
    assert "扩展名与内容不符" in error.value.messages[0]


@pytest.mark.parametrize(
    "name,content,kind",
    [("A.PDF", PDF, "pdf"), ("x.jpeg", b"\xff\xd8\xff\xe0000", "image"), ("x.xlsx", _zip("xl/workbook.xml"), "excel")],
)
def test_matching_extension_in_any_case_is_accepted(name, content, kind):
    assert uploads.validate_upload(SimpleUploadedFile(name, content)) == kind


def test_empty_file_is_refused():
    with pytest.raises(ValidationError) as error:
        uploads.validate_upload(SimpleUploadedFile("a.pdf", b""))
    assert error.value.code == "empty"


@pytest.mark.parametrize(
    "name,content,content_type",
    [
        ("page.html", PDF, "application/pdf"),
        ("x.pdf", b"<html><script>alert(1)</script>", "application/octet-stream"),
        ("x.png", b"\x89PNG\r\n\x1a\n0000", "image/png"),
        ("x.jpg", b"\xff\xd8\xff\xe0000", "image/jpeg"),
        ("x.tif", b"II*\x00000", "image/tiff"),
        (
            "x.docx",
            _zip("word/document.xml"),
            "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
        ),
        ("x.doc", _zip("word/document.xml"), "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
        ("x.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 8, "application/msword"),
        ("x.xls", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"0" * 8, "application/vnd.ms-excel"),
        ("x.ofd", _zip("OFD.xml"), "application/ofd"),
    ],
)
def test_content_type_is_sniffed(name, content, content_type):
    assert uploads.content_type_of(SimpleUploadedFile(name, content)) == content_type


@pytest.fixture
def stored(settings, tmp_path):
    settings.MEDIA_ROOT = str(tmp_path)
    from django.core.files.storage import default_storage

    def store(name, content):
        field = models.FileField(storage=default_storage)
        field.name = "file"
        return FieldFile(object(), field, default_storage.save(name, ContentFile(content)))

    return store


def test_serve_uses_the_sniffed_type(rf, stored, clerk):
    request = rf.get("/x")
    request.user = clerk
    response = uploads.serve(request, stored("evil.html", PDF), filename="来文.html")
    assert response.status_code == 200
    assert response["Content-Type"] == "application/pdf"
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]
    assert b"".join(response.streaming_content) == PDF
    assert uploads.content_type_of(stored("b.pdf", b"<html>")) == "application/octet-stream"


def test_missing_file_is_a_clear_page_and_logged(rf, stored, clerk, caplog):
    fieldfile = stored("gone.pdf", PDF)
    fieldfile.storage.delete(fieldfile.name)
    request = rf.get("/x")
    request.user = clerk
    response = uploads.serve(request, fieldfile)
    assert response.status_code == 404
    assert "文件缺失，请联系系统管理员" in response.content.decode()
    assert "gone.pdf" in caplog.text
