"""Issue 12/13 for visitors: accusations never reach the accused, identity data normalised, the township's case
prefix, 信访 deadlines, the daily report (links, marks, Beijing days, made without a broker), bad input."""

import csv
import io
from datetime import UTC, datetime, timedelta
from unittest import mock

import pytest
from django.urls import reverse
from django.utils import timezone
from openpyxl import load_workbook

from township_office import worklist
from township_office.models import Notification, Township, WorkItem
from township_office.steps import Refused
from visitors import daily, services, workflow
from visitors.idnumber import normalise_id_number, validate_id_number
from visitors.models import Contact, DailyReport, PetitionCase
from visitors.permissions import visible_cases, visible_contacts
from visitors.phones import normalise_phone

from .conftest import VALID_IDS, registration_form

S = PetitionCase.Status


def _accept_form(case, **data):
    return {f"accept-{key}": value for key, value in data.items()}


# --- Accusations ------------------------------------------------------------------------------------------


@pytest.fixture
def accusation(register, front_desk, departments):
    """An accusation against 农业农村办公室 (黄磊's department; 陈刚 is in charge of it)."""
    contact = register(name="举报人甲", id_number=VALID_IDS[3], phone="13922222222", matter="举报农业农村办违规收费")
    return workflow.open_case(
        contact, by=front_desk, petition_type="accusation", accused_department=departments["农业农村办公室"]
    )


def test_accusation_form_refuses_the_accused_beside_the_field(
    accusation, client_for, office_director, deputy, deputy_mayor, departments
):
    url = reverse("visitors:case_step", args=[accusation.code, "accept"])
    data = {
        "notice_text": "已受理",
        "severity": "minor",
        "leader": deputy.pk,
        "lead_department": departments["农业农村办公室"].pk,
        "deadline": (timezone.localdate() + timedelta(days=30)).isoformat(),
    }
    response = client_for(office_director).post(url, _accept_form(accusation, **data))
    page = response.content.decode()
    assert response.status_code == 400
    assert "不得由被反映人或被反映部门的分管领导批示" in page and "不得交被反映部门" in page
    assert 'class="field has-error required">\n  <label for="id_accept-leader">' in page
    accusation.refresh_from_db()
    assert accusation.status == S.REGISTERED and not WorkItem.objects.filter(step="instruct").exists()
    data.update(leader=deputy_mayor.pk, lead_department=departments["纪检监察办公室"].pk)
    assert client_for(office_director).post(url, _accept_form(accusation, **data)).status_code == 302


def test_accusation_hidden_from_the_leader_in_charge_everywhere(
    accept, accusation, client_for, office_director, deputy, deputy_mayor, staff, departments
):
    accept(accusation, leader=deputy_mayor, lead_department=departments["纪检监察办公室"])
    for user in (deputy, staff):  # the leader in charge of the accused department, and one of its members
        assert not visible_cases(user).filter(pk=accusation.pk).exists()
        assert not visible_contacts(user).filter(pk=accusation.contact_id).exists()
        client = client_for(user)
        assert client.get(accusation.get_absolute_url()).status_code == 404
        for url in (reverse("visitors:case_list"), reverse("visitors:case_list") + "?q=举报人甲"):
            assert "举报农业农村办违规收费" not in client.get(url).content.decode()
        assert not worklist.waiting(user).exists()
        assert not Notification.objects.filter(recipient=user).exists()
        todo = client.get(reverse("township_office:todo")).content.decode()
        assert "举报" not in todo
    assert worklist.waiting(deputy_mayor).get().step == "instruct"


