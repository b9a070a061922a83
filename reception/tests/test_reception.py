import io
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from reception import rules, workflow
from reception.models import Reception
from reception.permissions import visible_receptions
from township_office.workflow import TransitionNotAllowed

S = Reception.Status


def test_clean_plan_has_no_breach(make_reception):
    assert rules.breaches(make_reception()) == []


def test_no_letter_no_approval(make_reception, clerk):
    reception = make_reception(letter_number="")
    with pytest.raises(ValidationError) as error:
        workflow.submit(reception, by=clerk)
    assert "第六条" in error.value.messages[0]
    reception.refresh_from_db()
    assert reception.status == S.DRAFT


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


def test_approval_by_director_or_principal(make_reception, clerk, office_director, principal, deputy):
    ordinary = make_reception()
    workflow.submit(ordinary, by=clerk)
    with pytest.raises(PermissionDenied):
        workflow.approve(ordinary, by=principal)
    workflow.approve(ordinary, by=office_director)
    ordinary.refresh_from_db()
    assert ordinary.status == S.APPROVED
    major = make_reception(is_major=True, start=ordinary.start + timedelta(days=2), room=None, leaders=[])
    workflow.submit(major, by=clerk)
    for user in (office_director, deputy):
        with pytest.raises(PermissionDenied):
            workflow.approve(major, by=user)
    workflow.approve(major, by=principal)
    major.refresh_from_db()
    assert major.status == S.APPROVED and major.approved_by == principal


def test_change_after_approval_goes_back_for_approval(make_reception, clerk, office_director, client_for):
    reception = make_reception()
    workflow.submit(reception, by=clerk)
    workflow.approve(reception, by=office_director)
    workflow.plan_changed(reception, by=clerk, what="增加一项日程")
    reception.refresh_from_db()
    assert reception.status == S.PENDING and reception.approved_by is None


def test_close_builds_the_reception_list_with_matching_figures(make_reception, clerk, office_director):
    reception = make_reception()
    workflow.submit(reception, by=clerk)
    workflow.approve(reception, by=office_director)
    with pytest.raises(ValidationError):
        workflow.close(reception, by=clerk, costs={"meal_cost": Decimal("200")}, attendees="陈刚", invoices=None)
    costs = {
        "meal_cost": Decimal("200.50"),
        "lodging_cost": Decimal("0"),
        "transport_cost": Decimal("35"),
        "other_cost": Decimal("12.3"),
    }
    workflow.close(
        reception, by=clerk, costs=costs, attendees="陈刚、黄磊", invoices=SimpleUploadedFile("发票.pdf", b"%PDF-1.4")
    )
    reception.refresh_from_db()
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


def test_visibility_and_404(make_reception, clerk, deputy, deputy_mayor, staff, stranger, client_for):
    reception = make_reception()
    assert visible_receptions(clerk).filter(pk=reception.pk).exists()
    workflow.submit(reception, by=clerk)
    assert visible_receptions(deputy).filter(pk=reception.pk).exists()  # accompanying leader
    for user in (deputy_mayor, staff, stranger):
        assert client_for(user).get(reception.get_absolute_url()).status_code == 404


def test_material_appears_in_department_todo(make_reception, clerk, staff, departments_fixture=None):
    from reception.models import Material
    from township_office import todo
    from township_office.models import Department

    reception = make_reception()
    Material.objects.create(
        reception=reception,
        title="项目汇报材料",
        deadline=reception.start.date(),
        department=Department.objects.get(name="农业农村办公室"),
    )
    workflow.submit(reception, by=clerk)
    kinds = [i.kind for _, items, _ in todo.collect(staff) for i in items]
    assert "待准备材料" in kinds
    material = reception.materials.get()
    workflow.finish_material(material, by=staff)
    with pytest.raises(TransitionNotAllowed):
        workflow.finish_material(material, by=staff)


def test_breach_is_refused_in_the_page(make_reception, client_for, clerk):
    reception = make_reception(diners=5)
    response = client_for(clerk).post(reverse("reception:submit", args=[reception.code]), follow=True)
    assert "陪餐人数 5 人超过规定" in response.content.decode()
    reception.refresh_from_db()
    assert reception.status == S.DRAFT


def test_list_query_count_is_constant(make_reception, client_for, clerk, count_queries):
    client = client_for(clerk)
    make_reception(room=None, leaders=[])
    one = count_queries(client, reverse("reception:list"))
    for i in range(19):
        make_reception(room=None, leaders=[], visiting_unit=f"单位{i}")
    assert count_queries(client, reverse("reception:list")) == one <= 14


def test_calendar_and_totals(make_reception, client_for, clerk, office_director):
    reception = make_reception()
    client = client_for(clerk)
    page = client.get(reverse("reception:calendar"), {"view": "week", "date": reception.start.date().isoformat()})
    assert "县农业农村局" in page.content.decode() and "一楼会议室" in page.content.decode()
    workflow.submit(reception, by=clerk)
    workflow.approve(reception, by=office_director)
    workflow.close(
        reception,
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
    page = client.get(reverse("reception:totals"), {"year": reception.start.year}).content.decode()
    assert "120.00" in page and "<svg" in page
    xlsx = client.get(reverse("reception:totals"), {"year": reception.start.year, "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(14, 6).value == 120.0
