"""The register page and its month field, the printouts (register, 介绍信), Beijing time, no hex for leaders."""

import io
from datetime import UTC, datetime

import pytest
import time_machine
from django.db import connection
from django.urls import reverse
from pypdf import PdfReader

from seals import workflow

from .conftest import decide

REGISTER = "/seals/register/"


@pytest.fixture
def approved(apply, deputy):
    request = apply(copies=3)
    decide(request, by=deputy, approve=True)
    request.refresh_from_db()
    return request


@pytest.mark.parametrize(
    "month,message",
    [
        ("9999-12", "年份应在"),
        ("1-1", "月份格式不正确"),
        ("2026-13", "月份应在 1 到 12 之间"),
        ("2026-00", "月份应在 1 到 12 之间"),
        ("abc", "月份格式不正确"),
        ("0000-01", "年份应在"),
        ("2026-1x", "月份格式不正确"),
        ("2026-11\x00", "不允许"),
        ("٢٠٢٦-١١", "月份格式不正确"),
        ("99999999999999999999-1", "月份格式不正确"),
    ],
)
def test_bad_month_is_400_beside_the_field(client_for, seal_keeper, month, message):
    response = client_for(seal_keeper).get(REGISTER, {"month": month})
    assert response.status_code == 400
    page = response.content.decode()
    field = page.split('class="field has-error"')[1].split("</div>")[0]
    assert message in field and 'type="month"' in field


def test_bad_month_for_the_pdf_is_400_too(client_for, seal_keeper):
    response = client_for(seal_keeper).get(REGISTER, {"month": "9999-12", "format": "pdf"})
    assert response.status_code == 400


def test_an_unknown_format_is_400_beside_the_form(client_for, seal_keeper):
    response = client_for(seal_keeper).get(REGISTER, {"month": "2026-11", "format": "xls"})
    assert response.status_code == 400 and "没有这种打印格式" in response.content.decode()


def test_register_speaks_plain_words(client_for, approved, seal_keeper, office_director):
    workflow.stamp(approved, by=seal_keeper, seal=approved.seals.get(), copies=1)
    workflow.stamp(approved, by=seal_keeper, seal=approved.seals.get(), copies=1)
    page = client_for(seal_keeper).get(REGISTER).content.decode()
    assert "登记簿完整，未被改动" in page
    for developer in ("哈希", "verify_seal_register", "manage.py", "SHA"):
        assert developer not in page
    assert 'type="month"' in page and "seals/css/seals.css" in page
    with connection.cursor() as cursor:
        cursor.execute("UPDATE seals_stamping SET copies = 9 WHERE seq = 2")
    page = client_for(office_director).get(REGISTER).content.decode()
    assert "登记簿不完整" in page and "第 2 条记录" in page


def test_multi_page_register_repeats_its_header_and_numbers_pages(client_for, approved, seal_keeper):
    seal = approved.seals.get()
    for _ in range(70):
        workflow._append_to_register(approved, seal, seal_keeper, 1)
    response = client_for(seal_keeper).get(REGISTER, {"format": "pdf"})
    reader = PdfReader(io.BytesIO(response.content))
    pages = len(reader.pages)
    assert pages >= 2
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text().replace(" ", "")
        assert "序号" in text and "文件名称" in text and "监印人" in text, number
        assert f"第{number}页，共{pages}页" in text
    assert "登记簿完整，未被改动" in reader.pages[-1].extract_text().replace(" ", "")


def test_letter_printout_has_no_spaces_and_full_width_brackets(client_for, staff, deputy):
    letter = workflow.apply_letter(
        by=staff,
        data={
            "recipient_unit": "县自然资源和规划局",
            "persons": "黄磊、马涛",
            "person_count": 2,
            "purpose": "土地复垦项目对接",
            "valid_days": 7,
        },
    )
    workflow.approve_letter(letter, by=deputy)
    reader = PdfReader(io.BytesIO(client_for(staff).get(reverse("seals:letter_pdf", args=[letter.code])).content))
    text = reader.pages[0].extract_text().replace("\n", "")
    assert "兹介绍黄磊、马涛等2人前往县自然资源和规划局联系土地复垦项目对接。" in text
    assert "兹介绍我单位黄磊、马涛等2同志前往你处联系土地复垦项目对接，请予接洽。" in text
    assert "有效期7天" in text and f"（{letter.year}）第1号" in text
    assert "(" not in text and ")" not in text


def test_leaders_see_no_fingerprint_the_keeper_does(client_for, approved, deputy, seal_keeper, staff):
    digest = approved.document_sha256[:16]
    assert digest not in client_for(deputy).get(approved.get_absolute_url()).content.decode()
    assert digest not in client_for(staff).get(approved.get_absolute_url()).content.decode()
    assert digest in client_for(seal_keeper).get(approved.get_absolute_url()).content.decode()


