"""The 正文 from typed text and from a .docx: the four heading levels, their order, the length limit."""

import io
from datetime import date

import pytest
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile

from township_office.gbdoc import Block, body_text, check_body_length, chinese_number, parse_body, read_docx

TEXT = """一、总体要求
　　全镇上下要提高认识。
（一）明确目标。今冬明春不发生重大森林火灾。
1.分步实施。
（1）第一步，宣传发动。
（2）第二步，排查整治。
2.压实责任。

（二）加强巡查。
二、保障措施
各村要落实经费。
"""


def messages(error):
    return error.value.messages


def test_typed_text_becomes_paragraphs_and_headings():
    blocks = parse_body(TEXT)
    assert [(b.level, b.text) for b in blocks] == [
        (1, "一、总体要求"),
        (0, "全镇上下要提高认识。"),  # the full-width indent dropped
        (2, "（一）明确目标。今冬明春不发生重大森林火灾。"),
        (3, "1.分步实施。"),
        (4, "（1）第一步，宣传发动。"),
        (4, "（2）第二步，排查整治。"),
        (3, "2.压实责任。"),
        (2, "（二）加强巡查。"),  # the blank line is not a paragraph
        (1, "二、保障措施"),
        (0, "各村要落实经费。"),
    ]
    assert parse_body(body_text(blocks)) == blocks


def test_a_heading_lead_ends_at_its_first_full_stop():
    block = Block("（一）明确目标。今冬明春不发生重大森林火灾。", 2)
    assert (block.lead, block.rest) == ("（一）明确目标。", "今冬明春不发生重大森林火灾。")
    assert Block("一、总体要求", 1).lead == "一、总体要求" and Block("正文。", 0).lead == ""


def test_numbers_that_are_not_ordinals_stay_text():
    blocks = parse_body("1.5亿元已经拨付。\n2026年计划如下。\n一是加强领导。")
    assert [b.level for b in blocks] == [0, 0, 0]


@pytest.mark.parametrize(
    "line, hint",
    [
        ("1、宣传发动", "「1.」"),
        ("一.总体要求", "「一、」"),
        ("(一)明确目标", "「（一）」"),
        ("（一)明确目标", "「（一）」"),
        ("(1)第一步", "「（1）」"),
        ("1)第一步", "「（1）」"),
        ("1．分步实施", "「1.」"),
        ("①第一步", "「一、」「（一）」「1.」「（1）」"),
    ],
)
def test_an_unknown_heading_pattern_is_refused_naming_the_line(line, hint):
    with pytest.raises(ValidationError) as error:
        parse_body(f"一、总体要求\n（一）明确目标。\n{line}")
    (message,) = messages(error)
    assert message.startswith(f"第3行「{line}」：不是规范的层次序号") and hint in message


@pytest.mark.parametrize(
    "text, message",
    [
        ("一、总体要求\n三、保障措施", "第2行「三、保障措施」：序号「三、」不对，上一个是「二、」… wrong"),
        ("二、总体要求", "第1行「二、总体要求」：序号「二、」不对，这一层应从「一、」开始。"),
        ("（一）明确目标", "第1行「（一）明确目标」：第2层序号「（一）」前面缺少第1层序号「一、」。"),
        ("一、总体要求\n1.分步实施", "第2行「1.分步实施」：第3层序号「1.」前面缺少第2层序号「（一）」。"),
        ("一、甲\n（一）乙\n二、丙\n（二）丁", "第4行「（二）丁」：序号「（二）」不对，这一层应从「（一）」开始。"),
    ],
)
def test_an_out_of_order_heading_is_refused(text, message):
    with pytest.raises(ValidationError) as error:
        parse_body(text)
    if message.endswith("wrong"):
        message = "第2行「三、保障措施」：序号「三、」不对，上一个是「一、」，这里应为「二、」。"
    assert messages(error) == [message]


def test_every_wrong_line_is_named_at_once():
    with pytest.raises(ValidationError) as error:
        parse_body("一、甲\n1、乙\n正文。\n三、丙")
    assert [m[:3] for m in messages(error)] == ["第2行", "第4行"]


def test_chinese_numbers():
    assert [chinese_number(n) for n in (1, 10, 11, 20, 23, 99)] == ["一", "十", "十一", "二十", "二十三", "九十九"]
    blocks = parse_body("\n".join(f"{chinese_number(n)}、第{n}部分" for n in range(1, 13)))
    assert [b.level for b in blocks] == [1] * 12


def test_a_malformed_chinese_number_is_refused():
    with pytest.raises(ValidationError) as error:
        parse_body("一、甲\n二二、乙")
    assert "第2行" in messages(error)[0]


def test_the_body_length_limit_is_a_setting(settings):
    settings.DOCUMENT_BODY_MAX_CHARS = 10
    check_body_length("一二三四五　六七八九十\n")  # whitespace does not count
    with pytest.raises(ValidationError) as error:
        parse_body("一二三四五六七八九十十一")
    assert messages(error) == ["正文共 12 字，超过了 10 字的上限，请精简，或把部分内容作为附件。"]


# --- .docx ---------------------------------------------------------------------------------------------------


def docx_file(build, name="正文.docx"):
    from docx import Document

    word = Document()
    build(word)
    buffer = io.BytesIO()
    word.save(buffer)
    return SimpleUploadedFile(name, buffer.getvalue())


