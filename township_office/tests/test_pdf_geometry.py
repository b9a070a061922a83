"""The PDF geometry helper measured on a page of known geometry: every box placed in millimetres by CSS."""

import pytest
from weasyprint import HTML

from .pdf_geometry import (
    embedded_fonts,
    find,
    find_all,
    horizontal_rules,
    ink,
    line_text,
    lines,
    open_pdf,
    rules,
    spans,
    vertical_rules,
)

PIXELS = 2 * 25.4 / 600  # mm: two pixels at 600 dpi (an edge inside a pixel, a bounding box exclusive of its end)
PAGE = """<style>@page { size: A4; margin: 0 } body { margin: 0; font-family: FandolFang }
div { position: absolute; font-size: 16pt; line-height: 1 }</style>
<div style="left: 20mm; top: 30mm; color: #ee0000">口测试<span style="font-family: 'Noto Sans CJK SC'">黑体</span></div>
<div style="left: 20mm; top: 60mm">左边<span style="margin-left: 20mm">右边</span></div>
<div style="left: 120mm; top: 75mm">下行</div>
<div style="left: 40mm; top: 100mm; width: 50mm; height: 0.5mm; background: #ee0000"></div>
<div style="left: 40mm; top: 120mm; width: 30mm; height: 10mm; background: black"></div>
<div style="left: 100mm; top: 150mm; height: 40mm; border-left: 0.3mm solid black"></div>
"""


def near(value, expected, tolerance=0.01):
    return abs(value - expected) <= tolerance


@pytest.fixture(scope="module")
def pdf():
    return open_pdf(HTML(string=PAGE).write_pdf())


def test_the_document_reads_as_a_list_of_a4_pages(pdf):
    assert len(pdf) == 1 and [page.number for page in pdf] == [0] and pdf[:1] == [pdf[0]]
    assert near(pdf[0].rect.width * 25.4 / 72, 210) and near(pdf[0].rect.height * 25.4 / 72, 297)


def test_spans_split_by_font_and_by_a_wide_gap_with_names_sizes_colours_and_edges(pdf):
    page = pdf[0]
    red, heiti, left, right, down = spans(page)
    assert [span.text for span in (red, heiti, left, right)] == ["口测试", "黑体", "左边", "右边"]
    assert red.font == "FandolFang" and heiti.font.startswith("Noto") and "+" not in heiti.font
    assert all(near(span.size, 16) for span in (red, heiti, left, right))
    assert red.color == heiti.color == 0xEE0000 and left.color == 0
    assert near(red.x0, 20) and near(left.x0, 20)  # the first character's origin
    assert near(red.x1, heiti.x0) and near(heiti.x1 - heiti.x0, 2 * 16 * 25.4 / 72)  # advances of one em
    assert [round(b - a, 3) for _, a, b in red.chars] == [round(16 * 25.4 / 72, 3)] * 3
    assert near(right.x0 - left.x1, 20)  # the margin set apart
    assert near(red.baseline, heiti.baseline) and near(down.baseline - left.baseline, 15)  # the boxes' 15 mm
    assert near(down.x0, 120)
    assert [(round(baseline), [s.text for s in row]) for baseline, row in lines(page)] == [
        (round(red.baseline), ["口测试", "黑体"]),
        (round(left.baseline), ["左边", "右边"]),
        (round(down.baseline), ["下行"]),
    ]


def test_the_em_box_holds_the_ink_of_its_character(pdf):
    page = pdf[0]
    square = find(page, "口")
    _, cell_left, cell_right = square.chars[0]
    left, top, right, bottom = ink(page, (cell_left, square.em_top - 3, cell_right, square.em_bottom + 3), red=True)
    assert square.em_top <= top < bottom <= square.em_bottom and cell_left <= left < right <= cell_right
    assert near((top + bottom) / 2, square.centre_y, 0.5)


def test_find_reaches_across_spans_and_names_the_page_when_missing(pdf):
    page = pdf[0]
    across = find(page, "试黑")
    assert across.font == "FandolFang" and near(across.x1, spans(page)[1].x0 + 16 * 25.4 / 72)
    assert line_text(page, across) == "口测试黑体" and line_text(page, find(page, "右边")) == "左边右边"
    assert len(find_all(page, "边")) == 2
    with pytest.raises(AssertionError, match="'缺席' not on page 1"):
        find(page, "缺席")


def test_rules_are_the_filled_rectangles_in_mm_with_their_colours(pdf):
    bar, block, border = sorted(rules(pdf[0]), key=lambda rule: rule.top)
    assert bar.is_red and not bar.is_black and block.is_black and border.is_black
    assert all(near(a, b) for a, b in zip((bar.x0, bar.top, bar.x1, bar.bottom), (40, 100, 90, 100.5), strict=True))
    assert all(
        near(a, b) for a, b in zip((block.x0, block.top, block.x1, block.bottom), (40, 120, 70, 130), strict=True)
    )
    assert near(border.x1 - border.x0, 0.3) and near(border.bottom - border.top, 40)


def test_ink_finds_the_dark_or_the_red_pixels_within_a_pixel(pdf):
    page = pdf[0]
    box = ink(page, (35, 115, 80, 135))
    assert all(near(a, b, PIXELS) for a, b in zip(box, (40, 120, 70, 130), strict=True))
    assert ink(page, (35, 115, 80, 135), red=True) is None  # black is not red
    assert ink(page, (150, 200, 180, 220)) is None  # blank paper
    bar = ink(page, (35, 95, 95, 105), red=True)
    assert all(near(a, b, PIXELS) for a, b in zip(bar, (40, 100, 90, 100.5), strict=True))


def test_rules_in_ink_horizontal_and_vertical(pdf):
    page = pdf[0]
    (block,) = horizontal_rules(page, (30, 110, 100, 140), min_width=20)
    assert all(
        near(a, b, PIXELS)
        for a, b in zip((block.x0, block.top, block.x1, block.bottom), (40, 120, 70, 130), strict=True)
    )
    assert horizontal_rules(page, (30, 110, 100, 140), min_width=31) == []  # shorter than asked
    (border,) = vertical_rules(page, (90, 140, 110, 200), min_height=30)
    assert near(border.x0, 100, PIXELS) and near(border.x1, 100.3, PIXELS)
    assert near(border.top, 150, PIXELS) and near(border.bottom, 190, PIXELS)


def test_embedded_fonts_are_named_without_the_subset_tag(pdf):
    fonts = embedded_fonts(pdf)
    assert "FandolFang" in fonts and len(fonts) == 2 and not any("+" in name for name in fonts)
