"""The 发文 ends in the real document: composed in the page (or imported from a .docx), typeset by the system after
GB/T 9704-2012, numbered by 编号, and read by its recipients without the office's file.

The typesetter's own measurements are in township_office/tests/test_gbdoc_geometry.py; here the PDF served at
``document.pdf`` is measured as the 发文 makes it, with the clock at 07:30 in Beijing (23:30 UTC the day before).
"""

import hashlib
import io
from datetime import UTC, datetime
from pathlib import Path

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from documents import official, services, workflow
from documents.models import OutgoingDocument
from documents.workflow import checkers_for, reviewers_for, signers_for
from tests.unchanged import assert_unchanged, database_state
from township_office.models import AuditEvent, IssuerCode, Township, WorkItem
from township_office.tests.pdf_geometry import embedded_fonts, find, ink, line_text, open_pdf, rules, spans

S = OutgoingDocument.Status
MORNING = datetime(2026, 12, 4, 23, 30, tzinfo=UTC)  # 2026-12-05 07:30 in Beijing
TEXT = (Path(official.__file__).parent / "demo_texts" / "forest_fire_notice.txt").read_text(encoding="utf-8")
LEFT, RIGHT, TOP = 28, 28 + 156, 37  # the 版心, mm
CENTRE = (LEFT + RIGHT) / 2


def near(value, expected, tolerance=1):
    return abs(value - expected) <= tolerance


@pytest.fixture
def clock():
    with time_machine.travel(MORNING, tick=False):
        yield


@pytest.fixture
def composed(staff, departments, township, clock):
    return services.draft_outgoing(
        by=staff,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "长官镇人民政府关于切实做好2026年冬季森林防火工作的通知",
            "main_recipients": "各村（居）委会，镇直各单位",
            "text": TEXT,
            "attachments_note": "长官镇森林防火责任人名单\n长官镇森林火灾应急预案",
            "cc_recipients": "县应急管理局，县林业局",
        },
        recipient_departments=[departments["长官村村民委员会"]],
    )


def _to_numbering(document, office_director, clerk):
    workflow.review(document, by=reviewers_for(document)[0], text="同意")
    workflow.check(document, by=checkers_for(document)[0], text="核稿无误")
    workflow.sign_off(document, by=signers_for(document)[0], text="同意印发")
    workflow.recheck(document, by=clerk)
    return OutgoingDocument.objects.get(pk=document.pk)


@pytest.fixture
def numbered(composed, office_director, clerk):
    document = _to_numbering(composed, office_director, clerk)
    workflow.number(document, by=clerk)
    return OutgoingDocument.objects.get(pk=document.pk)


def _pdf(client, document):
    response = client.get(reverse("documents:outgoing_document", args=[document.code]))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    return b"".join(response.streaming_content) if response.streaming else response.content


def test_the_numbered_document_carries_its_number_and_the_standard_layout(numbered, clerk, client_for):
    content = _pdf(client_for(clerk), numbered)
    assert numbered.doc_number == "长政发〔2026〕1号"
    assert hashlib.sha256(content).hexdigest() == numbered.typeset_sha256
    pdf = open_pdf(content)
    assert len(pdf) >= 3
    first = pdf[0]
    number = find(first, "长政发〔2026〕1号")
    assert line_text(first, number) == "长政发〔2026〕1号" and near(number.centre_x, CENTRE)
    assert "〔　　〕" not in "".join(s.text for s in spans(first)) and "草稿" not in "".join(
        s.text for s in spans(first)
    )
    _, top, _, _ = ink(first, (LEFT, TOP, RIGHT, TOP + 60), red=True)
    assert near(top, TOP + 35)  # the 发文机关标志's top edge
    assert find(first, "长官镇人民政府文件").color == 0xEE0000
    (red,) = [rule for rule in rules(first) if rule.is_red]
    assert near(red.x0, LEFT) and near(red.x1, RIGHT) and near(red.top - number.em_bottom, 4)
    body = find(first, "为切实做好今冬明春森林防火工作")
    assert "FandolFang" in body.font and any("FandolFang" in name for name in embedded_fonts(pdf))
    last = pdf[len(pdf) - 1]
    assert len(pdf) % 2 == 0  # the 版记 on the back of a sheet
    assert find(last, "长官镇党政办公室") and find(last, "2026年12月5日印发")  # 印发日期: 编号's Beijing day
    text = "".join(s.text for page in pdf for s in spans(page))
    assert "2026年12月5日" in text.replace("印发", "")  # 成文日期, the 签发 day in Beijing (UTC: the 4th)
    assert "附件：1.长官镇森林防火责任人名单" in text