def test_a_docx_gives_title_recipients_headings_attachments_signature_and_date():
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    def build(word):
        word.add_paragraph("关于做好冬季森林防火工作的通知").alignment = WD_ALIGN_PARAGRAPH.CENTER
        word.add_paragraph("各村（居）委会：")
        word.add_paragraph("总体要求", style="Heading 1")  # the ordinal drawn by Word, not in the text
        word.add_paragraph("　　全镇上下要提高认识。")
        word.add_paragraph("（一）明确目标。今冬明春不发生火灾。")
        word.add_paragraph("")
        word.add_paragraph("保障措施", style="Heading 1")
        word.add_paragraph("附件：1.责任人名单")
        word.add_paragraph("2.应急预案")
        word.add_paragraph("长官镇人民政府").alignment = WD_ALIGN_PARAGRAPH.RIGHT
        word.add_paragraph("2026年12月5日").alignment = WD_ALIGN_PARAGRAPH.RIGHT

    imported = read_docx(docx_file(build))
    assert imported.title == "关于做好冬季森林防火工作的通知"
    assert imported.main_recipients == "各村（居）委会"
    assert [(b.level, b.text) for b in imported.blocks] == [
        (1, "一、总体要求"),
        (0, "全镇上下要提高认识。"),
        (2, "（一）明确目标。今冬明春不发生火灾。"),
        (1, "二、保障措施"),
    ]
    assert imported.attachments == ["责任人名单", "应急预案"]
    assert (imported.signature, imported.date_of_issue) == ("长官镇人民政府", date(2026, 12, 5))
    assert imported.text.splitlines()[0] == "一、总体要求"


def test_a_docx_with_a_bad_heading_is_refused_naming_the_paragraph():
    def build(word):
        word.add_paragraph("一、总体要求")
        word.add_paragraph("1、宣传发动")

    with pytest.raises(ValidationError) as error:
        read_docx(docx_file(build))
    assert messages(error)[0].startswith("第2段「1、宣传发动」：不是规范的层次序号")


def test_a_docx_over_the_length_limit_is_refused(settings):
    settings.DOCUMENT_BODY_MAX_CHARS = 20
    with pytest.raises(ValidationError) as error:
        read_docx(docx_file(lambda word: word.add_paragraph("森林防火" * 6)))
    assert "超过了 20 字的上限" in messages(error)[0]


@pytest.mark.parametrize(
    "name, content, expected",
    [
        ("正文.docx", b"%PDF-1.7\n1 0 obj<<>>endobj\n", "不是可接受的格式"),  # a PDF named .docx
        ("正文.docx", "只是一段文字".encode(), "不是可接受的格式"),
        ("正文.docx", b"PK\x03\x04" + b"\x00" * 40, "不是可接受的格式"),  # a broken zip
        ("正文.doc", b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1" + b"\x00" * 100, "请在 Word 或 WPS 中另存为 .docx"),
        ("正文.docx", b"", "是空文件"),
    ],
)
def test_a_file_that_is_not_a_docx_by_its_content_is_refused_in_chinese(name, content, expected):
    with pytest.raises(ValidationError) as error:
        read_docx(SimpleUploadedFile(name, content))
    assert expected in messages(error)[0]


def test_an_xlsx_is_not_a_docx():
    from openpyxl import Workbook

    buffer = io.BytesIO()
    Workbook().save(buffer)
    with pytest.raises(ValidationError) as error:
        read_docx(SimpleUploadedFile("正文.docx", buffer.getvalue()))
    assert "不是可接受的格式" in messages(error)[0]


# --- form fields ---------------------------------------------------------------------------------------------


def compose_form():
    from django import forms

    from township_office.gbdoc.forms import BodyField, DocxField

    class ComposeForm(forms.Form):
        body = BodyField()
        word = DocxField()

    return ComposeForm


def test_the_body_field_cleans_to_blocks():
    form = compose_form()(data={"body": "一、总体要求\n正文。"})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["body"] == [Block("一、总体要求", 1), Block("正文。", 0)]
    assert form.cleaned_data["word"] is None


def test_a_bad_body_is_refused_beside_the_field_and_kept_as_typed():
    typed = "一、总体要求\n1、宣传发动\n"
    form = compose_form()(data={"body": typed})
    assert not form.is_valid()
    assert form.errors["body"][0].startswith("第2行「1、宣传发动」")
    assert form["body"].value() == typed and typed in str(form["body"])


def test_an_empty_body_is_required():
    form = compose_form()(data={"body": "  \n "})
    assert not form.is_valid() and form.errors["body"] == ["这个字段是必填项。"]


def test_initial_blocks_show_as_text():
    form = compose_form()(initial={"body": [Block("一、总体要求", 1), Block("正文。")]})
    assert "一、总体要求\n正文。" in str(form["body"])


def test_the_docx_field_imports_and_keeps_the_upload():
    upload = docx_file(lambda word: word.add_paragraph("一、总体要求"))
    form = compose_form()(data={"body": "正文。"}, files={"word": upload})
    assert form.is_valid(), form.errors
    assert form.cleaned_data["word"].blocks == [Block("一、总体要求", 1)]
    assert form.cleaned_data["word"].file is upload


def test_a_file_that_is_not_a_docx_is_refused_beside_the_field():
    form = compose_form()(data={"body": "正文。"}, files={"word": SimpleUploadedFile("正文.docx", b"%PDF-1.7\n")})
    assert not form.is_valid()
    assert "不是可接受的格式" in form.errors["word"][0]
