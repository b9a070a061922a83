import io
from datetime import timedelta

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from township_office.models import AuditEvent, Notification
from township_office.steps import Refused
from township_office.workflow import TransitionNotAllowed
from visitors import services, workflow
from visitors.idnumber import mask, validate_id_number
from visitors.models import Contact, PetitionCase
from visitors.permissions import visible_cases
from visitors.tasks import send_daily_report, send_reminders

from .conftest import VALID_IDS, registration_form

S = PetitionCase.Status


@pytest.mark.parametrize("value", VALID_IDS)
def test_valid_id_numbers(value):
    assert validate_id_number(value.lower()) == value


@pytest.mark.parametrize(
    "value,message",
    [
        ("33010619800101002", "18位"),
        ("330106198001010022", "校验位"),
        ("330106198013010021", "出生日期"),
        ("33010619800101002Y", "只能由数字"),
    ],
)
def test_invalid_id_numbers(value, message):
    with pytest.raises(ValidationError) as error:
        validate_id_number(value)
    assert message in error.value.messages[0]


def test_mask():
    assert mask("330106198001010021") == "3301**********0021"


def test_registration_form_keeps_input_on_error(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("visitors:contact_register"), registration_form(id_number="330106198001010022")
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "校验位不正确" in page and "承包地被占用" in page and "张建军" in page
    assert not Contact.objects.exists()


def test_walk_in_registered_and_opened_as_case_in_one_post(client_for, front_desk):
    response = client_for(front_desk).post(
        reverse("visitors:contact_register"), registration_form(gender="M", outcome="case", petition_type="claim")
    )
    case = PetitionCase.objects.get()
    assert response.url == case.get_absolute_url() and case.number.startswith("长信〔")


def test_group_visit_needs_at_most_five_representatives(front_desk, register):
    with pytest.raises(ValidationError):
        register(people_count=8)  # no representatives
    data = {
        "channel": "visit",
        "name": "集体访",
        "matter": "土地补偿",
        "people_count": 8,
        "id_number": VALID_IDS[0],
        "phone": "13905710009",
    }
    with pytest.raises(ValidationError):
        workflow.register_contact(by=front_desk, data=data, representatives=[{"name": f"代表{i}"} for i in range(6)])
    contact = workflow.register_contact(
        by=front_desk, data=data, representatives=[{"name": f"代表{i}"} for i in range(5)]
    )
    assert contact.is_group_visit and contact.representatives.count() == 5


def test_repeat_detection_by_id_or_phone(register, client_for, front_desk):
    first = register()
    second = register(phone="13900000000")  # same ID
    third = register(id_number="", phone=first.phone, channel="call")  # same phone
    other = register(name="李四", id_number=VALID_IDS[2], phone="13911111111")
    assert set(workflow.earlier_contacts(third)) == {first}  # by phone
    assert set(workflow.earlier_contacts(second)) == {first}  # by ID number (third has no ID, other phone)
    assert not workflow.earlier_contacts(other).exists()
    page = client_for(front_desk).get(reverse("visitors:contact_list")).content.decode()
    assert page.count("重复信访") == 2


def test_full_id_only_for_desk_and_audited(register, client_for, front_desk, office_director, clerk):
    contact = register()
    page = client_for(front_desk).get(contact.get_absolute_url()).content.decode()
    assert contact.id_number not in page and contact.masked_id in page
    response = client_for(front_desk).post(reverse("visitors:contact_reveal", args=[contact.code]))
    assert contact.id_number in response.content.decode()
    assert AuditEvent.objects.filter(action="查看完整身份证号", actor=front_desk).count() == 1
    assert client_for(clerk).post(reverse("visitors:contact_reveal", args=[contact.code])).status_code == 404


def test_front_desk_searches_by_id_number(register, client_for, front_desk):
    register()
    register(name="李四", id_number=VALID_IDS[2], phone="13911111111")
    page = client_for(front_desk).get(reverse("visitors:contact_list"), {"q": VALID_IDS[2]}).content.decode()
    assert "李四" in page and "张建军" not in page


def test_case_flow_to_closing(accepted, deputy, staff, resources_staff, office_director, front_desk):
    assert accepted.status == S.INSTRUCTING
    assert accepted.deadline == timezone.localdate() + timedelta(days=60)  # 申诉求决类 with 处理意见书
    with pytest.raises(Refused):
        workflow.instruct(accepted, by=staff, text="非领导")
    workflow.instruct(accepted, by=deputy, text="请自然资源所核实")
    accepted.refresh_from_db()
    with pytest.raises(Refused):
        workflow.report_progress(accepted, by=staff, text="不是承办部门")  # 农业农村办公室
    workflow.report_progress(accepted, by=resources_staff, text="已现场核实")
    workflow.report_up(accepted, by=office_director, text="已报县信访局")
    workflow.reply(accepted, by=office_director, text="经核实，补偿款将于月底前发放。")
    accepted.refresh_from_db()
    workflow.close(accepted, by=front_desk, satisfaction="basic")
    accepted.refresh_from_db()
    assert accepted.status == S.CLOSED and accepted.get_satisfaction_display() == "基本满意"


def test_major_case_needs_the_principal(register, front_desk, office_director, deputy, principal, departments):
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    with pytest.raises(Refused, match="重大信访事项须报主要领导批示"):
        workflow.accept(
            case,
            by=office_director,
            notice_text="受理",
            severity="major",
            leader=deputy,
            lead_department=departments["自然资源所"],
            deadline=timezone.localdate(),
        )
    workflow.accept(
        case,
        by=office_director,
        notice_text="受理",
        severity="major",
        leader=principal,
        lead_department=departments["自然资源所"],
        deadline=timezone.localdate() + timedelta(days=20),
    )


def test_extension_once_at_most_30_days(accepted, deputy, office_director):
    workflow.instruct(accepted, by=deputy, text="办理")
    accepted.refresh_from_db()
    with pytest.raises(Refused):
        workflow.request_extension(accepted, by=office_director, days=31, reason="情况复杂")
    workflow.request_extension(accepted, by=office_director, days=30, reason="需县自然资源局测绘")
    accepted.refresh_from_db()
    with pytest.raises(Refused):
        workflow.approve_extension(accepted, by=office_director)
    workflow.approve_extension(accepted, by=deputy)
    accepted.refresh_from_db()
    assert accepted.effective_deadline == accepted.deadline + timedelta(days=30)
    with pytest.raises(Refused, match="只能延长一次|已延长过一次"):
        workflow.request_extension(accepted, by=office_director, days=5, reason="再延")


def test_notice_within_15_days_drives_overdue(register, front_desk):
    case = workflow.open_case(register(), by=front_desk, petition_type="suggestion")
    PetitionCase.objects.filter(pk=case.pk).update(received_on=timezone.localdate() - timedelta(days=16))
    case.refresh_from_db()
    assert case.is_overdue()


def test_review_request_within_30_days(accepted, deputy, office_director, front_desk):
    workflow.instruct(accepted, by=deputy, text="办理")
    workflow.reply(accepted, by=office_director, text="答复")
    accepted.refresh_from_db()
    with pytest.raises(Refused):
        workflow.record_review_request(
            accepted, by=front_desk, kind="review", requested_on=accepted.replied_on + timedelta(days=31)
        )
    workflow.record_review_request(accepted, by=front_desk, kind="review", requested_on=accepted.replied_on)


def test_accusation_hidden_from_accused_department(
    register, front_desk, office_director, deputy, deputy_mayor, staff, departments, client_for
):
    accused = departments["农业农村办公室"]
    case = workflow.open_case(register(), by=front_desk, petition_type="accusation", accused_department=accused)
    accept = dict(
        by=office_director, notice_text="受理", severity="minor", deadline=timezone.localdate() + timedelta(days=30)
    )
    with pytest.raises(Refused, match="不得交被反映部门"):
        workflow.accept(case, leader=deputy_mayor, lead_department=accused, **accept)
    with pytest.raises(Refused, match="不得交被反映部门"):
        workflow.accept(
            case,
            leader=deputy_mayor,
            lead_department=departments["纪检监察办公室"],
            support_departments=[accused],
            **accept,
        )
    with pytest.raises(Refused, match="分管领导"):  # 陈刚 is in charge of 农业农村办公室
        workflow.accept(case, leader=deputy, lead_department=departments["纪检监察办公室"], **accept)
    workflow.accept(case, leader=deputy_mayor, lead_department=departments["纪检监察办公室"], **accept)
    case.refresh_from_db()
    assert case.forwarded_to.startswith("镇纪委")
    for user in (staff, deputy):
        assert not visible_cases(user).filter(pk=case.pk).exists()
        assert client_for(user).get(case.get_absolute_url()).status_code == 404
    assert visible_cases(deputy_mayor).filter(pk=case.pk).exists()


def test_legal_matters_are_forwarded(register, front_desk, office_director, deputy, departments):
    case = workflow.open_case(register(category="legal"), by=front_desk, petition_type="claim")
    workflow.accept(
        case,
        by=office_director,
        notice_text="受理",
        severity="minor",
        leader=deputy,
        lead_department=departments["司法所"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    case.refresh_from_db()
    assert "政法" in case.forwarded_to


def test_strangers_and_it_see_no_petition(accepted, stranger, system_admin, auditor, client_for):
    for user in (stranger, system_admin, auditor):
        assert not visible_cases(user).exists()
        assert client_for(user).get(accepted.get_absolute_url()).status_code == 404


def test_reminders_once_per_due_event(accepted, deputy, office_director, django_capture_on_commit_callbacks):
    PetitionCase.objects.filter(pk=accepted.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
        assert send_reminders() == 0
    assert Notification.objects.filter(recipient=office_director, title__contains="已逾期").count() == 1


def test_daily_report_task_notifies_principals_with_pdf(
    accepted, register, principal, mayor, monkeypatch, django_capture_on_commit_callbacks, client_for
):
    """Each principal leader's PDF holds the whole day: the case granted to one is on the other's PDF too, marked
    as not routed to him (his link would answer 404)."""
    from township_office import permissions

    register(channel="call", id_number="", name="来电群众")
    permissions.grant(accepted, "view", users=[principal])
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_report()
    for leader, routed in ((principal, True), (mayor, False)):
        note = Notification.objects.get(recipient=leader, title__contains="每日来文来电来访汇报")
        assert "来电1次" in note.body and "新增信访1件" in note.body
        response = client_for(leader).get(note.url)
        text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text().replace(" ", "")
        assert "每日来文来电来访汇报" in text and "新增信访事项（1件）" in text and "来电（1次）" in text, text
        new_cases = text.split("新增信访事项")[1].split("三日内到期")[0]
        assert accepted.number in new_cases and ("未分送本人" in new_cases) == (not routed)


def test_daily_report_lists_documents_most_pressing_first(monkeypatch, client_for, office_director, clerk):
    """The office director sees every file; a leader only those routed to them (see the visibility tests)."""
    from documents import services as document_services
    from visitors import views

    today = timezone.localdate()
    for days in (1, 3, 2):
        document_services.register_incoming(
            by=clerk,
            data={"source_org": "县政府", "title": f"逾期{days}日的文件", "deadline": today - timedelta(days=days)},
        )
    document_services.register_incoming(
        by=clerk, data={"source_org": "县政府", "title": "后天到期的文件", "deadline": today + timedelta(days=2)}
    )
    report = services.daily_report(viewer=office_director)
    assert [line["title"] for line in report["overdue"]] == ["逾期3日的文件", "逾期2日的文件", "逾期1日的文件"]
    assert [line["title"] for line in report["due_soon"]] == ["后天到期的文件"]
    assert len(report["incoming"]) == 4 and report["overdue_total"] == 3

    monkeypatch.setattr(views, "REPORT_PAGE_LINES", 2)
    page = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    assert "逾期3日的文件" in page and "逾期2日的文件" in page
    assert page.count("逾期1日的文件") == 1  # among today's incoming files only, not in the overdue section
    assert "共 3 件，此处列出最紧迫的 2 件" in page and "?overdue=on" in page


def test_daily_report_page_for_principal_only(client_for, principal, staff, township):
    assert client_for(principal).get(reverse("visitors:daily_report")).status_code == 200
    assert client_for(staff).get(reverse("visitors:daily_report")).status_code == 403


def test_printables(accepted, deputy, office_director, client_for, front_desk):
    workflow.instruct(accepted, by=deputy, text="请自然资源所核实")
    workflow.reply(accepted, by=office_director, text="经核实，补偿款将于月底前发放。")
    client = client_for(office_director)
    text = (
        PdfReader(io.BytesIO(client.get(reverse("visitors:case_assignment_pdf", args=[accepted.code])).content))
        .pages[0]
        .extract_text()
        .replace(" ", "")
    )
    assert "信访事项交办单" in text and "请自然资源所核实" in text and accepted.contact.masked_id in text
    text = (
        PdfReader(io.BytesIO(client.get(reverse("visitors:case_reply_pdf", args=[accepted.code])).content))
        .pages[0]
        .extract_text()
        .replace(" ", "")
    )
    assert "答复意见书" in text and "30日内" in text and "张建军" in text
    text = (
        PdfReader(
            io.BytesIO(
                client_for(front_desk).get(reverse("visitors:contact_form_pdf", args=[accepted.contact.code])).content
            )
        )
        .pages[0]
        .extract_text()
    )
    assert "来访登记表" in text.replace(" ", "")


def test_export_csv_and_xlsx(accepted, client_for, office_director, staff):
    client = client_for(office_director)
    csv = client.get(reverse("visitors:case_list"), {"format": "csv"}).content.decode("utf-8-sig")
    assert accepted.number in csv and "申诉求决类" in csv
    xlsx = client.get(reverse("visitors:case_list"), {"format": "xlsx"})
    from openpyxl import load_workbook

    assert load_workbook(io.BytesIO(xlsx.content)).active.cell(2, 1).value == accepted.number


def test_case_list_query_count_is_constant(register, front_desk, client_for, count_queries):
    client = client_for(front_desk)
    workflow.open_case(register(), by=front_desk, petition_type="claim")
    one = count_queries(client, reverse("visitors:case_list"))
    for i in range(19):
        workflow.open_case(register(name=f"信访人{i}"), by=front_desk, petition_type="claim")
    assert count_queries(client, reverse("visitors:case_list")) == one <= 14
    contact_one = count_queries(client, reverse("visitors:contact_list"))
    assert contact_one <= 14


def test_refusals_change_nothing(register, front_desk, clerk, staff):
    contact = register()
    for user in (clerk, staff):
        with pytest.raises(Refused):
            workflow.open_case(contact, by=user, petition_type="claim")
    with pytest.raises(TransitionNotAllowed):
        workflow.answer_on_the_spot(
            Contact.objects.get(pk=workflow.open_case(contact, by=front_desk, petition_type="claim").contact_id),
            by=front_desk,
            answer="已转立案的不能再当场答复",
        )


def _pdf_links(content):
    """The addresses the PDF's link annotations lead to."""
    reader = PdfReader(io.BytesIO(content))
    links = []
    for page in reader.pages:
        for annotation in page.get("/Annots") or []:
            action = annotation.get_object().get("/A")
            if action and action.get("/URI"):
                links.append(str(action["/URI"]))
    return links


def test_the_morning_pdf_made_by_beat_links_each_line_to_its_record(accepted, principal, settings):
    """Beat has no request: the links start with SITE_URL, the address the leaders open the system at."""
    from township_office import permissions
    from visitors import daily

    permissions.grant(accepted, "view", users=[principal])
    settings.SITE_URL = "http://192.168.1.10:8000"
    (report,) = [r for r in daily.produce() if r.recipient_id == principal.pk]
    links = _pdf_links(report.file.read())
    assert f"http://192.168.1.10:8000{accepted.get_absolute_url()}" in links


def test_the_morning_pdf_made_by_the_first_request_links_to_that_address(accepted, principal, settings):
    """One PC, no broker, no SITE_URL: the first request after the report hour makes the PDF, with links to the
    address that request came to; a Host the site does not answer to is never put into the report."""
    from township_office import permissions
    from visitors import daily
    from visitors.models import DailyReport

    permissions.grant(accepted, "view", users=[principal])
    settings.SITE_URL = ""
    settings.ALLOWED_HOSTS = ["192.168.1.10"]

    def environ(host):  # what a WSGI server passes with the request
        return {"HTTP_HOST": host, "wsgi.url_scheme": "http", "REQUEST_METHOD": "GET", "wsgi.input": io.BytesIO()}

    assert daily.request_base_url(environ("evil.example.com")) == ""
    settings.DAILY_REPORT_IN_PROCESS = True
    settings.DAILY_REPORT_HOUR, settings.DAILY_REPORT_MINUTE = 0, 0
    daily._checked["day"] = None
    daily.on_request_started(None, environ=environ("192.168.1.10:8000"))
    report = DailyReport.objects.get(recipient=principal)
    assert f"http://192.168.1.10:8000{accepted.get_absolute_url()}" in _pdf_links(report.file.read())


def test_export_is_the_list_filtered_and_audited(accepted, register, client_for, office_director, front_desk, staff):
    other = workflow.open_case(register(name="李四"), by=front_desk, petition_type="claim")
    client = client_for(office_director)
    csv = client.get(reverse("visitors:case_list"), {"status": accepted.status, "format": "csv"})
    text = csv.content.decode("utf-8-sig")
    assert accepted.number in text and other.number not in text
    assert csv["Content-Disposition"] == "attachment; filename*=utf-8''%E4%BF%A1%E8%AE%BF%E4%BA%8B%E9%A1%B9.csv"
    event = AuditEvent.objects.filter(action="导出信访事项").get()
    assert (event.actor, event.comment) == (office_director, "CSV")
    bad = client.get(reverse("visitors:case_list"), {"status": "nonsense", "format": "xlsx"})
    assert bad.status_code == 400 and "没有这个状态" in bad.content.decode()  # no file, and no export audited
    assert AuditEvent.objects.filter(action="导出信访事项").count() == 1
    assert client_for(staff).get(reverse("visitors:case_list"), {"format": "csv"}).status_code == 403