def test_before_numbering_the_document_is_a_draft_with_an_empty_number(composed, staff, client_for):
    pdf = open_pdf(_pdf(client_for(staff), composed))
    text = "".join(s.text for s in spans(pdf[0]))
    assert "长政发〔　　〕号" in text and "草稿" in text


def test_the_numbered_file_is_frozen_what_is_sealed_is_what_is_issued(numbered, clerk, client_for, township):
    before = numbered.typeset_sha256
    Township.objects.update(government_name="长官镇政府（改名）")
    document = OutgoingDocument.objects.get(pk=numbered.pk)
    assert hashlib.sha256(official.document_pdf(document)).hexdigest() == before
    assert hashlib.sha256(_pdf(client_for(clerk), document)).hexdigest() == before


def test_a_draft_is_typeset_again_after_a_change_only_and_reading_writes_nothing(composed, staff, client_for):
    workflow.withdraw(composed, by=staff)  # back to 拟稿, to be changed
    client = client_for(staff)
    composed.refresh_from_db()
    before = database_state(audit=False)
    first = _pdf(client, composed)
    assert _pdf(client, composed) == first  # nothing changed: the cached file
    client.get(composed.get_absolute_url())
    assert_unchanged(before, audit=False)  # reading the draft's document is not a change
    workflow.edit_draft(composed, by=staff, changes={"title": "长官镇人民政府关于森林防火的紧急通知"})
    composed.refresh_from_db()
    changed = _pdf(client, composed)
    assert changed != first and "紧急通知" in "".join(s.text for s in spans(open_pdf(changed)[0]))


def test_every_version_is_kept_and_the_timeline_says_what_changed(composed, staff, client_for):
    workflow.withdraw(composed, by=staff)
    workflow.edit_draft(composed, by=staff, changes={"text": TEXT + "\n特此通知。"})
    workflow.edit_draft(composed, by=staff, changes={"cc_recipients": "县应急管理局"})
    versions = list(composed.versions.order_by("number"))
    assert [v.number for v in versions] == [1, 2, 3]
    assert versions[0].changed == "初稿" and versions[0].text == TEXT
    assert versions[1].changed == "正文" and versions[1].text.endswith("特此通知。")
    assert versions[2].changed == "抄送机关"
    comments = list(
        AuditEvent.objects.filter(object_code=str(composed.code), action="修改草稿")
        .order_by("pk")
        .values_list("comment", flat=True)
    )
    assert comments == ["修改了：正文（第2稿）", "修改了：抄送机关（第3稿）"]
    page = client_for(staff).get(reverse("documents:outgoing_versions", args=[composed.code])).content.decode()
    assert "第3稿" in page and "第1稿" in page and "特此通知。" in page


def test_submit_needs_the_composed_text(staff, township, departments):
    document = services.draft_outgoing(
        by=staff,
        data={"issuer_code": IssuerCode.objects.get(code="长政发"), "title": "无正文", "main_recipients": "各村"},
        submit=False,
    )
    with pytest.raises(workflow.Refused, match="请先填写或导入正文再提交"):
        workflow.submit(document, by=staff)
    assert OutgoingDocument.objects.get(pk=document.pk).status == S.DRAFT


# --- The recipients ----------------------------------------------------------------------------------------------


@pytest.fixture
def issued(numbered, clerk, monkeypatch):
    class Stamped:
        number, status_label, url, fully_stamped = "用印〔2026〕1号", "已用印", "/seals/x/", True

    class Api:
        requests_for = staticmethod(lambda object_type, code: [Stamped()])
        new_request_url = staticmethod(lambda object_type, code, title: "")

    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: Api)
    workflow.seal(numbered, by=clerk)
    workflow.issue(numbered, by=clerk, copies=20, issued_on=numbered.date_of_issue, proofreader="孙悦")
    return OutgoingDocument.objects.get(pk=numbered.pk)


def test_a_recipient_sees_the_document_not_the_office_file(issued, village_staff, client_for):
    client = client_for(village_staff)
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "长政发〔2026〕1号" in page and "2026年12月5日" in page
    assert f"/preview/outgoing-document/{issued.code}/page/1.png" in page
    for internal in ("审批意见", "核稿无误", "同意印发", "流转记录", "打印发文稿纸", "历次修改"):
        assert internal not in page
    assert "未签收" in page and "签收" in page
    for url in (
        reverse("documents:outgoing_sheet", args=[issued.code]),
        reverse("documents:outgoing_versions", args=[issued.code]),
        reverse("documents:outgoing_body", args=[issued.code]),
        f"/preview/outgoing-body/{issued.code}/",
    ):
        assert client.get(url).status_code == 404, url
    assert _pdf(client, issued)  # the issued document itself
    item = WorkItem.objects.get(step="sign_for", done_at__isnull=True)
    assert "长政发〔2026〕1号" in item.matter.title
    assert client.post(reverse("documents:outgoing_step", args=[issued.code, "sign_for"])).status_code == 302
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "已签收" in page and "核稿无误" not in page


