"""The 发文稿纸 measured in its PDF: every label on one line, every value inside its cell, the title in 二号."""

import datetime

import pytest

from documents.pdf import draft_sheet
from township_office.tests.pdf_geometry import find, find_all, lines, open_pdf, vertical_rules

LABELS = ("拟稿单位", "拟稿人", "联系电话", "发文字号", "密级", "紧急程度", "标题", "主送", "抄送")
LABELS += ("印发份数", "印发日期", "校对", "附件", "签发", "会签", "核稿", "部门审核")
VALUES = (
    "0838-12345678",
    "长政办发〔2026〕112号",
    "2026年12月15日",
    "农业农村办公室",
    "黄磊",
    "平件",
    "30",
    "欧阳晓明",
)
GAP = 1  # mm: the least room between a text and its cell's border


@pytest.fixture
def sheet(drafted):
    drafted.drafter_phone = "0838-12345678"
    drafted.doc_number = "长政办发〔2026〕112号"
    drafted.copies = 30
    drafted.issued_on = datetime.date(2026, 12, 15)
    drafted.proofreader = "欧阳晓明"
    drafted.attachments_note = "1.责任人名单"
    return open_pdf(draft_sheet(drafted))[0]


def cell_of(page, span):
    """The borders left and right of ``span``: the nearest vertical rules crossing its line."""
    # a border crosses the whole band of the line; no glyph is that tall
    band = (10, span.centre_y - 3, 200, span.centre_y + 3)
    crossing = vertical_rules(page, band, min_height=5.8)
    left = max((rule.x1 for rule in crossing if rule.x1 <= span.x0 + 0.2), default=None)
    right = min((rule.x0 for rule in crossing if rule.x0 >= span.x1 - 0.2), default=None)
    assert left is not None and right is not None, span.text
    return left, right


def test_the_title_is_erhao(sheet):
    title = find(sheet, "长官镇人民政府发文稿纸")
    assert abs(title.size - 22) < 0.01


def test_every_label_is_on_one_line_inside_its_cell(sheet):
    problems = []
    for label in LABELS:
        found = [span for _, row in lines(sheet) for span in row if span.text.strip() == label]
        if len(found) != 1:
            problems.append(f"{label} is split or missing")
            continue
        left, right = cell_of(sheet, found[0])
        if found[0].x0 - left < GAP or right - found[0].x1 < GAP:
            problems.append(f"{label} touches its cell's border")
    assert problems == []


def test_every_value_is_on_one_line_inside_its_cell(sheet):
    problems = []
    for value in VALUES:
        spans = find_all(sheet, value)
        if not spans:
            problems.append(f"{value} is split or missing")
            continue
        left, right = cell_of(sheet, spans[0])
        if spans[0].x0 - left < GAP or right - spans[0].x1 < GAP:
            problems.append(f"{value} touches its cell's border")
    assert problems == []