def test_accusation_not_given_to_the_accused_by_reassign(
    accept, accusation, client_for, office_director, deputy, deputy_mayor, departments
):
    accept(accusation, leader=deputy_mayor, lead_department=departments["纪检监察办公室"])
    item = worklist.open_items(accusation, "instruct").get()
    response = client_for(office_director).post(
        reverse("township_office:work_item_reassign", args=[item.pk]),
        {f"reassign-{item.pk}-to_user": deputy.pk, f"reassign-{item.pk}-reason": "陈刚出差"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is None and PetitionCase.objects.get(pk=accusation.pk).instructing_leader == deputy_mayor


def test_daily_report_hides_an_accusation_from_the_leader_in_charge(
    accusation, client_for, principal, office_director, township
):
    from township_office.models import Department, Position

    in_charge = Position.objects.get(user=principal)
    in_charge.in_charge_of.add(Department.objects.get(name="农业农村办公室"))
    page = client_for(principal).get(reverse("visitors:daily_report")).content.decode()
    assert accusation.number not in page and "举报农业农村办违规收费" not in page
    assert accusation.number in client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    (report,) = [r for r in daily.produce() if r.recipient == principal]
    from pypdf import PdfReader

    text = PdfReader(report.file.path).pages[0].extract_text().replace(" ", "")
    assert "举报农业农村办违规收费" not in text


# --- Identity and contact data ------------------------------------------------------------------------------


def test_id_numbers_normalised_and_checked():
    assert normalise_id_number(" ３３０１０６ １９８００１０１００２ｘ") == "33010619800101002X"
    assert validate_id_number("３３０１０６１９８００１０１００２１") == "330106198001010021"
    with pytest.raises(Exception, match="只能由数字"):
        validate_id_number("33010619800101002²")
    with pytest.raises(Exception, match="省级行政区划代码"):
        first17 = "99010619800101002"
        from visitors.idnumber import check_character

        validate_id_number(first17 + check_character(first17))
    first17 = "81999919800101002"  # Hong Kong, an unknown county code: accepted
    from visitors.idnumber import check_character

    assert validate_id_number(first17 + check_character(first17))


def test_superscript_id_number_is_a_form_error_not_a_500(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("visitors:contact_register"), registration_form(id_number="33010619750312001⁵")
    )
    assert response.status_code == 400 and "只能由数字" in response.content.decode()
    assert not Contact.objects.exists()


def test_phone_numbers_are_one_caller(register, client_for, front_desk):
    assert normalise_phone("138 0013 8000") == normalise_phone("+86 138-0013-8000") == "13800138000"
    assert normalise_phone("(0571)6123 4567") == "0571-61234567"
    first = register(phone="138 0013 8000", id_number="", channel="call")
    second = register(name="李四", phone="13800138000", id_number=VALID_IDS[2])
    assert list(workflow.earlier_contacts(second)) == [first]
    page = client_for(front_desk).get(reverse("visitors:contact_list"), {"q": "138 0013 8000"}).content.decode()
    assert page.count(first.get_absolute_url()) == 1 and second.get_absolute_url() in page
    page = (
        client_for(front_desk)
        .get(reverse("visitors:contact_list"), {"q": "３３０１２２１９９００２１５１２３４"})
        .content.decode()
    )
    assert second.get_absolute_url() in page and first.get_absolute_url() not in page


def test_invalid_phone_is_a_form_error(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("visitors:contact_register"),
        registration_form(
            channel="call", name="来电人", id_number=None, phone="12345", category="other", matter="咨询"
        ),
    )
    assert response.status_code == 400 and "请填写有效的电话号码" in response.content.decode()


# --- Case number prefix and deadlines ----------------------------------------------------------------------


def test_case_number_prefix_comes_from_the_township(register, front_desk):
    first = workflow.open_case(register(), by=front_desk, petition_type="claim")
    assert first.number.startswith("长信〔")
    Township.objects.update(case_number_prefix="官信")
    second = workflow.open_case(register(name="李四", id_number=VALID_IDS[2]), by=front_desk, petition_type="claim")
    assert second.number == f"官信〔{second.year}〕{second.serial}号"
    assert PetitionCase.objects.get(pk=first.pk).number.startswith("长信〔")  # an issued number stays


def test_deadline_prefilled_shortened_never_lengthened(
    register, front_desk, office_director, client_for, deputy, departments
):
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    page = client_for(office_director).get(case.get_absolute_url() + "?step=accept").content.decode()
    limit = timezone.localdate() + timedelta(days=60)
    assert f'value="{limit.isoformat()}"' in page and "不超过60日" in page
    data = {
        "notice_text": "已受理",
        "severity": "minor",
        "leader": deputy.pk,
        "lead_department": departments["自然资源所"].pk,
        "deadline": (timezone.localdate() + timedelta(days=20)).isoformat(),
    }
    url = reverse("visitors:case_step", args=[case.code, "accept"])
    assert client_for(office_director).post(url, _accept_form(case, **data)).status_code == 302
    assert PetitionCase.objects.get(pk=case.pk).deadline == timezone.localdate() + timedelta(days=20)


def test_unstaffed_department_and_disabled_leader_refused(
    register, front_desk, office_director, client_for, deputy, departments
):
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    page = client_for(office_director).get(case.get_absolute_url() + "?step=accept").content.decode()
    assert "综合文化站（无账号）" in page
    deputy.is_active = False
    deputy.save(update_fields=["is_active"])
    data = {
        "notice_text": "已受理",
        "severity": "minor",
        "leader": deputy.pk,
        "lead_department": departments["综合文化站"].pk,
        "deadline": timezone.localdate().isoformat(),
    }
    response = client_for(office_director).post(
        reverse("visitors:case_step", args=[case.code, "accept"]), _accept_form(case, **data)
    )
    page = response.content.decode()
    assert response.status_code == 400 and "没有可用的用户账号" in page and "所选领导没有可用账号" in page


# --- Daily report -----------------------------------------------------------------------------------------


def _at_0730_beijing(day):
    """23:30 UTC the day before = 07:30 in Beijing on ``day``."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(minutes=30)


def test_daily_report_days_are_beijing_days(register, office_director):
    day = timezone.localdate()
    now = _at_0730_beijing(day)
    late_yesterday = register(channel="call", id_number="", name="昨晚来电")  # 23:50 Beijing the day before
    Contact.objects.filter(pk=late_yesterday.pk).update(received_at=now - timedelta(hours=7, minutes=40))
    too_old = register(channel="call", id_number="", name="前天深夜来电")  # 23:50 Beijing two days before
    Contact.objects.filter(pk=too_old.pk).update(received_at=now - timedelta(days=1, hours=7, minutes=40))
    with mock.patch("django.utils.timezone.now", return_value=now):
        assert timezone.localdate() == day
        report = services.daily_report(viewer=office_director)
    assert [line["source"] for line in report["calls"]] == ["昨晚来电"]


def test_morning_pdf_made_by_the_first_request_after_the_hour(register, principal, mayor, settings, township):
    settings.DAILY_REPORT_HOUR, settings.DAILY_REPORT_MINUTE = 7, 30
    day = timezone.localdate()
    daily._checked["day"] = None
    with mock.patch("django.utils.timezone.now", return_value=_at_0730_beijing(day) - timedelta(minutes=1)):
        assert daily.make_sure() == []  # 07:29: not yet
    with mock.patch("django.utils.timezone.now", return_value=_at_0730_beijing(day)):
        made = daily.make_sure()
        assert {r.recipient for r in made} == {principal, mayor}
        assert daily.make_sure() == []  # once per process and day
    assert DailyReport.objects.filter(date=day).count() == 2
    note = Notification.objects.get(recipient=principal, title__contains="每日来文来电来访汇报")
    assert note.url == reverse(
        "visitors:daily_report_pdf", args=[made[0].pk if made[0].recipient == principal else made[1].pk]
    )


def test_request_started_makes_the_pdf_on_the_embedded_default(client_for, principal, settings, township):
    settings.DAILY_REPORT_IN_PROCESS = True
    settings.DAILY_REPORT_HOUR, settings.DAILY_REPORT_MINUTE = 0, 0
    daily._checked["day"] = None
    client_for(principal).get(reverse("township_office:todo"))
    assert DailyReport.objects.filter(recipient=principal, date=timezone.localdate()).exists()
    assert Notification.objects.filter(recipient=principal, title__contains="每日来文来电来访汇报").exists()


def test_generate_button_for_readers_only(client_for, principal, office_director, front_desk, mayor, township):
    for user in (front_desk,):
        assert client_for(user).post(reverse("visitors:daily_report_generate")).status_code == 403
    page = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    assert "生成今日汇报" in page
    response = client_for(office_director).post(reverse("visitors:daily_report_generate"))
    assert response.status_code == 302 and DailyReport.objects.count() == 2
    mine = DailyReport.objects.get(recipient=principal)
    assert client_for(principal).get(reverse("visitors:daily_report_pdf", args=[mine.pk])).status_code == 200
    assert client_for(mayor).get(reverse("visitors:daily_report_pdf", args=[mine.pk])).status_code == 404


def test_daily_report_marks_group_visits_and_overdue(register, front_desk, client_for, office_director, township):
    group = workflow.register_contact(
        by=front_desk,
        data={
            "channel": "visit",
            "name": "石桥村村民",
            "id_number": VALID_IDS[0],
            "phone": "13905710007",
            "matter": "集体反映征地补偿",
            "people_count": 12,
        },
        representatives=[{"name": "代表甲"}],
    )
    case = workflow.open_case(group, by=front_desk, petition_type="claim")
    PetitionCase.objects.filter(pk=case.pk).update(received_on=timezone.localdate() - timedelta(days=20))
    page = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    # the visit's line and the overdue case's line both say how many came
    assert page.count("集体访 12人") == 2 and "已逾期" in page
    assert f'<a href="{group.get_absolute_url()}">' in page and f'<a href="{case.get_absolute_url()}">' in page


# --- Bad input --------------------------------------------------------------------------------------------


def test_nul_bytes_and_far_pages_never_500(register, client_for, front_desk):
    register()
    client = client_for(front_desk)
    for url in (reverse("visitors:contact_list"), reverse("visitors:case_list")):
        for query in ("?q=a%00b", "?q=%00", "?page=99999999999999999999999", "?page=-3", "?page=abc", "?q=张%00"):
            assert client.get(url + query).status_code == 200, url + query


def test_exports_escape_formulas(register, front_desk, client_for, office_director):
    contact = register(name='=HYPERLINK("http://x")', matter="+1 -2 @SUM")
    workflow.open_case(contact, by=front_desk, petition_type="claim")
    client = client_for(office_director)
    text = client.get(reverse("visitors:case_list"), {"format": "csv"}).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[3] == '\'=HYPERLINK("http://x")' and row[10] == "'+1 -2 @SUM"
    sheet = load_workbook(io.BytesIO(client.get(reverse("visitors:case_list"), {"format": "xlsx"}).content)).active
    assert sheet.cell(2, 4).value == '\'=HYPERLINK("http://x")' and sheet.cell(2, 4).data_type == "s"


def test_refused_submit_of_case_steps_with_bad_ids(accepted, client_for, office_director):
    response = client_for(office_director).post(
        reverse("visitors:case_step", args=[accepted.code, "report_up"]), {"report_up-text": "a\x00b"}
    )
    assert response.status_code == 400
    with pytest.raises(Refused):
        workflow.report_up(accepted, by=office_director, text="x")


def test_data_migration_normalises_rows_and_backfills_work_items(front_desk, office_director, deputy, departments):
    """Rows written before the steps (no Matter, no work item, numbers as typed) get what the steps would write."""
    from importlib import import_module

    from django.apps import apps

    from township_office.models import Matter

    migration = import_module("visitors.migrations.0005_normalise_and_work_items")
    waiting = Contact.objects.create(
        received_by=front_desk, name="旧来电", phone="139 0571 0001", matter="旧登记", channel="call"
    )
    visit = Contact.objects.create(
        received_by=front_desk,
        name="旧来访",
        id_number="３３０１０６１９８００１０１００２１",
        phone="13905710002",
        matter="旧来访",
        status=Contact.Status.CASE,
    )
    handling = PetitionCase.objects.create(
        contact=visit,
        prefix="长信",
        year=2026,
        serial=1,
        petition_type="claim",
        category="land",
        received_on=timezone.localdate(),
        status=S.HANDLING,
        instructing_leader=deputy,
        lead_department=departments["自然资源所"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    migration.normalise(apps, None)
    migration.opened_by(apps, None)
    migration.work_items(apps, None)
    waiting.refresh_from_db()
    visit.refresh_from_db()
    assert waiting.phone == "13905710001" and visit.id_number == "330106198001010021"
    assert PetitionCase.objects.get(pk=handling.pk).opened_by == front_desk  # the registering person
    assert Matter.objects.filter(initiator=front_desk).count() == 3
    assert worklist.waiting(front_desk).get().matter.title.startswith("来电 旧来电")
    item = WorkItem.objects.get(step="report_progress")
    assert item.department == departments["自然资源所"] and item.due == handling.deadline
    migration.work_items(apps, None)  # run twice: nothing doubled
    assert Matter.objects.count() == 3 and WorkItem.objects.count() == 2


def test_unknown_filter_values_are_told_with_400(client_for, front_desk, township):
    client = client_for(front_desk)
    response = client.get(reverse("visitors:case_list"), {"status": "nonsense"})
    assert response.status_code == 400 and "没有这个状态" in response.content.decode()
    response = client.get(reverse("visitors:contact_list"), {"channel": "x\x00"})
    assert response.status_code == 400 and "没有这个渠道" in response.content.decode()


def test_repeat_count_leaves_out_an_accusation_the_reader_must_not_see(
    accept, register, front_desk, office_director, deputy, client_for, departments
):
    first = register(name="张建军")
    workflow.open_case(first, by=front_desk, petition_type="accusation", accused_department=departments["自然资源所"])
    case = workflow.open_case(register(name="张建军"), by=front_desk, petition_type="claim")
    accept(case, leader=deputy, lead_department=departments["财政所"])
    assert "重复信访（此前 1 次）" in client_for(office_director).get(case.get_absolute_url()).content.decode()
    page = client_for(deputy).get(case.get_absolute_url()).content.decode()  # 陈刚 is in charge of 自然资源所
    assert case.number in page and "重复信访" not in page


@pytest.mark.parametrize("reader", ["office_director", "principal", "mayor"])
def test_daily_report_queries_do_not_grow_with_the_lines(
    request, reader, register, front_desk, client_for, count_queries
):
    """At most 12 queries, whatever the reader and however many contacts, cases and lines (the bench's target)."""
    client = client_for(request.getfixturevalue(reader))
    workflow.open_case(register(), by=front_desk, petition_type="claim")
    one = count_queries(client, reverse("visitors:daily_report"))
    assert one <= 12
    for i in range(15):
        workflow.open_case(register(name=f"信访人{i}", phone=f"139000001{i:02d}"), by=front_desk, petition_type="claim")
    register(name="只登记未立案")
    assert count_queries(client, reverse("visitors:daily_report")) == one


@pytest.mark.parametrize("value", ["0001-01-01T00:00", "9999-12-31T23:59", "abc"])
def test_unreasonable_registration_times_are_form_errors(client_for, front_desk, value):
    response = client_for(front_desk).post(
        reverse("visitors:contact_register"),
        registration_form(
            channel="call", received_at=value, name="来电人", id_number=None, category="other", matter="咨询"
        ),
    )
    assert response.status_code == 400 and not Contact.objects.exists()


HUGE = "99999999999999999999999"


@pytest.mark.parametrize("field", ["leader", "lead_department", "support_departments"])
def test_huge_ids_in_choices_are_form_errors(
    field, register, front_desk, office_director, client_for, deputy, departments
):
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    data = {
        "accept-notice_text": "已受理",
        "accept-severity": "minor",
        "accept-leader": deputy.pk,
        "accept-lead_department": departments["自然资源所"].pk,
        "accept-deadline": timezone.localdate().isoformat(),
        f"accept-{field}": HUGE,
    }
    response = client_for(office_director).post(reverse("visitors:case_step", args=[case.code, "accept"]), data)
    assert response.status_code == 400 and PetitionCase.objects.get(pk=case.pk).status == S.REGISTERED


def test_huge_ids_when_opening_a_case_are_form_errors(register, front_desk, client_for):
    contact = register()
    response = client_for(front_desk).post(
        reverse("visitors:contact_step", args=[contact.code, "open_case"]),
        {
            "open_case-petition_type": "accusation",
            "open_case-accused_department": HUGE,
            "open_case-accused_person": HUGE,
        },
    )
    assert response.status_code == 400 and not contact.cases.exists()


def test_in_process_only_without_a_broker(settings):
    settings.CELERY_BROKER_URL = "redis://127.0.0.1:6379/0"
    assert daily.in_process() is False  # beat does it
    settings.CELERY_BROKER_URL = ""
    assert daily.in_process() is False  # the test environment: the tests call produce() themselves
    settings.DAILY_REPORT_IN_PROCESS = True
    assert daily.in_process() is True


def test_exports_escape_through_the_shared_safe_cell(register, front_desk, client_for, office_director):
    """One escaping rule for every export (township_office.exports.safe_cell): a full-width ＝ is a formula to
    some spreadsheets, a plain negative number is a number."""
    contact = register(name="＝HYPERLINK(1)", matter="-12.5")
    workflow.open_case(contact, by=front_desk, petition_type="claim")
    client = client_for(office_director)
    text = client.get(reverse("visitors:case_list"), {"format": "csv"}).content.decode("utf-8-sig")
    row = list(csv.reader(io.StringIO(text)))[1]
    assert row[3].startswith("'") and row[3][1:] in ("＝HYPERLINK(1)", "=HYPERLINK(1)") and row[10] == "-12.5"


def test_daily_report_pdf_missing_on_disk_is_a_clear_page(client_for, principal, township, caplog):
    from django.core.files.base import ContentFile

    report = DailyReport(date=timezone.localdate(), recipient=principal)
    report.file.save("daily.pdf", ContentFile(b"%PDF-1.4\n%%EOF\n"))
    report.file.storage.delete(report.file.name)
    with caplog.at_level("ERROR", logger="township_office.uploads"):
        response = client_for(principal).get(reverse("visitors:daily_report_pdf", args=[report.pk]))
    assert response.status_code == 404 and "文件缺失，请联系系统管理员" in response.content.decode()
    assert report.file.name in caplog.text
