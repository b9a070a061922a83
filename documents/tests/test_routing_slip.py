"""收文处理笺: one A4 page with the paper form's nine rows; long text shrinks to 10.5pt, then continues on a 续页."""

import os

import pypdfium2
import pypdfium2.raw as pdfium_c
import pytest

from conftest import ARTIFACTS
from documents import pdf, services, workflow
from tests import preview_samples
from township_office.models import User
from township_office.signatures import clean_signature

NINE_ROWS = (
    "来文单位",
    "密级",
    "份数/页数",
    "文件标题",
    "拟办意见",
    "领导批示",
    "传阅情况",
    "承办单位及办理结果",
    "备注",
)
LEADERS = ("principal_leader", "mayor", "deputy_secretary", "deputy_leader", "discipline_secretary", "deputy_mayor")


def _pages(content):
    """The text of each page (whitespace removed: the PDF breaks lines inside sentences) and the smallest font
    size (pt) on it."""
    document = pypdfium2.PdfDocument(content)
    pages = []
    for page in document:
        textpage = page.get_textpage()
        text = textpage.get_text_range()
        sizes = [
            pdfium_c.FPDFText_GetFontSize(textpage.raw, i)
            for i in range(textpage.count_chars())
            if not text[i : i + 1].isspace()
        ]
        pages.append(("".join(text.split()), min(sizes, default=0)))
    return pages


def _instruction(n, length):
    """A 批示 of ``length`` characters, told apart by its number."""
    head = f"第{n}条批示："
    return head + ("请各相关部门高度重视认真研究提出具体措施抓紧落实并及时报告进展情况" * 20)[: length - len(head)]


@pytest.fixture
def six_leaders(register, office_director, departments):
    """A file given to six leaders for instruction, each of whom writes ``length`` characters."""

    def make(
        length,
        *,
        proposal="拟请各位领导阅示。",
        result="已组织各村完成检查并上报",
        title="关于做好冬季森林防火工作的通知",
        signed=False,
    ):
        document = register(title=title)
        leaders = [User.objects.get(username=u) for u in LEADERS]
        workflow.propose(
            document,
            by=office_director,
            proposal=proposal,
            leaders=leaders,
            lead_department=departments["农业农村办公室"],
        )
        for n, leader in enumerate(leaders, start=1):
            # signed: the first leader signs by hand (township_office.signatures), the others are typed names
            drawn = clean_signature(preview_samples.signature()) if signed and n == 1 else b""
            workflow.instruct(document, by=leader, text=_instruction(n, length), signature=drawn)
        document.refresh_from_db()
        staff = User.objects.get(username="department_staff")
        workflow.complete(document, by=staff, result=result)
        document.refresh_from_db()
        return document

    return make


def _assert_nothing_lost(pages, document, texts):
    whole = "".join(text for text, _ in pages)
    for text in texts:
        assert whole.count(text) == 1, text  # every entry once: on page one or on the 续页
    assert document.number in pages[0][0]
    assert all(label in pages[0][0] for label in NINE_ROWS)  # the nine rows on page one, always


def test_six_leaders_of_forty_characters_keep_the_nine_rows_on_page_one(six_leaders):
    document = six_leaders(40)
    pages = _pages(pdf.routing_slip(document))
    texts = [_instruction(n, 40) for n in range(1, 7)]
    _assert_nothing_lost(pages, document, texts)
    if len(pages) > 1:  # did not fit even at 10.5pt: the rest is on the 续页
        assert "（见续页）" in pages[0][0]
        assert pages[1][0].startswith(f"{document.number}（续）")
    assert pages[0][1] >= 10.5 - 0.01  # never below the floor
    # 办理结果: what, who and when
    assert "办理结果：已组织各村完成检查并上报" in pages[0][0] or "办理结果：已组织各村完成检查并上报" in pages[1][0]
    assert "黄磊" in "".join(text for text, _ in pages)


def test_a_slip_that_does_not_fit_continues_on_a_continuation_page(six_leaders):
    proposal = "拟请各位领导阅示，" + "并请农业农村办公室会同自然资源所做好森林防火宣传和巡查工作" * 6
    result = "已组织各村完成防火检查，" + "排查隐患点位并逐一整改到位，落实专人值守巡查" * 12
    document = six_leaders(160, proposal=proposal, result=result)
    content = pdf.routing_slip(document)
    pages = _pages(content)
    texts = [_instruction(n, 160) for n in range(1, 7)]
    _assert_nothing_lost(pages, document, [*texts, proposal])
    assert len(pages) == 2
    first, continued = pages[0][0], pages[1][0]
    assert "（见续页）" in first
    assert continued.startswith(f"{document.number}（续）")  # 收文〔2026〕1号（续）, as the pages say the number
    assert pages[0][1] >= 10.5 - 0.01 and pages[1][1] >= 10.5 - 0.01
    assert texts[0] in first  # the first instructions stay on the form, the later ones continue
    assert texts[-1] in continued and "领导批示" in continued
    assert "办理结果：已组织各村完成防火检查" in first + continued
    assert "黄磊" in first + continued  # who completed it, wherever the result is
    os.makedirs(ARTIFACTS, exist_ok=True)
    for number, page in enumerate(pypdfium2.PdfDocument(content), start=1):
        page.render(scale=100 / 72).to_pil().save(os.path.join(ARTIFACTS, f"routing-slip-overflow-{number}.png"))


