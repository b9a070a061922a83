import io
import zipfile

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from township_office.uploads import sha256_of, validate_upload


def _docx():
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w") as archive:
        archive.writestr("word/document.xml", "<w:document/>")
    return buffer.getvalue()


@pytest.mark.parametrize(
    "name,content,kind",
    [
        ("a.pdf", b"%PDF-1.7\n...", "pdf"),
        ("a.png", b"\x89PNG\r\n\x1a\n0000", "image"),
        ("a.jpg", b"\xff\xd8\xff\xe0000", "image"),
        ("a.docx", _docx(), "word"),
    ],
)
def test_accepts_by_content(name, content, kind):
    assert validate_upload(SimpleUploadedFile(name, content)) == kind


def test_renamed_executable_is_refused():
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("scan.pdf", b"MZ\x90\x00 this is an exe"))
    assert "不是可接受的格式" in error.value.messages[0]


def test_too_large_is_refused(settings):
    settings.MAX_UPLOAD_MB = 1
    with pytest.raises(ValidationError) as error:
        validate_upload(SimpleUploadedFile("big.pdf", b"%PDF-" + b"0" * (1024 * 1024)))
    assert "超过 1 MB" in error.value.messages[0]


def test_kinds_can_be_narrowed():
    with pytest.raises(ValidationError):
        validate_upload(SimpleUploadedFile("a.png", b"\x89PNG\r\n\x1a\n0000"), kinds=("pdf",))


def test_sha256_is_stable():
    f = SimpleUploadedFile("a.pdf", b"%PDF-1.7 hello")
    assert sha256_of(f) == sha256_of(f) and len(sha256_of(f)) == 64
