"""签收登记 (issue 23 §3): the chosen scans survive a form sent back with an error, required fields are marked, a
办理时限 in the past is refused."""

import os
import re
import time
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import time_machine
from django.core.files.storage import default_storage
from django.urls import reverse
from django.utils import timezone

from documents.models import IncomingDocument
from township_office import uploads

BEIJING = ZoneInfo("Asia/Shanghai")


def _form(**changes):
    data = {
        "signed_for_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "source_org": "县农业农村局",
        "title": "关于秸秆禁烧的通知",
        "doc_type": "通知",
        "secrecy": "none",
        "urgency": "normal",
        "copies": 1,
        "pages": 1,
        "nature": "for_action",
        "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
        **changes,
    }
    return {k: v for k, v in data.items() if v is not None}


def _held_tokens(page):
    return re.findall(r'name="held" value="([^"]+)" checked', page)


def test_scans_are_kept_when_the_form_comes_back_with_an_error(client_for, clerk, pdf_upload):
    client = client_for(clerk)
    response = client.post(
        reverse("documents:incoming_register"),
        _form(title="", attachments=[pdf_upload("第一页.pdf"), pdf_upload("第二页.pdf")]),
    )
    page = response.content.decode()
    assert response.status_code == 400 and not IncomingDocument.objects.exists()
    assert "第一页.pdf" in page and "第二页.pdf" in page and "无需重新选择" in page
    tokens = _held_tokens(page)
    assert len(tokens) == 2
    # sent again without choosing any file: both scans are attached, and no longer held
    response = client.post(reverse("documents:incoming_register"), _form(held=tokens))
    document = IncomingDocument.objects.get()
    assert response.status_code == 302
    assert sorted(document.attachments.values_list("name", flat=True)) == ["第一页.pdf", "第二页.pdf"]
    assert all(a.file.read().startswith(b"%PDF") for a in document.attachments.all())
    assert client.session[uploads.HELD_KEY] == {}


def test_an_unticked_held_scan_is_not_attached(client_for, clerk, pdf_upload):
    client = client_for(clerk)
    page = client.post(
        reverse("documents:incoming_register"),
        _form(title="", attachments=[pdf_upload("甲.pdf"), pdf_upload("乙.pdf")]),
    ).content.decode()
    first, _second = _held_tokens(page)
    client.post(reverse("documents:incoming_register"), _form(held=[first], attachments=[pdf_upload("丙.pdf")]))
    names = sorted(IncomingDocument.objects.get().attachments.values_list("name", flat=True))
    assert names == ["丙.pdf", "甲.pdf"]


def test_another_sessions_held_scan_is_nothing(client_for, clerk, office_director, pdf_upload, client):
    page = (
        client_for(clerk)
        .post(reverse("documents:incoming_register"), _form(title="", attachments=[pdf_upload("甲.pdf")]))
        .content.decode()
    )
    (token,) = _held_tokens(page)
    from django.test import Client

    other = Client()
    other.force_login(office_director)
    response = other.post(reverse("documents:incoming_register"), _form(held=[token]))
    assert response.status_code == 302 and not IncomingDocument.objects.get().attachments.exists()


def test_a_refused_scan_is_not_held_and_the_page_says_to_choose_again(client_for, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(clerk).post(
        reverse("documents:incoming_register"), _form(attachments=[SimpleUploadedFile("扫描件.pdf", b"MZ\x90\x00")])
    )
    page = response.content.decode()
    assert response.status_code == 400 and "不是可接受的格式" in page
    assert "未通过检查的文件没有保留，请重新选择" in page and _held_tokens(page) == []


def test_past_deadline_is_refused_at_0730_beijing(client_for, clerk):
    # 07:30 in Beijing is 23:30 UTC the day before: "yesterday" is Beijing's 25th, today the 26th is allowed
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        client = client_for(clerk)
        response = client.post(reverse("documents:incoming_register"), _form(deadline="2026-11-25"))
        assert response.status_code == 400 and "办理时限不能早于今天" in response.content.decode()
        assert not IncomingDocument.objects.exists()
        response = client.post(reverse("documents:incoming_register"), _form(deadline="2026-11-26"))
        assert response.status_code == 302


def test_phone_record_past_deadline_is_refused(client_for, clerk):
    data = _form(call_time=timezone.localtime().strftime("%Y-%m-%dT%H:%M"), caller="刘科长", content="通知开会")
    data["deadline"] = (timezone.localdate() - timedelta(days=1)).isoformat()
    response = client_for(clerk).post(reverse("documents:phone_register"), data)
    assert response.status_code == 400 and "办理时限不能早于今天" in response.content.decode()


def test_required_fields_are_marked(client_for, clerk):
    page = client_for(clerk).get(reverse("documents:incoming_register")).content.decode()
    assert "带 * 的为必填项" in page
    for name in ("source_org", "title"):
        assert re.search(rf'<div class="field required">\s*<label for="id_{name}">', page), name
    assert "办理时限（批办件必填）" in page and "保密期限（内部、工作秘密必填）" in page


def test_held_files_older_than_a_day_are_removed(client_for, clerk, pdf_upload):
    client = client_for(clerk)
    page = client.post(
        reverse("documents:incoming_register"), _form(title="", attachments=[pdf_upload("旧.pdf")])
    ).content.decode()
    (token,) = _held_tokens(page)
    path = client.session[uploads.HELD_KEY][token]["path"]
    assert default_storage.exists(path)
    old = time.time() - 25 * 3600  # held a day and an hour ago: the form was given up on
    os.utime(default_storage.path(path), (old, old))
    client.post(reverse("documents:incoming_register"), _form(title="", attachments=[pdf_upload("新.pdf")]))
    assert not default_storage.exists(path)