def test_one_very_long_instruction_moves_whole_and_the_continuation_runs_on(six_leaders):
    document = six_leaders(40)
    leader = User.objects.get(username="principal_leader")
    from documents.models import Instruction

    long_text = "第七条批示：" + "请党政办公室牵头组织全镇开展森林防火专项整治行动并逐日报告" * 80
    Instruction.objects.create(document=document, leader=leader, text=long_text)
    pages = _pages(pdf.routing_slip(document))
    assert len(pages) >= 3  # page one, and a 续页 of more than one page
    _assert_nothing_lost(pages, document, [long_text[:200], *[_instruction(n, 40) for n in range(1, 7)]])
    assert long_text[:40] not in pages[0][0] and "（见续页）" in pages[0][0]
    assert pages[1][0].startswith(f"{document.number}（续）")


def test_batch_print_gives_each_file_its_own_pages(six_leaders, routed, deputy):
    workflow.instruct(routed, by=deputy, text="请农业农村办公室抓紧落实")
    routed.refresh_from_db()
    long = six_leaders(160, result="已完成" * 150, title="关于开展秋冬季森林防火专项检查的通知")
    pages = _pages(pdf.routing_slips([long, routed]))
    assert len(pages) == 3
    assert long.number in pages[0][0] and all(label in pages[0][0] for label in NINE_ROWS)
    assert pages[1][0].startswith(f"{long.number}（续）")
    assert routed.number in pages[2][0] and "请农业农村办公室抓紧落实" in pages[2][0]
    assert all(label in pages[2][0] for label in NINE_ROWS)
    assert "关于开展秋冬季森林防火专项检查的通知" not in pages[2][0]


def test_an_empty_batch_is_a_pdf_saying_so():
    assert "没有可打印的收文处理笺" in _pages(pdf.routing_slips([]))[0][0]


def test_phone_notice_content_is_on_the_slip(clerk, township):
    document = services.register_incoming(
        by=clerk,
        data={
            "kind": "phone",
            "source_org": "县应急管理局",
            "caller": "刘科长",
            "title": "关于寒潮天气的电话通知",
            "content": "明日起有强降温，请各村做好防寒防冻工作。",
        },
    )
    (text, _), *rest = _pages(pdf.routing_slip(document))
    assert not rest and "刘科长" in text and "请各村做好防寒防冻工作" in text


def _boxes(pages):
    """Every box of ``pages`` as (kind, x, y, width, height, text), rounded to a hundredth of a pixel."""
    found = []

    def walk(box):
        found.append(
            (
                type(box).__name__,
                round(box.position_x, 2),
                round(box.position_y, 2),
                round(box.width or 0, 2),
                round(box.height or 0, 2),
                getattr(box, "text", ""),
            )
        )
        for child in getattr(box, "children", ()):
            walk(child)

    for page in pages:
        walk(page._page_box)
    return found


def test_the_lean_user_agent_stylesheet_lays_the_slip_out_as_the_full_one(six_leaders, monkeypatch):
    """The slip is laid out with print_ua.css (township_office/pdf.py) for speed; every box of its page one and
    of its 续页 is where WeasyPrint's full HTML defaults put it."""
    import weasyprint

    from township_office import pdf as township_pdf

    document = six_leaders(120, signed=True)  # long enough for a 续页; one drawn signature among the names
    lean_class = township_pdf._lean_html_class()
    calls = []
    monkeypatch.setattr(lean_class, "_ua_stylesheets", lambda self, forms=False: calls.append(1) or [lean_class.lean])
    _, pages = pdf._slip_pages(document)
    lean = _boxes(pages)
    assert calls  # WeasyPrint still takes its defaults from the hook township_office/pdf.py overrides
    monkeypatch.setattr(township_pdf, "_lean_html_class", lambda: weasyprint.HTML)
    _, pages = pdf._slip_pages(document)
    full = _boxes(pages)
    assert len(pages) >= 2 and len(lean) > 200
    assert lean == full


def test_the_slip_templates_use_only_elements_the_lean_stylesheet_styles():
    """An element print_ua.css does not know would be laid out as plain inline text on the slip."""
    import re
    from pathlib import Path

    from django.contrib.staticfiles import finders

    from township_office.pdf import LEAN_UA

    css = Path(finders.find(LEAN_UA)).read_text(encoding="utf-8")
    css = re.sub(r"/\*.*?\*/", "", css, flags=re.S)
    styled = set(re.findall(r"(?<![\w:.#-])([a-z][a-z0-9]*)(?=[\s,{:])", css.split("@page")[0])) | {"span"}
    folder = Path(pdf.__file__).parent / "templates" / "documents" / "print"
    used = set()
    for name in ("routing_slip.html", "routing_slip_continued.html", "slip_entries.html"):
        used |= set(re.findall(r"<([a-z][a-z0-9]*)", (folder / name).read_text(encoding="utf-8")))
    assert {"table", "th", "td", "div", "h1"} <= used
    assert used - {"html", "head", "meta", "title", "body"} <= styled, used - styled
