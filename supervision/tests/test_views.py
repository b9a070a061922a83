"""The pages: 列入督办 from a 收文 批示, the list (filters, constant queries), the detail, the board, the 通报, the
daily report's section; visibility on every one of them."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from supervision import services, sources, workflow
from supervision.models import Light, SupervisionItem
from supervision.permissions import MASKED_TITLE
from township_office.models import Department

from .conftest import TODAY

pytestmark = pytest.mark.django_db


def create_from_url(document):
    return f"{reverse('supervision:create_from')}?type=documents.incomingdocument&code={document.code}"


def post_data(**extra):
    return {
        "title": "秸秆禁烧督查",
        "leader": extra.pop("leader"),
        "lead_department": extra.pop("lead_department"),
        "deadline": (TODAY + timedelta(days=12)).isoformat(),
        "m1_title": "完成宣传发动",
        "m1_due": (TODAY + timedelta(days=3)).isoformat(),
        "m2_title": "完成巡查",
        "m2_due": (TODAY + timedelta(days=9)).isoformat(),
        **extra,
    }


def test_the_instructing_leader_lists_a_file_for_supervision_with_two_milestones_in_one_post(
    instructed, client_for, deputy, agriculture
):
    document = instructed()
    client = client_for(deputy)
    page = client.get(document.get_absolute_url())
    assert 'data-testid="list-for-supervision"' in page.content.decode()
    form = client.get(create_from_url(document))
    assert form.status_code == 200
    assert form.context["form"].initial["lead_department"] == agriculture.pk  # the file's 主办
    assert form.context["form"].initial["leader"] == deputy.pk
    response = client.post(create_from_url(document), post_data(leader=deputy.pk, lead_department=agriculture.pk))
    item = SupervisionItem.objects.get()
    assert response.status_code == 302 and response.url == item.get_absolute_url()
    assert (item.source_kind, item.source_type, item.source_code) == ("incoming", sources.INCOMING, str(document.code))
    assert item.leader == deputy and item.lead_department == agriculture
    assert [m.title for m in item.milestones.all()] == ["完成宣传发动", "完成巡查"]
    from supervision.api import items_url

    shown = client.get(document.get_absolute_url()).content.decode()  # the file links to its items
    assert items_url(sources.INCOMING, str(document.code)).replace("&", "&amp;") in shown
    listed = client.get(items_url(sources.INCOMING, str(document.code)))
    assert [i.pk for i in listed.context["page"]] == [item.pk]
    other = client.get(reverse("supervision:list"), {"source_type": sources.INCOMING, "source_code": "x" * 32})
    assert len(other.context["page"]) == 0


def test_bad_milestones_are_refused_beside_the_field_and_nothing_typed_is_lost(
    instructed, client_for, deputy, agriculture
):
    document = instructed()
    client = client_for(deputy)
    data = post_data(leader=deputy.pk, lead_department=agriculture.pk, m2_due=(TODAY + timedelta(days=30)).isoformat())
    response = client.post(create_from_url(document), data)
    assert response.status_code == 400
    assert response.context["form"].errors["m2_due"] == ["节点日期不能晚于办结时限。"]
    assert "完成巡查" in response.content.decode() and "秸秆禁烧督查" in response.content.decode()
    assert not SupervisionItem.objects.exists()


def test_only_the_instructing_leader_or_the_office_director_may_list_a_file(
    instructed, client_for, mayor, staff, office_director, stranger
):
    document = instructed()
    assert client_for(office_director).get(create_from_url(document)).status_code == 200
    assert client_for(staff).get(create_from_url(document)).status_code == 403  # 主办 may open it, not list it
    assert client_for(mayor).get(create_from_url(document)).status_code == 404  # never routed to him
    assert client_for(stranger).get(create_from_url(document)).status_code == 404


def test_a_file_without_instruction_cannot_be_listed(clerk, office_director, client_for, clock):
    from documents import services as documents

    document = documents.register_incoming(
        by=clerk, data={"source_org": "县委办", "title": "未批示", "doc_type": "通知", "deadline": TODAY}
    )
    response = client_for(office_director).get(create_from_url(document))
    assert response.status_code == 403
    assert "尚无领导批示" in response.content.decode()


def test_manual_entry_needs_a_source_note_beside_the_field(client_for, clerk, deputy, agriculture, clock):
    response = client_for(clerk).post(
        reverse("supervision:create"),
        {**post_data(leader=deputy.pk, lead_department=agriculture.pk), "source_kind": "manual", "source_note": ""},
    )
    assert response.status_code == 400
    assert response.context["form"].errors["source_note"] == ["手工录入的督办事项须写明来源说明。"]


def test_an_item_from_an_internal_file_shows_its_title_only_to_who_may_open_the_file(
    instructed, make_item, client_for, deputy, staff
):
    from django.contrib.auth.models import Group

    from township_office.models import User

    document = instructed(secrecy="internal", title="关于某村干部问题线索核查的通知")
    source = sources.read(deputy, sources.INCOMING, str(document.code))
    item = make_item(by=deputy, source=source, title=document.title)
    other_clerk = User.objects.create_user("clerk2", full_name="钱文")
    other_clerk.groups.add(Group.objects.get(name="clerk"))  # sees every item, may not open the internal file
    for person, shown in ((deputy, True), (staff, True), (other_clerk, False)):
        client = client_for(person)
        listing = client.get(reverse("supervision:list")).content.decode()
        detail = client.get(item.get_absolute_url()).content.decode()
        assert (document.title in listing) is shown and (document.title in detail) is shown, person
        assert (MASKED_TITLE in listing) is not shown
    assert document.title not in str(item)  # the audit log and 我的待办 name it by number


def test_an_item_from_an_accusation_is_never_shown_to_the_accused(
    make_item, client_for, office_director, deputy, deputy_mayor, resources_staff
):
    resources = Department.objects.get(name="自然资源所")
    source = sources.Source(
        sources.PETITION,
        "0" * 32,
        SupervisionItem.Source.PETITION,
        title="反映自然资源所违规审批",
        note="信访事项 长信〔2026〕3号",
        url="",
        leaders=[deputy_mayor],
        accused_department=resources,
    )
    item = make_item(by=office_director, source=source, leader=deputy_mayor, support=[resources])
    for accused in (resources_staff, deputy):  # a member of the accused department; its 分管 leader
        client = client_for(accused)
        assert client.get(item.get_absolute_url()).status_code == 404
        assert item.number not in client.get(reverse("supervision:list")).content.decode()
        assert item.number not in client.get(reverse("supervision:board")).content.decode()
    assert client_for(deputy_mayor).get(item.get_absolute_url()).status_code == 200


def test_a_guessed_url_is_404(make_item, client_for, village_staff):
    item = make_item()
    client = client_for(village_staff)
    assert client.get(item.get_absolute_url()).status_code == 404
    assert client.post(reverse("supervision:step", args=[item.code, "feedback"]), {}).status_code == 404


def test_list_filters_through_a_form_and_refuses_bad_values(make_item, client_for, office_director, deputy):
    make_item()
    client = client_for(office_director)
    assert client.get(reverse("supervision:list"), {"light": "purple"}).status_code == 400
    assert client.get(reverse("supervision:list"), {"leader": "99999999999999999999"}).status_code == 400
    ok = client.get(reverse("supervision:list"), {"light": "green", "leader": deputy.pk})
    assert ok.status_code == 200 and len(ok.context["page"]) == 1
    assert len(client.get(reverse("supervision:list"), {"light": "red"}).context["page"]) == 0


def test_list_costs_the_same_queries_for_few_or_many_items(make_item, client_for, office_director, instructed, deputy):
    document = instructed(secrecy="internal")
    source = sources.read(deputy, sources.INCOMING, str(document.code))
    make_item(by=deputy, source=source)
    make_item()
    client = client_for(office_director)
    client.get(reverse("supervision:list"))

    def count():
        with CaptureQueriesContext(connection) as queries:
            assert client.get(reverse("supervision:list")).status_code == 200
        return len(queries)

    few = count()
    for _ in range(6):
        make_item()
    make_item(by=deputy, source=source)
    assert count() == few


def test_board_shows_the_leaders_items_by_light_with_the_last_feedback(
    make_item, client_for, deputy, mayor, staff, clock
):
    item = make_item()
    make_item(leader=mayor)
    workflow.feedback(item, by=staff, milestone=item.milestones.first(), text="已完成选址，待审批")
    clock.to_day(item.deadline + timedelta(days=1))
    services.refresh_lights()
    page = client_for(deputy).get(reverse("supervision:board"))
    red = dict((light, rows) for light, _, rows in page.context["groups"])[Light.RED]
    assert [i.pk for i in red] == [item.pk]
    assert "已完成选址，待审批" in page.content.decode()
    assert page.content.decode().count("督〔2026〕") == 1  # not the mayor's


def test_feedback_refused_in_the_page_keeps_what_was_typed(make_item, client_for, staff):
    item = make_item()
    response = client_for(staff).post(
        reverse("supervision:step", args=[item.code, "feedback"]),
        {"feedback-milestone": item.milestones.first().pk, "feedback-text": "   "},
    )
    assert response.status_code == 400
    assert "请填写反馈内容" in response.content.decode() or "必填" in response.content.decode()
    assert item.milestones.filter(fed_at__isnull=False).count() == 0


def test_monthly_report_counts_and_lists_the_red_items_page_and_pdf(
    make_item, client_for, office_director, staff, deputy, clock
):
    late = make_item(milestones=[], deadline=TODAY + timedelta(days=1))
    done = make_item(milestones=[])
    workflow.request_done(done, by=staff, result="完成")
    workflow.sign_off(done, by=deputy)
    clock.to_day(TODAY + timedelta(days=3))
    services.refresh_lights()
    client = client_for(office_director)
    page = client.get(reverse("supervision:monthly"), {"month": "2026-11"})
    r = page.context["r"]
    assert (r.total.opened, r.total.done, r.total.overdue) == (2, 1, 1)
    assert [i.pk for i in r.red] == [late.pk]
    assert [u.name for u in r.units] == ["农业农村办公室"]
    assert not r.ranked and "不排名" in page.content.decode()
    pdf = client.get(reverse("supervision:monthly_pdf"), {"month": "2026-11"})
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")
    assert client.get(reverse("supervision:monthly"), {"month": "2026-13"}).status_code == 400


def test_monthly_report_counts_only_what_the_reader_may_open(make_item, client_for, resources_staff, clock):
    make_item(milestones=[])
    r = client_for(resources_staff).get(reverse("supervision:monthly"), {"month": "2026-11"}).context["r"]
    assert r.total.opened == 0


def test_daily_report_lists_red_and_yellow_items(make_item, client_for, principal, deputy, clock):
    from visitors import services as visitors

    red = make_item(milestones=[], deadline=TODAY + timedelta(days=1))
    yellow = make_item(milestones=[], deadline=TODAY + timedelta(days=5))
    make_item(milestones=[], deadline=TODAY + timedelta(days=30))
    clock.to_day(TODAY + timedelta(days=2))
    services.refresh_lights()
    report = visitors.daily_report(viewer=principal)["supervision"]
    assert [line["number"] for line in report["overdue"]] == [red.number]
    assert [line["number"] for line in report["warning"]] == [yellow.number]
    assert visitors.daily_report(viewer=deputy)["supervision"]["count"] == 2  # his own items


def test_an_item_signed_off_late_counts_as_overdue_in_its_month_and_not_the_next(
    make_item, client_for, office_director, staff, deputy, clock
):
    from supervision import report

    late = make_item(milestones=[], deadline=TODAY + timedelta(days=1))
    clock.to_day(TODAY + timedelta(days=3))
    workflow.request_done(late, by=staff, result="完成")
    workflow.sign_off(late, by=deputy)
    november = report.monthly(office_director, TODAY.replace(day=1))
    assert (november.total.overdue, november.total.done) == (1, 1)
    assert [i.pk for i in november.red] == [late.pk]
    clock.to_day(TODAY.replace(month=12, day=5))
    december = report.monthly(office_director, TODAY.replace(month=12, day=1))
    assert (december.total.overdue, december.red) == (0, [])


def test_an_item_opened_from_a_real_accusation_is_hidden_from_the_accused(
    make_item, client_for, front_desk, office_director, deputy_mayor, deputy, resources_staff, agriculture, clock
):
    from visitors import workflow as visitors

    contact = visitors.register_contact(
        by=front_desk,
        data={
            "channel": "visit",
            "received_at": timezone.now(),
            "name": "张建军",
            "id_number": "330106197503120015",
            "phone": "13905710003",
            "address": "石桥村",
            "matter": "反映自然资源所违规审批宅基地",
            "category": "land",
        },
    )
    resources = Department.objects.get(name="自然资源所")
    case = visitors.open_case(contact, by=front_desk, petition_type="accusation", accused_department=resources)
    visitors.accept(
        case,
        by=office_director,
        notice_text="已受理",
        severity="minor",
        leader=deputy_mayor,
        lead_department=agriculture,
    )
    source = sources.read(office_director, sources.PETITION, str(case.code))
    assert source.accused_department == resources and source.leaders == [deputy_mayor]
    item = make_item(by=office_director, source=source, leader=deputy_mayor)
    assert item.source_kind == SupervisionItem.Source.PETITION
    for accused in (resources_staff, deputy):
        assert client_for(accused).get(item.get_absolute_url()).status_code == 404
    assert client_for(deputy_mayor).get(item.get_absolute_url()).status_code == 200


def test_an_approved_extension_counts_in_its_month(make_item, office_director, staff, deputy, clock):
    from supervision import report

    item = make_item(milestones=[])
    workflow.request_extension(item, by=staff, reason="雨雪天气", new_date=item.deadline + timedelta(days=20))
    workflow.decide_extension(item, by=deputy, agree=True)
    november = report.monthly(office_director, TODAY.replace(day=1))
    assert [(u.name, u.opened, u.extended) for u in november.units] == [("农业农村办公室", 1, 1)]
    assert [(s.name, s.opened) for s in november.sources] == [("手工录入", 1)]


def test_the_daily_report_pdf_has_the_supervision_section(make_item, principal, clock):
    from pypdf import PdfReader

    from visitors import pdf as visitors_pdf
    from visitors import services as visitors

    red = make_item(milestones=[], deadline=TODAY + timedelta(days=1))
    clock.to_day(TODAY + timedelta(days=2))
    services.refresh_lights()
    content = visitors_pdf.daily_report(visitors.daily_report(viewer=principal), base_url="")
    import io

    text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(content)).pages)
    assert "督办事项" in text and red.number in text
