"""The rules of the 2013 reception regulations, the 接待清单, the calendar and the totals."""

import io
from datetime import datetime, timedelta
from decimal import Decimal
from unittest import mock
from zoneinfo import ZoneInfo

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from reception import rules, workflow
from reception.models import Reception
from reception.permissions import visible_receptions
from township_office.models import AuditEvent
from township_office.steps import Refused

S = Reception.Status
SHANGHAI = ZoneInfo("Asia/Shanghai")


def fresh(reception):
    return Reception.objects.select_related("created_by", "approved_by").get(pk=reception.pk)


def test_clean_plan_has_no_breach(make_reception):
    assert rules.breaches(make_reception()) == []


def test_no_letter_no_approval(make_reception, clerk):
    reception = make_reception(letter_number="")
    with pytest.raises(Refused) as error:
        workflow.submit(reception, by=clerk)
    assert "第六条" in error.value.message
    assert fresh(reception).status == S.DRAFT


@pytest.mark.parametrize(
    "guests,diners,ok", [(10, 3, True), (10, 4, False), (12, 4, True), (12, 5, False), (30, 10, True), (30, 11, False)]
)
def test_accompanying_diner_limit(make_reception, guests, diners, ok):
    problems = rules.breaches(make_reception(guests=guests, diners=diners))
    assert (not any("陪餐人数" in p for p in problems)) is ok


def test_meal_standard(make_reception, settings):
    settings.RECEPTION_MEAL_STANDARD = 60
    assert any("超过标准 60 元" in p for p in rules.breaches(make_reception(meal_cost_per_person=Decimal("80"))))


@pytest.mark.parametrize(
    "field,word",
    [
        ("banners", "横幅"),
        ("welcome_crowd", "迎送"),
        ("gifts", "纪念品"),
        ("alcohol", "酒水"),
        ("cigarettes", "香烟"),
        ("premium_dishes", "高档菜肴"),
    ],
)
def test_banned_items(make_reception, field, word):
    assert any(word in p for p in rules.breaches(make_reception(**{field: True})))


def test_banned_words_in_free_text(make_reception):
    problems = rules.breaches(make_reception(meal_menu="家常菜，配茅台酒"))
    assert any("酒水" in p for p in problems)


def test_only_one_working_meal(make_reception):
    from reception.models import ItineraryItem

    reception = make_reception()
    ItineraryItem.objects.create(
        reception=reception, start=reception.start, end=reception.end, place="酒店", activity="晚宴"
    )
    assert any("工作餐一次" in p for p in rules.breaches(reception))


def test_room_and_leader_double_booking_across_receptions(make_reception, deputy):
    first = make_reception()
    second = make_reception(start=first.start + timedelta(minutes=30), visiting_unit="县财政局")
    problems = rules.breaches(second)
    assert any("一楼会议室" in p and "不能重复预订" in p for p in problems)
    assert any("陈刚" in p and "不能重复安排" in p for p in problems)


def test_rule_messages_show_beijing_time_at_0730_local(make_reception, deputy):
    """At 07:30 in Beijing (23:30 UTC the day before) a 09:30 reception is named by its Beijing time."""
    now = datetime(2026, 5, 11, 7, 30, tzinfo=SHANGHAI)
    with mock.patch("django.utils.timezone.now", return_value=now.astimezone(ZoneInfo("UTC"))):
        start = datetime(2026, 5, 11, 9, 30, tzinfo=SHANGHAI)
        make_reception(start=start)
        second = make_reception(start=start, visiting_unit="县财政局")
        problems = rules.breaches(second)
    room = next(p for p in problems if "不能重复预订" in p)
    leader = next(p for p in problems if "不能重复安排" in p)
    assert "05月11日 09:30" in room and "01:30" not in room
    assert leader.endswith("（05月11日 09:30），不能重复安排。")


def test_room_booked_twice_within_one_plan(make_reception, rooms):
    from reception.models import ItineraryItem

    reception = make_reception()
    ItineraryItem.objects.create(
        reception=reception,
        start=reception.start + timedelta(minutes=30),
        end=reception.start + timedelta(hours=2),
        place="会议室",
        activity="座谈",
        meeting_room=rooms["一楼会议室"],
    )
    assert any("本方案" in p and "不能重复预订" in p for p in rules.breaches(reception))


