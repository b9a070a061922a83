"""来信 is its own form (issue 23 §2): no 集体访代表 block, the 来信人's address, the postmark, the scan of the letter
checked like every upload, kept when the form comes back with an error, and shown in the page's viewer with the
same 404 rule as the contact."""

import re
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from tests import preview_samples
from visitors import workflow
from visitors.models import Contact

BEIJING = ZoneInfo("Asia/Shanghai")


def scan(name="来信.pdf", data=None):
    return SimpleUploadedFile(name, data or preview_samples.pdf(1), content_type="application/pdf")


def letter_form(**changes):
    data = {
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "name": "王秀英",
        "address": "石桥村三组12号",
        "phone": "",
        "postmark_date": (timezone.localdate() - timedelta(days=2)).isoformat(),
        "category": "land",
        "matter": "来信反映承包地被占用",
        "outcome": "register",
        "action": "submit",
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def _held(page):
    return re.findall(r'name="held" value="([^"]+)" checked', page)


def test_the_letter_form_has_no_representatives_and_asks_for_postmark_and_scan(client_for, front_desk):
    page = client_for(front_desk).get(reverse("visitors:letter_register")).content.decode()
    assert "集体访代表" not in page and "reps-TOTAL_FORMS" not in page and 'name="people_count"' not in page
    assert 'name="postmark_date"' in page and 'name="letter_scan"' in page and 'enctype="multipart/form-data"' in page
    assert "来信人地址" in page and "收信时间" in page
    visit = client_for(front_desk).get(reverse("visitors:contact_register")).content.decode()
    assert 'value="letter"' not in visit and reverse("visitors:letter_register") in visit


def test_a_letter_is_registered_with_its_scan(client_for, front_desk):
    response = client_for(front_desk).post(reverse("visitors:letter_register"), letter_form(letter_scan=scan()))
    contact = Contact.objects.get()
    assert response.status_code == 302 and response.url == contact.get_absolute_url()
    assert contact.channel == Contact.Channel.LETTER and contact.people_count == 1
    assert contact.address == "石桥村三组12号" and contact.postmark_date == timezone.localdate() - timedelta(days=2)
    assert contact.letter_scan.read().startswith(b"%PDF")


@pytest.mark.parametrize(
    "changes,field,message",
    [
        ({"address": ""}, "address", "来信请登记来信人地址"),
        ({}, "letter_scan", "请上传来信扫描件"),
        ({"letter_scan": SimpleUploadedFile("来信.pdf", b"MZ\x90\x00")}, "letter_scan", "不是可接受的格式"),
        ({"letter_scan": SimpleUploadedFile("来信.html", b"%PDF-1.4\n%%EOF\n")}, "letter_scan", "扩展名与内容不符"),
        ({"postmark_date": "2099-01-01"}, "postmark_date", "邮戳日期不能晚于今天"),
    ],
)
def test_bad_letters_are_refused_beside_the_field(client_for, front_desk, changes, field, message):
    if "letter_scan" not in changes and field != "letter_scan":
        changes = {**changes, "letter_scan": scan()}
    response = client_for(front_desk).post(reverse("visitors:letter_register"), letter_form(**changes))
    page = response.content.decode()
    assert response.status_code == 400 and not Contact.objects.exists()
    error = page[page.index(f'id="id_{field}_error"') :][:300]
    assert message in error
    assert "请至少留下联系电话或住址" not in page  # a letter asks for the address, and only once
    assert "王秀英" in page  # what was typed is kept


def test_postmark_after_the_letter_came_is_refused_at_0730_beijing(client_for, front_desk):
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        data = letter_form(received_at="2026-11-25T16:00", postmark_date="2026-11-26", letter_scan=scan())
        response = client_for(front_desk).post(reverse("visitors:letter_register"), data)
        assert response.status_code == 400 and "邮戳日期不能晚于收信时间" in response.content.decode()
        data = letter_form(received_at="2026-11-26T07:00", postmark_date="2026-11-26", letter_scan=scan())
        assert client_for(front_desk).post(reverse("visitors:letter_register"), data).status_code == 302


def test_the_scan_is_kept_when_the_form_comes_back(client_for, front_desk):
    client = client_for(front_desk)
    page = client.post(reverse("visitors:letter_register"), letter_form(name="", letter_scan=scan("信.pdf"))).content
    page = page.decode()
    (token,) = _held(page)
    assert "信.pdf" in page and "无需重新选择" in page
    response = client.post(reverse("visitors:letter_register"), letter_form(held=token))
    assert response.status_code == 302
    assert Contact.objects.get().letter_scan.read().startswith(b"%PDF")


def test_a_letter_draft_is_completed_with_its_scan_later(client_for, front_desk):
    client = client_for(front_desk)
    response = client.post(reverse("visitors:letter_register"), letter_form(action="draft", address=""))
    contact = Contact.objects.get()
    assert response.status_code == 302 and contact.status == Contact.Status.DRAFT and not contact.letter_scan
    page = client.get(contact.get_edit_url()).content.decode()
    assert 'name="letter_scan"' in page and "集体访代表" not in page
    response = client.post(contact.get_edit_url(), letter_form(letter_scan=scan()))
    contact.refresh_from_db()
    assert response.status_code == 302 and contact.status == Contact.Status.OPEN and contact.letter_scan


@pytest.fixture
def letter(front_desk):
    contact = workflow.register_contact(
        by=front_desk,
        data={
            "channel": "letter",
            "received_at": timezone.now(),
            "name": "王秀英",
            "address": "石桥村",
            "matter": "来信反映问题",
            "letter_scan": scan(),
        },
    )
    return contact


def test_the_scan_is_shown_in_the_page_viewer(letter, client_for, front_desk):
    client = client_for(front_desk)
    page = client.get(letter.get_absolute_url()).content.decode()
    viewer = f"/preview/visitor-letter/{letter.code}/"
    assert viewer in page and "邮戳日期" in page
    assert client.get(viewer).status_code == 200
    image = client.get(f"{viewer}page/1.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"
    download = client.get(reverse("visitors:contact_letter_scan", args=[letter.code]))
    assert download.status_code == 200 and download["X-Content-Type-Options"] == "nosniff"


def test_a_stranger_gets_404_on_the_scan_and_its_viewer(letter, client_for, stranger, staff):
    for person in (stranger, staff):
        client = client_for(person)
        assert client.get(letter.get_absolute_url()).status_code == 404
        assert client.get(f"/preview/visitor-letter/{letter.code}/").status_code == 404
        assert client.get(f"/preview/visitor-letter/{letter.code}/page/1.png").status_code == 404
        assert client.get(reverse("visitors:contact_letter_scan", args=[letter.code])).status_code == 404


def test_a_letter_without_scan_has_no_viewer(front_desk, client_for):
    contact = workflow.register_contact(
        by=front_desk,
        data={"channel": "letter", "received_at": timezone.now(), "name": "甲", "address": "乙村", "matter": "丙"},
    )
    client = client_for(front_desk)
    assert "/preview/visitor-letter/" not in client.get(contact.get_absolute_url()).content.decode()
    assert client.get(f"/preview/visitor-letter/{contact.code}/").status_code == 404
    assert client.get(reverse("visitors:contact_letter_scan", args=[contact.code])).status_code == 404
