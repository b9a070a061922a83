import io
import uuid
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from documents import pdf, services, workflow
from documents.models import IncomingDocument
from township_office.models import AuditEvent


def test_clerk_registers_through_the_form(client_for, clerk, pdf_upload):
    client = client_for(clerk)
    response = client.post(
        reverse("documents:incoming_register"),
        {
            "signed_for_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "source_org": "县农业农村局",
            "source_doc_number": "县农发〔2026〕18号",
            "title": "关于秸秆禁烧的通知",
            "doc_type": "通知",
            "secrecy": "none",
            "urgency": "urgent",
            "copies": 2,
            "pages": 4,
            "deadline": (timezone.localdate() + timedelta(days=5)).isoformat(),
            "nature": "for_action",
            "attachments": [pdf_upload("扫描件.pdf")],
        },
    )
    document = IncomingDocument.objects.get()
    assert response.status_code == 302 and response.url == document.get_absolute_url()
    assert document.attachments.get().name == "扫描件.pdf"


def test_bad_input_keeps_what_was_typed_and_changes_nothing(client_for, clerk):
    response = client_for(clerk).post(
        reverse("documents:incoming_register"),
        {
            "signed_for_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "source_org": "县农业农村局",
            "title": "关于秸秆禁烧的通知",
            "doc_type": "通知",
            "secrecy": "work_secret",
            "urgency": "normal",
            "copies": 1,
            "pages": 1,
            "nature": "for_action",
        },
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "内部、工作秘密文件请填写保密期限" in page and "批办件请填写办理时限" in page
    assert "关于秸秆禁烧的通知" in page and "县农业农村局" in page
    assert not IncomingDocument.objects.exists()


def test_renamed_executable_attachment_is_refused(client_for, clerk):
    from django.core.files.uploadedfile import SimpleUploadedFile

    response = client_for(clerk).post(
        reverse("documents:incoming_register"),
        {
            "signed_for_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "source_org": "县",
            "title": "文",
            "doc_type": "通知",
            "secrecy": "none",
            "urgency": "normal",
            "copies": 1,
            "pages": 1,
            "nature": "for_reading",
            "attachments": [SimpleUploadedFile("扫描件.pdf", b"MZ\x90\x00")],
        },
    )
    assert "不是可接受的格式" in response.content.decode()
    assert not IncomingDocument.objects.exists()


def test_stranger_and_other_department_get_404(client_for, routed, stranger, village_staff, system_admin):
    url = routed.get_absolute_url()
    step = reverse("documents:incoming_step", args=[routed.code, "instruct"])
    for user in (stranger, village_staff, system_admin):
        assert client_for(user).post(step, {"instruct-text": "越权"}).status_code == 404
        assert client_for(user).get(url).status_code == 404
        assert client_for(user).get(reverse("documents:incoming_slip", args=[routed.code])).status_code == 404
    assert client_for(village_staff).get(f"/documents/incoming/{uuid.uuid4()}/").status_code == 404


def test_read_only_grantee_gets_403_on_write_and_nothing_changes(client_for, routed, principal):
    # The principal leader reads in circulation but was not asked to instruct.
    client = client_for(principal)
    assert client.get(routed.get_absolute_url()).status_code == 200
    response = client.post(
        reverse("documents:incoming_step", args=[routed.code, "instruct"]), {"instruct-text": "越权批示"}
    )
    assert response.status_code == 403
    assert "您不是该文件的呈批领导" in response.content.decode()
    assert not routed.instructions.exists()


def test_changing_views_are_post_only(client_for, routed, deputy):
    url = reverse("documents:incoming_step", args=[routed.code, "instruct"])
    assert client_for(deputy).get(url).status_code == 405


def test_workflow_error_is_shown_in_chinese_and_input_kept(client_for, routed, office_director, deputy):
    # The file has already been proposed: a second proposal is refused with the reason, what was typed kept.
    response = client_for(office_director).post(
        reverse("documents:incoming_step", args=[routed.code, "propose"]),
        {"propose-proposal": "再拟办一次", "propose-leaders": [deputy.pk], "propose-circulation_mode": "sequential"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "该收文当前为「待批示」，不能拟办" in page and "再拟办一次" in page


def test_leader_instructs_from_the_detail_page(client_for, routed, deputy):
    client = client_for(deputy)
    page = client.get(routed.get_absolute_url()).content.decode()
    assert 'data-step="instruct"' in page and 'data-step="propose"' not in page
    response = client.post(
        reverse("documents:incoming_step", args=[routed.code, "instruct"]), {"instruct-text": "请抓紧落实"}
    )
    assert response.status_code == 302
    assert routed.instructions.get().text == "请抓紧落实"


def test_incoming_list_queries_do_not_grow(client_for, clerk, register, count_queries):
    client = client_for(clerk)
    register(title="文件0")
    one = count_queries(client, reverse("documents:incoming_list"))
    for i in range(1, 20):
        register(title=f"文件{i}")
    assert count_queries(client, reverse("documents:incoming_list")) == one <= 14
    assert client.get(reverse("documents:incoming_list")).content.decode().count('name="codes"') == 20


def test_search_by_title_and_number(client_for, clerk, register):
    register(title="关于森林防火的通知", source_doc_number="县政办发〔2026〕41号")
    register(title="关于秋粮收购的函", source_doc_number="县发改函〔2026〕7号")
    client = client_for(clerk)
    page = client.get(reverse("documents:incoming_list"), {"q": "森林"}).content.decode()
    assert "森林防火" in page and "秋粮" not in page
    page = client.get(reverse("documents:incoming_list"), {"q": "发改函"}).content.decode()
    assert "秋粮" in page and "森林防火" not in page


def test_overdue_filter_and_marker(client_for, clerk, register, routed):
    IncomingDocument.objects.filter(pk=routed.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    register(title="未逾期文件", days=9)
    page = client_for(clerk).get(reverse("documents:incoming_list"), {"overdue": "on"}).content.decode()
    assert "已逾期" in page and "未逾期文件" not in page


def test_routing_slip_prints_every_entry(client_for, routed, deputy, principal, staff, clerk):
    workflow.instruct(routed, by=deputy, text="请农业农村办公室抓紧落实")
    workflow.mark_read(routed, by=principal, comment="同意")
    workflow.complete(routed, by=staff, result="已按要求完成")
    response = client_for(clerk).get(reverse("documents:incoming_slip", args=[routed.code]))
    assert response["Content-Type"] == "application/pdf"
    reader = PdfReader(io.BytesIO(response.content))
    assert len(reader.pages) == 1
    text = reader.pages[0].extract_text()
    for expected in (
        "长官镇党政办公室收文处理笺",
        f"收文〔{routed.year}〕{routed.serial}号",  # as the pages say it
        "黄磊",  # 办理结果: who
        "县人民政府办公室",
        "拟请陈刚副镇长阅示",
        "请农业农村办公室抓紧落实",
        "陈刚",
        "王建国",
        "已按要求完成",
        "农业农村办公室",
    ):
        assert expected in text.replace(" ", ""), expected
    assert AuditEvent.objects.filter(action="打印收文处理笺").exists()


def test_restricted_read_is_audited(client_for, register, office_director):
    secret = register(secrecy="work_secret", secrecy_term="5年")
    client_for(office_director).get(secret.get_absolute_url())
    assert AuditEvent.objects.filter(action="查阅内部文件", actor=office_director).exists()


def test_draft_sheet_prints(client_for, drafted, deputy, staff):
    workflow.review(drafted, by=deputy, text="同意报办公室核稿")
    response = client_for(staff).get(reverse("documents:outgoing_sheet", args=[drafted.code]))
    text = PdfReader(io.BytesIO(response.content)).pages[0].extract_text().replace(" ", "")
    for expected in ("长官镇人民政府发文稿纸", "关于秋冬季农田水利建设的实施意见", "同意报办公室核稿", "陈刚", "黄磊"):
        assert expected in text, expected
    assert "密级" in text and "紧急程度" in text and "密级/紧急" not in text  # two cells, as on the paper form
    assert "联系电话" in text and "校对" in text


def test_batch_print_offers_download(client_for, clerk, register, django_capture_on_commit_callbacks):
    documents = [register(title=f"批量{i}") for i in range(3)]
    client = client_for(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("documents:batch_print"), {"codes": [str(d.code) for d in documents]})
    detail = client.get(response.url)
    assert detail.status_code == 200
    status = client.get(response.url + "status/").json()
    assert status["done"] and status["percent"] == 100
    pdf = client.get(status["url"])
    assert len(PdfReader(io.BytesIO(b"".join(pdf.streaming_content))).pages) == 3


def test_archive_catalogue_exports(client_for, routed, deputy, staff, clerk):
    workflow.instruct(routed, by=deputy, text="办理")
    workflow.complete(routed, by=staff, result="完成")
    workflow.archive_incoming(routed, by=clerk, retention="D30")
    client = client_for(clerk)
    page = client.get(reverse("documents:archive_catalogue"), {"year": routed.year}).content.decode()
    assert routed.archive_code in page
    xlsx = client.get(reverse("documents:archive_catalogue"), {"year": routed.year, "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 2).value == routed.archive_code
    pdf = client.get(reverse("documents:archive_catalogue"), {"year": routed.year, "format": "pdf"})
    assert routed.archive_code in PdfReader(io.BytesIO(pdf.content)).pages[0].extract_text().replace("\n", "")
    assert client_for(staff).get(reverse("documents:archive_catalogue")).status_code == 403


def test_search_uses_trigram_index_on_postgres(db, is_postgres):
    from django.db import connection

    if not is_postgres:
        pytest.skip("trigram indexes exist on PostgreSQL only")
    with connection.cursor() as cursor:
        cursor.execute("SELECT indexname FROM pg_indexes WHERE indexname LIKE '%%_trgm'")
        names = {row[0] for row in cursor.fetchall()}
    assert "documents_incomingdocument_title_trgm" in names


def test_archive_catalogue_pages_by_archive_number(monkeypatch, client_for, clerk):
    from documents import views

    year = timezone.localdate().year
    for number in (3, 1, 2):
        document = services.register_incoming(by=clerk, data={"source_org": "县政府", "title": f"第{number}件"})
        IncomingDocument.objects.filter(pk=document.pk).update(
            status=IncomingDocument.Status.ARCHIVED, archive_number=number, archive_code=f"A-{year}-{number:04d}"
        )
    monkeypatch.setattr(views, "CATALOGUE_PAGE_SIZE", 2)
    client = client_for(clerk)
    first = client.get(reverse("documents:archive_catalogue"), {"year": year}).content.decode()
    assert first.index("第1件") < first.index("第2件") and "第3件" not in first
    assert "第 1 / 2 页，共 3 条" in first
    second = client.get(reverse("documents:archive_catalogue"), {"year": year, "page": 2}).content.decode()
    assert "第3件" in second and "第1件" not in second
    export = client.get(reverse("documents:archive_catalogue"), {"year": year, "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(export.content)).active
    assert [sheet.cell(row, 2).value for row in (2, 3, 4)] == [f"A-{year}-{n:04d}" for n in (1, 2, 3)]


def test_catalogue_lists_a_file_on_its_beijing_day_and_exports_no_formula(
    client_for, register, office_director, staff, clerk, departments
):
    from datetime import UTC, datetime
    from unittest import mock
    from zoneinfo import ZoneInfo

    signed = datetime(2026, 11, 26, 2, 58, tzinfo=ZoneInfo("Asia/Shanghai"))  # 25 Nov 18:58 UTC
    clock = datetime(2026, 11, 26, 23, 30, tzinfo=UTC)  # 07:30 on the 27th in Beijing
    with mock.patch("django.utils.timezone.now", return_value=clock):
        document = register(title='=HYPERLINK("http://x","点我")', signed_for_at=signed)
        workflow.propose(document, by=office_director, proposal="办理", lead_department=departments["农业农村办公室"])
        workflow.complete(document, by=staff, result="完成")
        workflow.archive_incoming(document, by=clerk, retention="D10")
        [row] = pdf.catalogue_rows(clerk, 2026)
        assert row["date"].isoformat() == "2026-11-26"
        client = client_for(clerk)
        page = client.get(reverse("documents:archive_catalogue")).content.decode()  # the year of 07:30 local
        assert "2026" in page and document.archive_code in page
        xlsx = client.get(reverse("documents:archive_catalogue"), {"year": 2026, "format": "xlsx"})
    from openpyxl import load_workbook

    sheet = load_workbook(io.BytesIO(xlsx.content)).active
    assert sheet.cell(2, 6).value == "2026-11-26"
    assert sheet.cell(2, 5).value.startswith("'=HYPERLINK")  # text, never a live formula


def test_batch_print_with_malformed_codes_is_a_400_not_a_500(client_for, clerk, register):
    register()
    response = client_for(clerk).post(reverse("documents:batch_print"), {"codes": ["abc"]})
    assert response.status_code == 400 and "所选收文无效" in response.content.decode()


def test_leaders_see_no_batch_print_and_may_not_post_it(client_for, routed, deputy):
    page = client_for(deputy).get(reverse("documents:incoming_list")).content.decode()
    assert routed.title in page and 'name="codes"' not in page and "批量打印" not in page
    response = client_for(deputy).post(reverse("documents:batch_print"), {"codes": [str(routed.code)]})
    assert response.status_code == 403


def test_missing_stored_file_is_a_clear_page_and_logged(client_for, clerk, staff, drafted, pdf_upload, caplog):
    document = services.register_incoming(
        by=clerk, data={"source_org": "县政府", "title": "有附件的文件"}, files=[pdf_upload("扫描件.pdf")]
    )
    attachment = document.attachments.get()
    attachment.file.storage.delete(attachment.file.name)
    drafted.body.storage.delete(drafted.body.name)
    with caplog.at_level("ERROR", logger="township_office.uploads"):
        response = client_for(clerk).get(reverse("documents:incoming_attachment", args=[document.code, attachment.pk]))
        assert response.status_code == 404 and "文件缺失，请联系系统管理员" in response.content.decode()
        response = client_for(staff).get(reverse("documents:outgoing_body", args=[drafted.code]))
        assert response.status_code == 404 and "文件缺失，请联系系统管理员" in response.content.decode()
    assert "Stored file missing" in caplog.text


@pytest.mark.parametrize(
    "url,params,message",
    [
        ("documents:incoming_list", {"year": "abc"}, "年度：输入整数"),
        ("documents:incoming_list", {"year": "99999999999999999999"}, "年度："),
        ("documents:incoming_list", {"status": "nonsense"}, "状态："),
        ("documents:outgoing_list", {"status": "nonsense"}, "状态："),
        ("documents:archive_catalogue", {"year": "abc"}, "年度：输入整数"),
        ("documents:archive_catalogue", {"year": "99999999999999999999"}, "年度："),
        ("documents:archive_catalogue", {"year": "2026", "format": "doc"}, "格式："),
    ],
)
def test_bad_filters_answer_400_with_the_reason(client_for, clerk, url, params, message):
    response = client_for(clerk).get(reverse(url), params)
    assert response.status_code == 400
    assert message in response.content.decode()


def test_malformed_ids_and_dates_answer_400_not_500(client_for, staff, clerk, office_director, register):
    huge = "99999999999999999999"
    response = client_for(staff).post(
        reverse("documents:outgoing_create"),
        {"title": "x", "issuer_code": huge, "countersign_departments": [huge], "action": "draft"},
    )
    assert response.status_code == 400
    document = register()
    response = client_for(office_director).post(
        reverse("documents:incoming_step", args=[document.code, "propose"]),
        {"propose-proposal": "x", "propose-leaders": [huge], "propose-lead_department": huge},
    )
    assert response.status_code == 400
    year_one = {
        "title": "x",
        "source_org": "y",
        "doc_type": "通知",
        "secrecy": "none",
        "urgency": "normal",
        "copies": "1",
        "pages": "1",
        "nature": "for_reading",
        "signed_for_at": "0001-01-01T00:00",
        "deadline": "0001-01-01",
    }
    response = client_for(office_director).post(
        reverse("documents:incoming_step", args=[document.code, "correct"]),
        {f"correct-{k}": v for k, v in year_one.items()},
    )
    assert response.status_code == 400 and "1949年至2100年" in response.content.decode()
    response = client_for(clerk).post(reverse("documents:incoming_register"), year_one)
    assert response.status_code == 400 and "1949年至2100年" in response.content.decode()
    phone = {**year_one, "call_time": "0001-01-01T00:00", "caller": "刘科长", "content": "通知"}
    response = client_for(clerk).post(reverse("documents:phone_register"), phone)
    assert response.status_code == 400


def test_huge_attachment_id_is_404(client_for, clerk, register):
    document = register()
    url = f"{document.get_absolute_url()}attachments/99999999999999999999/"
    assert client_for(clerk).get(url).status_code == 404


def test_a_long_archive_catalogue_repeats_its_header_and_numbers_its_pages(township):
    """The 归档文件目录 of a busy year runs to several pages: each starts with the header row and carries its number."""
    from datetime import date
    from types import SimpleNamespace

    from pypdf import PdfReader

    from documents import pdf

    rows = [
        SimpleNamespace(
            number=n,
            code=f"0001-WS·2026-D30-BGS-{n:04d}",
            responsible="县人民政府办公室",
            doc_number=f"县政办发〔2026〕{n}号",
            title=f"关于做好第{n}项工作的通知",
            date=date(2026, 3, 1),
            pages=2,
            secrecy="",
            retention="定期30年",
        )
        for n in range(1, 121)
    ]
    reader = PdfReader(io.BytesIO(pdf.catalogue_pdf(rows, 2026)))
    pages = len(reader.pages)
    assert pages >= 3
    for number, page in enumerate(reader.pages, start=1):
        text = page.extract_text().replace(" ", "").replace("\u3000", "")
        assert "件号" in text and "档号" in text and "保管期限" in text, number
        assert f"第{number}页共{pages}页" in text, number
    last = reader.pages[-1].extract_text()
    assert "关于做好第120项工作的通知" in last.replace(" ", "").replace("\n", "")