def _approval_form_text(client, request):
    content = client.get(reverse("seals:request_form_pdf", args=[request.code])).content
    return PdfReader(io.BytesIO(content)).pages[0].extract_text().replace(" ", "").replace("\n", "")


def test_printed_approval_form_gives_the_fingerprint_only_to_whom_the_page_does(
    client_for, approved, deputy, staff, seal_keeper, office_director
):
    digest = approved.document_sha256[:16]
    for reader in (deputy, staff):
        text = _approval_form_text(client_for(reader), approved)
        assert "待用印文件已上传" in text
        assert digest not in text and "SHA" not in text and "指纹" not in text
    for reader in (seal_keeper, office_director):
        text = _approval_form_text(client_for(reader), approved)
        assert "待用印文件已上传" in text and f"SHA-256{digest}" in text


def test_times_are_beijing_time(client_for, apply, deputy, seal_keeper):
    # 07:30 on 1 December in Beijing is 23:30 on 30 November in UTC.
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        request = apply(copies=1)
        decide(request, by=deputy, approve=True)
        request.refresh_from_db()
        workflow.stamp(request, by=seal_keeper, seal=request.seals.get(), copies=1)
        client = client_for(seal_keeper)
        page = client.get(request.get_absolute_url()).content.decode()
        assert "2026年12月1日 07:30" in page and "11月30日" not in page
        register = client.get(REGISTER).content.decode()  # the current month is December in Beijing
        assert "用印登记簿（2026年12月）" in register and "2026年12月1日 07:30" in register
        pdf = PdfReader(io.BytesIO(client.get(REGISTER, {"format": "pdf"}).content)).pages[0].extract_text()
        assert "2026年12月1日" in pdf.replace(" ", "")
        form = client.get(reverse("seals:request_form_pdf", args=[request.code])).content
        assert "2026年12月1日" in PdfReader(io.BytesIO(form)).pages[0].extract_text().replace(" ", "")
        # November in Beijing had no stamping, although the stamping happened on 30 November in UTC (the session
        # was opened under the frozen clock: a request after it would find the session idle for days).
        assert "本月无用印记录" in client.get(REGISTER, {"month": "2026-11"}).content.decode()


def test_the_serial_year_is_the_beijing_year(apply):
    with time_machine.travel(datetime(2026, 12, 31, 23, 30, tzinfo=UTC), tick=False):
        request = apply()
    assert request.year == 2027 and request.number == "用印〔2027〕1号"


def test_take_out_message_gives_the_return_time_in_beijing_time(apply, people, seals):
    from township_office.models import AuditEvent, Notification

    director, principal, keeper, staff = (
        people[n] for n in ("office_director", "principal_leader", "seal_keeper", "department_staff")
    )
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        request = apply(
            ["长官镇党政办公室"], use_type="take_out", expected_return=datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
        )
        decide(request, by=director, approve=True)
        decide(request, by=principal, approve=True)
        workflow.take_out(request, by=keeper)
    assert AuditEvent.objects.get(action="登记带出").comment == "预计归还 2026-12-01 17:00"
    assert Notification.objects.filter(recipient=staff, title__contains="2026年12月1日 17:00前归还").exists()


def test_printed_approval_form_says_each_opinion_once_without_empty_rows(
    client_for, apply, settings, deputy, principal, seal_keeper, staff
):
    from decimal import Decimal

    settings.SEAL_CONTRACT_PRINCIPAL_AMOUNT = 100000
    request = apply(["长官镇农业农村办公室"], use_type="contract", contract_amount=Decimal("1200000"), copies=3)
    decide(request, by=deputy, approve=True, comment="同意")  # the comment is the decision itself
    decide(request, by=principal, approve=True, comment="请按合同金额核对后用印")
    request.refresh_from_db()
    seal = request.seals.get()
    workflow.stamp(request, by=seal_keeper, seal=seal, copies=1)  # stamped in two goes by the same keeper
    workflow.stamp(request, by=seal_keeper, seal=seal, copies=2)
    text = _approval_form_text(client_for(seal_keeper), request)
    assert "合同（¥1,200,000.00）" in text
    assert "分管领导意见同意陈刚" in text and "同意：同意" not in text
    assert "主要领导意见同意：请按合同金额核对后用印王建国" in text
    assert "办公室主任意见" not in text and "部门负责人意见" not in text  # the chain does not reach the office
    assert f"监印人{seal_keeper.get_full_name()}用印日期" in text  # once, however many stampings
    page = client_for(staff).get(request.get_absolute_url()).content.decode()
    assert "合同金额 ¥1,200,000.00" in page


def test_an_approval_still_waiting_keeps_its_row_empty_for_paper(client_for, apply, office_director):
    from datetime import timedelta

    from django.utils import timezone

    request = apply(["长官镇党政办公室"], use_type="take_out", expected_return=timezone.now() + timedelta(hours=4))
    text = _approval_form_text(client_for(office_director), request)
    assert "办公室主任意见主要领导意见" in text  # both rows of the chain, empty, in order
