"""Every 公文 download goes through township_office.uploads.serve: typed by its content, and a file missing on disk
is the page "文件缺失，请联系系统管理员" (404, logged), never a server error."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from documents import services
from documents.models import BatchPrint

PDF = b"%PDF-1.4\n%%EOF\n"
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32


def _plant(record, field, content, name):
    """Store ``content`` as ``record.<field>`` under ``name``, whatever its extension says."""
    getattr(record, field).save(name, ContentFile(content), save=False)
    type(record).objects.filter(pk=record.pk).update(**{field: getattr(record, field).name})
    record.refresh_from_db()
    return getattr(record, field)


@pytest.fixture
def downloads(clerk, staff, drafted, pdf_upload):
    """name → (who may download it, its URL, its stored file)."""
    incoming = services.register_incoming(
        by=clerk, data={"source_org": "县政府", "title": "有附件的文件"}, files=[pdf_upload("扫描件.pdf")]
    )
    attachment = incoming.attachments.get()
    batch = BatchPrint.objects.create(
        requested_by=clerk, document_codes=[str(incoming.code)], status=BatchPrint.Status.DONE
    )
    return {
        "incoming_attachment": (
            clerk,
            reverse("documents:incoming_attachment", args=[incoming.code, attachment.pk]),
            lambda content, name: _plant(attachment, "file", content, name),
        ),
        "outgoing_body": (
            staff,
            reverse("documents:outgoing_body", args=[drafted.code]),
            lambda content, name: _plant(drafted, "body", content, name),
        ),
        "batch_download": (
            clerk,
            reverse("documents:batch_download", args=[batch.code]),
            lambda content, name: _plant(batch, "file", content, name),
        ),
    }


@pytest.mark.parametrize("name", ["incoming_attachment", "outgoing_body", "batch_download"])
def test_download_is_served_with_the_type_of_its_content(downloads, client_for, name):
    user, url, plant = downloads[name]
    plant(PNG, "页面.html")  # neither the stored name, nor the record's name (扫描件.pdf, 正文.pdf) says so
    response = client_for(user).get(url)
    assert response.status_code == 200
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert b"".join(response.streaming_content) == PNG


@pytest.mark.parametrize("name", ["incoming_attachment", "outgoing_body", "batch_download"])
def test_download_of_a_file_missing_on_disk_is_a_clear_page(downloads, client_for, name, caplog):
    user, url, plant = downloads[name]
    stored = plant(PDF, "正文.pdf")
    stored.storage.delete(stored.name)
    with caplog.at_level("ERROR", logger="township_office.uploads"):
        response = client_for(user).get(url)
    assert response.status_code == 404
    assert "文件缺失，请联系系统管理员" in response.content.decode()
    assert "Stored file missing" in caplog.text and stored.name in caplog.text and user.username in caplog.text


def test_outgoing_draft_without_a_body_is_404_not_a_missing_file(client_for, staff, pdf_upload, caplog):
    from township_office.models import IssuerCode

    draft = services.draft_outgoing(
        by=staff,
        data={"issuer_code": IssuerCode.objects.get(code="长政发"), "title": "尚无正文的草稿", "doc_type": "意见"},
        submit=False,
    )
    response = client_for(staff).get(reverse("documents:outgoing_body", args=[draft.code]))
    assert response.status_code == 404 and "file missing" not in caplog.text.lower()
