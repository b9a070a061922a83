"""The principal leaders' daily report shows the whole day (issue 23 §1): the same 来文/来电/来访 as the office
director's, a record the leader may not open as its kind, time and a masked description, an accusation naming him
only counted (「另有 N 件按规定回避」); on the page, in the PDF and in the morning task's PDF."""

import io
from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents import services as documents_services
from township_office.models import Department, Notification
from visitors import pdf, services, workflow
from visitors.tasks import send_daily_report

from .conftest import VALID_IDS

BEIJING = ZoneInfo("Asia/Shanghai")
SECTIONS = ("incoming", "calls", "visits", "new_cases")
ORDINARY_TITLE = "关于做好冬季森林防火工作的通知"
INTERNAL_TITLE = "关于甲乙丙丁人事安排的内部通知"
INTERNAL_PHONE = "县委办电话通知丙丁戊专项内部事宜"
ACCUSATION = "检举农业农村办公室违规发放补贴线索"
AGAINST_HIM = "举报书记本人违规问题线索"


@pytest.fixture
def day_of_records(township, clerk, front_desk, principal, register):
    """07:30 Beijing (23:30 UTC the day before): an ordinary file, a 内部 file and a 内部 phone notice (granted to
    the clerk and the office director only), an ordinary visit, an accusation against a department and one against
    the party secretary himself."""
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        for title, secrecy, kind in (
            (ORDINARY_TITLE, "none", "file"),
            (INTERNAL_TITLE, "internal", "file"),
            (INTERNAL_PHONE, "work_secret", "phone"),
        ):
            documents_services.register_incoming(
                by=clerk,
                data={"source_org": "县委办公室", "title": title, "secrecy": secrecy, "kind": kind},
            )
        register(name="普通来访人")
        accused = Department.objects.get(name="农业农村办公室")
        letter = register(name="检举人甲", id_number="", channel="letter", matter=ACCUSATION, phone="13911111111")
        workflow.open_case(letter, by=front_desk, petition_type="accusation", accused_department=accused)
        call = register(
            name="检举人乙", id_number=VALID_IDS[3], channel="call", matter=AGAINST_HIM, phone="13922222222"
        )
        workflow.open_case(call, by=front_desk, petition_type="accusation", accused_person=principal)
        yield timezone.localdate()


def _figures(report):
    return {section: report["counts"][section] for section in SECTIONS}


def test_principal_leader_counts_what_the_office_director_counts(day_of_records, principal, office_director):
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        his = services.daily_report(viewer=principal)
        director = services.daily_report(viewer=office_director)
    assert director["whole"] is False and his["whole"] is True
    assert _figures(director) == {"incoming": 2, "calls": 2, "visits": 2, "new_cases": 2}
    assert _figures(his) == _figures(director)
    # the 内部 file and phone notice: kind, time and a masked description, no link, no title
    masked = [line for line in his["incoming"] + his["calls"] if line["masked"]]
    assert [(m["number"], m["title"], m["when"], m["url"]) for m in masked] == [
        ("来文", "内部文件1件，请向办公室调阅", "11月26日 07:30", ""),
        ("电话记录", "工作秘密电话记录1件，请向办公室调阅", "11月26日 07:30", ""),
    ]
    # the ordinary file not routed to him: in full, without the link he would get 404 on
    (ordinary,) = [line for line in his["incoming"] if not line["masked"]]
    assert ordinary["title"] == ORDINARY_TITLE and ordinary["url"] == "" and ordinary["not_routed"]
    # the accusation against a department: 「检举控告件」; the one against him: counted under 回避 only
    assert [(v["number"], v["title"]) for v in his["visits"] if v["masked"]] == [("来信", "检举控告件")]
    assert [(c["number"], c["title"]) for c in his["new_cases"]] == [("信访事项", "检举控告件")]
    assert his["recused"]["calls"] == 1 and his["recused"]["new_cases"] == 1
    assert director["recused"] == dict.fromkeys(services.SECTIONS, 0)
    assert [c["title"] for c in his["calls"] if not c["masked"]] == []


def _assert_no_leak(text):
    for secret in (INTERNAL_TITLE, INTERNAL_PHONE, ACCUSATION, AGAINST_HIM, "检举人甲", "检举人乙"):
        assert secret not in text, secret


def test_principal_leaders_page_masks_and_counts(day_of_records, principal, office_director, client_for):
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        page = client_for(principal).get(reverse("visitors:daily_report")).content.decode()
        director = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    _assert_no_leak(page)
    assert "内部文件1件，请向办公室调阅" in page and "工作秘密电话记录1件，请向办公室调阅" in page
    assert "检举控告件" in page and page.count("另有 1 件按规定回避") == 2
    assert ORDINARY_TITLE in page and "全天事项均已列出" in page and "本汇报已按您的查阅权限筛选" not in page
    for title in ("来文", "来电", "来访（含来信）", "新增信访事项"):
        assert f'<h2>{title} <span class="badge">2</span></h2>' in page, title
        assert f'<h2>{title} <span class="badge">2</span></h2>' in director, title
    assert INTERNAL_TITLE in director and AGAINST_HIM in director and "本汇报已按您的查阅权限筛选" in director


def _pdf_text(content):
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages).replace(" ", "")


def test_principal_leaders_pdf_and_morning_task_mask_and_count(
    day_of_records, principal, client_for, django_capture_on_commit_callbacks
):
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        text = _pdf_text(pdf.daily_report(services.daily_report(viewer=principal)))
        with django_capture_on_commit_callbacks(execute=True):
            send_daily_report()
        note = Notification.objects.get(recipient=principal, title__contains="每日来文来电来访汇报")
        response = client_for(principal).get(note.url)
        morning = _pdf_text(b"".join(response.streaming_content))
    assert note.body.startswith("来文2件、来电2次、来访2批、新增信访2件")
    for content in (text, morning):
        _assert_no_leak(content)
        assert "来文（2件）" in content and "来电（2次）" in content and "来访（含来信，2批）" in content
        assert "新增信访事项（2件）" in content and content.count("另有1件按规定回避") == 2
        assert "内部文件1件，请向办公室调阅" in content and "检举控告件" in content
        assert ORDINARY_TITLE in content and "按阅读人的查阅权限筛选" not in content


def test_a_grant_opens_the_restricted_line(day_of_records, principal):
    from documents.models import IncomingDocument
    from township_office import permissions

    document = IncomingDocument.objects.get(title=INTERNAL_TITLE)
    permissions.grant(document, "view", users=[principal])
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        report = services.daily_report(viewer=principal)
    (line,) = [line for line in report["incoming"] if line["title"] == INTERNAL_TITLE]
    assert line["url"] == document.get_absolute_url() and not line["masked"] and not line["not_routed"]


def test_whole_day_queries_do_not_grow(day_of_records, principal, client_for, count_queries, clerk):
    client = client_for(principal)
    with time_machine.travel(datetime(2026, 11, 26, 7, 30, tzinfo=BEIJING), tick=False):
        one = count_queries(client, reverse("visitors:daily_report"))
        for i in range(5):
            documents_services.register_incoming(
                by=clerk,
                data={
                    "source_org": "县政府办公室",
                    "title": f"内部文件{i}",
                    "secrecy": "internal",
                    "deadline": timezone.localdate() + timedelta(days=1),
                },
            )
        assert count_queries(client, reverse("visitors:daily_report")) == one
