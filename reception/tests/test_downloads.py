"""The reception's files (公函, 发票, 接待清单) go through township_office.uploads.serve: typed by their content, and a
file missing on disk is the page "文件缺失，请联系系统管理员" (404, logged), never a server error."""

import pytest
from django.core.files.base import ContentFile
from django.urls import reverse

from reception.models import Reception

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
PDF = b"%PDF-1.4\n%%EOF\n"
FILES = {
    "letter_scan": "reception:letter_scan",
    "invoices": "reception:invoices",
    "reception_list": "reception:list_pdf",
}


def _plant(reception, field, content, name):
    getattr(reception, field).save(name, ContentFile(content), save=False)
    Reception.objects.filter(pk=reception.pk).update(**{field: getattr(reception, field).name})
    reception.refresh_from_db()
    return getattr(reception, field)


@pytest.mark.parametrize("field", FILES)
def test_reception_file_is_served_with_the_type_of_its_content(make_reception, client_for, clerk, field):
    reception = make_reception()
    _plant(reception, field, PNG, "文件.pdf")  # the name says PDF, the content is a PNG image
    response = client_for(clerk).get(reverse(FILES[field], args=[reception.code]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == PNG
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"


@pytest.mark.parametrize("field", FILES)
def test_reception_file_missing_on_disk_is_a_clear_page(make_reception, client_for, clerk, stranger, field, caplog):
    reception = make_reception()
    stored = _plant(reception, field, PDF, "文件.pdf")
    stored.storage.delete(stored.name)
    url = reverse(FILES[field], args=[reception.code])
    refused = client_for(stranger).get(url)  # the access check comes first
    assert refused.status_code == 404 and "文件缺失" not in refused.content.decode()
    with caplog.at_level("ERROR", logger="township_office.uploads"):
        response = client_for(clerk).get(url)
    assert response.status_code == 404 and "文件缺失，请联系系统管理员" in response.content.decode()
    assert "Stored file missing" in caplog.text and stored.name in caplog.text


def test_reception_list_opens_in_the_browser(make_reception, client_for, clerk):
    reception = make_reception()
    _plant(reception, "reception_list", PDF, "清单.pdf")
    response = client_for(clerk).get(reverse("reception:list_pdf", args=[reception.code]))
    assert response["Content-Type"] == "application/pdf" and response["Content-Disposition"].startswith("inline")