def test_close_builds_the_reception_list_with_matching_figures(make_reception, clerk, office_director, costs):
    reception = make_reception(start=timezone.now() - timedelta(days=1))
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    with pytest.raises(Refused, match="发票"):
        workflow.close(fresh(reception), by=clerk, costs=costs, attendees="陈刚", invoices=None)
    workflow.close(
        fresh(reception),
        by=clerk,
        costs=costs,
        attendees="陈刚、黄磊",
        invoices=SimpleUploadedFile("发票.pdf", b"%PDF-1.4"),
    )
    reception = fresh(reception)
    assert reception.status == S.CLOSED and reception.total_cost == Decimal("247.80")
    text = PdfReader(reception.reception_list.open("rb")).pages[0].extract_text().replace(" ", "")
    for expected in (
        "公务接待清单",
        "县农业农村局",
        "县农函〔2026〕56号",
        "来宾0",
        "听取汇报",
        "200.50",
        "35.00",
        "12.30",
        "247.80",
        "孙悦",
        "周丽",
    ):
        assert expected in text, expected
    today = timezone.localdate()
    assert f"{today.year}年{today.month}月{today.day}日" in text  # dated the day of closing, never in the future


def test_visibility_and_404(make_reception, clerk, deputy, deputy_mayor, staff, stranger, client_for):
    reception = make_reception()
    assert visible_receptions(clerk).filter(pk=reception.pk).exists()
    assert not visible_receptions(deputy).filter(pk=reception.pk).exists()  # a draft is the office's
    workflow.submit(reception, by=clerk)
    assert visible_receptions(deputy).filter(pk=reception.pk).exists()  # accompanying leader
    for user in (deputy_mayor, staff, stranger):
        assert client_for(user).get(reception.get_absolute_url()).status_code == 404


def test_list_query_count_is_constant(make_reception, client_for, clerk, django_assert_max_num_queries):
    client = client_for(clerk)
    make_reception(room=None, leaders=[])
    client.get(reverse("reception:list"))
    with django_assert_max_num_queries(14):
        assert client.get(reverse("reception:list")).status_code == 200
    for i in range(19):
        make_reception(room=None, leaders=[], visiting_unit=f"单位{i}")
    with django_assert_max_num_queries(14):
        page = client.get(reverse("reception:list")).content.decode()
    assert "单位18" in page


def test_calendar_and_totals(make_reception, client_for, clerk, office_director):
    reception = make_reception(start=timezone.now() - timedelta(days=1))
    client = client_for(clerk)
    local_day = timezone.localtime(reception.start).date()
    page = client.get(reverse("reception:calendar"), {"view": "week", "date": local_day.isoformat()})
    assert "县农业农村局" in page.content.decode() and "一楼会议室" in page.content.decode()
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    workflow.close(
        fresh(reception),
        by=clerk,
        costs={
            "meal_cost": Decimal("120"),
            "lodging_cost": Decimal("0"),
            "transport_cost": Decimal("0"),
            "other_cost": Decimal("0"),
        },
        attendees="陈刚",
        invoices=SimpleUploadedFile("发票.pdf", b"%PDF-1.4"),
    )
    year = timezone.localtime(reception.start).year
    page = client.get(reverse("reception:totals"), {"year": year}).content.decode()
    assert "120.00" in page and "<svg" in page
    xlsx = client.get(reverse("reception:totals"), {"year": year, "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(14, 6).value == 120.0 and sheet.title == f"{year}年接待费用"
    assert xlsx["Content-Disposition"].endswith(f"-{year}.xlsx") and "filename*=utf-8''" in xlsx["Content-Disposition"]
    assert AuditEvent.objects.filter(action="导出接待费用统计", comment=f"{year}年 Excel").count() == 1


@pytest.mark.parametrize(
    "query", [{"date": "9999-12-31"}, {"date": "0001-01-01"}, {"date": "abc"}, {"date": "2026-02-30"}, {"view": "x"}]
)
def test_calendar_bad_input_is_400_in_chinese(client_for, clerk, query):
    response = client_for(clerk).get(reverse("reception:calendar"), query)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'class="error"' in page and ("日期" in page or "选项" in page)


@pytest.mark.parametrize("year", ["0", "99999", "9" * 40, "abc", "-1", "２０２６"])
def test_totals_bad_year_is_400_in_chinese(client_for, office_director, year):
    for fmt in ("", "xlsx"):
        response = client_for(office_director).get(reverse("reception:totals"), {"year": year, "format": fmt})
        assert response.status_code == 400
        assert "年度应为 2000 至 2100 之间的四位数字。" in response.content.decode()


def test_totals_refused_to_departments(client_for, staff):
    assert client_for(staff).get(reverse("reception:totals")).status_code == 403


@pytest.mark.parametrize("query", [{"q": "a\x00b"}, {"q": "县" * 101}, {"status": "nosuch"}])
def test_list_bad_filter_is_400_in_chinese(client_for, clerk, query):
    response = client_for(clerk).get(reverse("reception:list"), query)
    assert response.status_code == 400 and 'class="error"' in response.content.decode()


def test_list_page_far_past_the_end(client_for, clerk, make_reception):
    make_reception()
    assert client_for(clerk).get(reverse("reception:list"), {"page": "99999999999"}).status_code == 200