def test_the_office_still_sees_its_whole_file(issued, clerk, client_for):
    client = client_for(clerk)
    page = client.get(issued.get_absolute_url()).content.decode()
    assert "审批意见" in page and "核稿无误" in page and "流转记录" in page
    assert client.get(reverse("documents:outgoing_sheet", args=[issued.code])).status_code == 200
    assert client.get(reverse("documents:outgoing_versions", args=[issued.code])).status_code == 200


# --- The compose form -------------------------------------------------------------------------------------------


def _form(**extra):
    return {
        "action": "draft",
        "issuer_code": IssuerCode.objects.get(code="长政发").pk,
        "title": "长官镇人民政府关于做好森林防火工作的通知",
        "doc_type": "通知",
        "importance": "routine",
        "secrecy": "none",
        "urgency": "normal",
        "main_recipients": "各村（居）委会",
        "text": "为做好森林防火工作，现通知如下。\n一、总体要求\n压实责任。",
        **extra,
    }


def test_the_compose_form_saves_the_document(staff, client_for, township):
    response = client_for(staff).post(
        reverse("documents:outgoing_create"), _form(issuer_bodies=["party", "government"])
    )
    assert response.status_code == 302
    document = OutgoingDocument.objects.get()
    assert document.text == "为做好森林防火工作，现通知如下。\n一、总体要求\n压实责任。"
    assert document.issuer_bodies == ["party", "government"]
    assert official.official_document(document).issuers == ["中共长官镇委员会", "长官镇人民政府"]


@pytest.mark.parametrize(
    ("change", "field", "message"),
    [
        ({"title": ""}, "title", "这个字段是必填项"),
        ({"main_recipients": ""}, "main_recipients", "请填写主送机关。"),
        ({"text": "一、总体要求\n1、宣传发动"}, "text", "第2行「1、宣传发动」"),
        ({"docx": SimpleUploadedFile("正文.docx", b"%PDF-1.4 not a word file")}, "docx", "docx"),
    ],
)
def test_bad_input_is_refused_beside_the_field_and_kept(staff, client_for, township, change, field, message):
    data = _form(**change)
    if "docx" in change:
        data["text"] = ""
    response = client_for(staff).post(reverse("documents:outgoing_create"), data)
    assert response.status_code == 400
    form = response.context["form"]
    assert message in " ".join(form.errors[field])
    assert not OutgoingDocument.objects.exists()
    if change.get("text"):
        assert "1、宣传发动" in response.content.decode()  # what was typed comes back


def test_a_body_over_the_limit_is_refused(staff, client_for, township, settings):
    settings.DOCUMENT_BODY_MAX_CHARS = 10
    response = client_for(staff).post(reverse("documents:outgoing_create"), _form())
    assert response.status_code == 400 and "超过了 10 字的上限" in " ".join(response.context["form"].errors["text"])


def _docx(paragraphs):
    from docx import Document

    word = Document()
    for text in paragraphs:
        word.add_paragraph(text)
    buffer = io.BytesIO()
    word.save(buffer)
    return SimpleUploadedFile("森林防火通知.docx", buffer.getvalue())


def test_a_docx_is_imported_and_kept_as_the_original(staff, client_for, township):
    client = client_for(staff)
    upload = _docx(["各村（居）委会：", "为做好森林防火工作，现通知如下。", "一、总体要求", "压实责任。"])
    response = client.post(reverse("documents:outgoing_create"), _form(text="", main_recipients="", docx=upload))
    assert response.status_code == 302, response.context["form"].errors
    document = OutgoingDocument.objects.get()
    assert document.main_recipients == "各村（居）委会"
    assert document.text == "为做好森林防火工作，现通知如下。\n一、总体要求\n压实责任。"
    assert document.body.name.endswith(".docx")  # the 原稿, downloadable by the drafter
    assert client.get(reverse("documents:outgoing_body", args=[document.code])).status_code == 200
    assert official.official_document(document).body[1].level == 1


def test_a_docx_does_not_replace_typed_text(staff, client_for, township):
    upload = _docx(["为做好森林防火工作，现通知如下。"])
    response = client_for(staff).post(reverse("documents:outgoing_create"), _form(docx=upload))
    assert response.status_code == 400
    assert "会替换它" in " ".join(response.context["form"].errors["docx"])
    assert "压实责任。" in response.content.decode()
    assert not OutgoingDocument.objects.exists()
