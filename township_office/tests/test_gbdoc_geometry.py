"""The typeset 公文 measured against GB/T 9704-2012, in the PDF itself (text positions, ink and rules), ± 1 mm.

Where the standard counts in lines (标志下空二行, 主送 one line below the 标题), a line is the pitch of 22 lines a
page (225 / 22 mm) and a line of text sits centred on its slot: the test compares the centres of the characters'
em boxes. Where it measures a printed mark (the 标志's top edge, the 一字线 of the 页码) the test measures ink.
"""

import re

import pytest

from township_office.gbdoc import Block, render_html, render_pdf, typeset

from .gbdoc_samples import notice, paragraph
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
)

LINE = 225 / 22  # mm
PITCH = 156 / 28  # mm: one character of 3号 on a line of 28
LEFT, RIGHT, TOP, BOTTOM = 28, 28 + 156, 37, 37 + 225  # the 版心 on the page, mm
CENTRE = (LEFT + RIGHT) / 2
FOUR = 14 * 25.4 / 72  # one character of 4号, mm
TOLERANCE = 1  # mm: the standard's ± 1 mm

FANGSONG = ("FandolFang", "FangSong")
HEITI = ("Noto-Sans-CJK", "SimHei", "Heiti")
KAITI = ("UKai", "KaiTi", "Kai")


def near(value, expected, tolerance=TOLERANCE):
    return abs(value - expected) <= tolerance


@pytest.fixture(scope="module")
def issued():
    """Four pages: the text ends on page 4 with room below it, so the 版记 stands at that page's foot."""
    result = typeset(notice(10))
    return result, open_pdf(result.pdf)


@pytest.fixture(scope="module")
def odd_end():
    """The text ends on page 3: the 版记 goes to page 4 on its own."""
    return open_pdf(render_pdf(notice(5)))


@pytest.fixture(scope="module")
def full_even():
    """The text ends low on page 2, too low for the 版记: a blank page 3, the 版记 on page 4."""
    return open_pdf(render_pdf(notice(1)))


@pytest.fixture(scope="module")
def draft():
    return open_pdf(render_pdf(notice(0, doc_number=None)))


def characters(text):
    """Characters of a line, a half-width one (the digits of 1.) counting half."""
    return sum(1 if ord(c) > 0x2000 else 0.5 for c in text)


def body_lines(page):
    return [spans_ for _, spans_ in lines(page, size=16)]


def test_a4_with_at_least_three_pages(issued):
    result, pdf = issued
    assert result.pages == len(pdf) == 4
    for page in pdf:
        assert near(page.rect.width * 25.4 / 72, 210, 0.1) and near(page.rect.height * 25.4 / 72, 297, 0.1)


def test_a_full_page_has_22_lines_filling_the_type_area(issued):
    _, pdf = issued
    for page in pdf[1:3]:
        rows = body_lines(page)
        assert len(rows) == 22
        first, last = rows[0][0], rows[-1][0]
        assert near(first.centre_y - LINE / 2, TOP)  # 天头 37 mm
        assert near(last.centre_y + LINE / 2, BOTTOM)  # the 版心 225 mm high
        pitches = [b[0].baseline - a[0].baseline for a, b in zip(rows, rows[1:], strict=False)]
        assert all(near(pitch, LINE, 0.05) for pitch in pitches)


def test_a_full_line_has_28_characters_from_the_binding_margin_to_the_type_area_edge(issued):
    _, pdf = issued
    rows = [row for page in pdf[1:3] for row in body_lines(page)]
    # full lines of full-width characters (a line with the half-width digits of 1. holds a little less)
    full = [row for row in rows if row[-1].x1 > RIGHT - PITCH / 2 and all(ord(c) > 0x2000 for s in row for c in s.text)]
    assert len(full) >= 20
    for row in full:
        text = "".join(span.text for span in row)
        indent = round((row[0].x0 - LEFT) / PITCH)
        assert len(text) + indent == 28, text
        assert near(row[-1].x1, RIGHT)
    assert all(characters("".join(s.text for s in row)) <= 28 for row in rows)
    # lines start at the 订口 (28 mm), a paragraph's first line two characters in
    assert {round((row[0].x0 - LEFT) / PITCH) for row in full} == {0, 2}
    assert all(near(row[0].x0, LEFT) or near(row[0].x0, LEFT + 2 * PITCH) for row in rows)


def test_the_body_is_set_in_fangsong_3hao_embedded(issued):
    _, pdf = issued
    body = [span for page in pdf[1:3] for span in spans(page) if near(span.size, 16, 0.01)]
    assert body and all(span.font.startswith(FANGSONG) for span in body)
    assert any(name.startswith(FANGSONG) for name in embedded_fonts(pdf))


def test_the_issuer_mark_is_red_centred_and_its_top_35mm_below_the_type_area(issued):
    _, pdf = issued
    page = pdf[0]
    mark = find(page, "长官镇人民政府文件")
    assert mark.color == 0xEE0000
    left, top, right, bottom = ink(page, (LEFT, TOP, RIGHT, TOP + 60), red=True)
    assert near(top, TOP + 35)
    assert near((left + right) / 2, CENTRE)
    assert right - left <= 156


def test_the_doc_number_two_lines_below_the_mark_then_the_red_line_4mm_below_it(issued):
    _, pdf = issued
    page = pdf[0]
    _, _, _, mark_bottom = ink(page, (LEFT, TOP, RIGHT, TOP + 60), red=True)
    number = find(page, "长政发〔2026〕3号")
    assert line_text(page, number) == "长政发〔2026〕3号"
    assert near(number.centre_x, CENTRE)
    assert near(number.centre_y, mark_bottom + 2.5 * LINE)  # two blank lines, then the 字号's line
    (red,) = [rule for rule in rules(page) if rule.is_red]
    assert near(red.x0, LEFT) and near(red.x1, RIGHT)  # as wide as the 版心
    assert near(red.top - number.em_bottom, 4)


def test_title_main_recipients_and_body_follow_the_red_line_by_lines(issued):
    _, pdf = issued
    page = pdf[0]
    (red,) = [rule for rule in rules(page) if rule.is_red]
    title = [span for span in spans(page) if near(span.size, 22, 0.01)]
    assert [span.text for span in title] == ["长官镇人民政府关于做好2026年冬季", "森林防火工作的通知"]
    assert all(near(span.centre_x, CENTRE) for span in title)
    assert near(title[0].centre_y, red.bottom + 2.5 * LINE)  # two blank lines below the red line
    main = find(page, "各村（居）委会，镇直各单位：")
    assert near(main.x0, LEFT)  # flush left
    assert near(main.centre_y, title[-1].centre_y + 2 * LINE)  # one blank line below the 标题
    heading = find(page, "一、总体要求")
    assert near(heading.centre_y, main.centre_y + LINE)  # the 正文 on the next line
    assert near(heading.x0, LEFT + 2 * PITCH)


def test_heading_levels_in_their_faces(issued):
    _, pdf = issued
    page = pdf[0]
    assert find(page, "一、总体要求").font.startswith(HEITI) or "Hei" in find(page, "一、总体要求").font
    second = find(page, "（一）明确目标。")
    assert any(name in second.font for name in KAITI)
    all_spans = [span for p in pdf for span in spans(p)]
    third = next(span for span in all_spans if span.text.startswith("1.分步实施。"))
    fourth = next(span for span in all_spans if span.text.startswith("（1）第一步。"))
    assert third.font.startswith(FANGSONG) and fourth.font.startswith(FANGSONG)
    # the run-on text after a 楷体 heading's full stop is in the body face, on the same line
    rest = [span for span in spans(page) if near(span.baseline, second.baseline, 0.1) and "明确目标" not in span.text]
    assert rest and rest[0].font.startswith(FANGSONG) and rest[0].x0 > second.x1 - 1


def test_attachments_then_signature_and_date_laid_out_for_a_seal(issued):
    _, pdf = issued
    page = pdf[3]
    label = find(page, "附件：")
    assert near(label.x0, LEFT + 2 * PITCH)  # two characters in
    body_above = [row for row in body_lines(page) if row[0].centre_y < label.centre_y - 1]
    assert near(label.centre_y, body_above[-1][0].centre_y + 2 * LINE)  # one blank line below the 正文
    second = find(page, "长官镇森林防火应急预案")
    first_name = find(page, "长官镇森林防火责任人名单")
    assert near(second.x0, first_name.x0, 0.3)  # the names align under each other
    date = find(page, "2026年12月5日")
    assert line_text(page, date) == "2026年12月5日"
    assert near(date.x1, RIGHT - 4 * PITCH)  # four characters from the right
    signature = find(page, "长官镇人民政府")
    assert near(signature.centre_x, date.centre_x)  # centred on the date
    assert near(signature.centre_y, date.centre_y - LINE)
    # room for the seal (about four lines high) between the text and the 署名: two blank lines
    assert near(signature.centre_y, second.centre_y + 3 * LINE)


def imprint_rules(page):
    """The 版记's rules: black lines as wide as the 版心, measured in ink."""
    return horizontal_rules(page, (LEFT - 2, TOP + 100, RIGHT + 2, BOTTOM + 2), min_width=150)


def test_the_imprint_ends_on_the_type_area_bottom_of_an_even_last_page(issued):
    _, pdf = issued
    page = pdf[-1]
    assert len(pdf) % 2 == 0
    cc = find(page, "抄送：")
    printed_by = find(page, "长官镇党政办公室")
    printed_on = find(page, "2026年12月5日印发")
    assert line_text(page, cc) == "抄送：县应急管理局，县林业局。" and near(cc.size, 14, 0.01)
    assert near(cc.x0, LEFT + FOUR) and near(printed_by.x0, LEFT + FOUR)  # one character in
    assert near(printed_on.x1, RIGHT - FOUR)
    assert near(printed_by.baseline, printed_on.baseline, 0.1) and printed_by.baseline > cc.baseline
    first, middle, last = imprint_rules(page)
    assert near(last.bottom, BOTTOM, 0.5)  # the last rule on the 版心's bottom edge
    assert all(near(rule.x0, LEFT) and near(rule.x1, RIGHT) for rule in [first, middle, last])
    # thick first and last rules (0.35 mm), a thin one between (0.25 mm)
    assert near(first.bottom - first.top, 0.35, 0.06) and near(last.bottom - last.top, 0.35, 0.06)
    assert near(middle.bottom - middle.top, 0.25, 0.06)
    assert first.bottom < cc.em_top and cc.em_bottom < middle.top and middle.bottom < printed_by.em_top


@pytest.mark.parametrize("pdf_fixture", ["issued", "odd_end"])
def test_page_numbers_7mm_below_the_type_area_odd_right_even_left(pdf_fixture, request):
    pdf = request.getfixturevalue(pdf_fixture)
    pdf = pdf[1] if isinstance(pdf, tuple) else pdf
    for index, page in enumerate(pdf, start=1):
        number = find(page, f"— {index} —")
        assert near(number.size, 14, 0.01) and line_text(page, number) == f"— {index} —"
        dash = number.chars[0]
        _, top, _, bottom = ink(page, (dash[1], BOTTOM, dash[2], BOTTOM + 15))
        assert near((top + bottom) / 2, BOTTOM + 7)  # the 一字线 7 mm under the 版心
        if index % 2:
            assert near(number.x1, RIGHT - FOUR)
        else:
            assert near(number.x0, LEFT + FOUR)


def test_text_ending_on_an_odd_page_puts_the_imprint_on_the_next_even_page(odd_end):
    assert len(odd_end) == 4
    assert find(odd_end[2], "2026年12月5日")
    last = odd_end[3]
    assert [span.text for span in spans(last) if near(span.size, 16, 0.01)] == []
    assert near(imprint_rules(last)[-1].bottom, BOTTOM, 0.5)


def test_an_even_page_too_full_for_the_imprint_gets_a_blank_page_before_it_neither_numbered(full_even):
    assert len(full_even) == 4
    assert find(full_even[1], "— 2 —")
    assert spans(full_even[2]) == []  # blank, no page number
    last = full_even[3]
    assert all(not re.search(r"— \d+ —", span.text) for span in spans(last))
    assert find(last, "2026年12月5日印发")
    assert near(imprint_rules(last)[-1].bottom, BOTTOM, 0.5)


def test_a_draft_shows_an_empty_number_and_a_draft_mark_on_every_page(draft):
    number = find(draft[0], "长政发〔　　〕号")
    assert re.fullmatch(r"长政发〔\s*〕号", line_text(draft[0], number))
    assert near(number.centre_x, CENTRE)
    for page in draft:
        mark = find(page, "草稿")
        assert mark.baseline < TOP  # in the 天头, outside the 版心
    assert "〔2026〕" not in "".join(span.text for page in draft for span in spans(page))


def test_an_upward_document_puts_the_number_left_and_the_signer_right_on_one_line():
    pdf = open_pdf(render_pdf(notice(0, signers=["王建国"], doc_number="长政呈〔2026〕2号")))
    page = pdf[0]
    number = find(page, "长政呈〔2026〕2号")
    label = find(page, "签发人：")
    name = find(page, "王建国")
    assert near(number.x0, LEFT + PITCH)  # one character in from the left
    assert near(name.x1, RIGHT - PITCH)  # one character in from the right
    assert near(number.baseline, name.baseline, 0.1) and near(label.baseline, name.baseline, 0.1)
    assert any(kai in name.font for kai in KAITI)
    (red,) = [rule for rule in rules(page) if rule.is_red]
    assert near(red.top - number.em_bottom, 4)


def test_a_joint_document_stacks_the_issuers_beside_wenjian():
    doc = notice(0, issuers=["中共长官镇委员会", "长官镇人民政府"], signatures=["中共长官镇委员会", "长官镇人民政府"])
    pdf = open_pdf(render_pdf(doc))
    page = pdf[0]
    party, government, suffix = find(page, "中共长官镇委员会"), find(page, "长官镇人民政府"), find(page, "文件")
    assert party.baseline < government.baseline and near(party.x0, government.x0, 0.5)
    # 文件 beside the names (it may abut them: 0.01 mm absorbs the floating-point noise of two equal edges)
    assert suffix.x0 > party.x1 - 0.01 and party.baseline < suffix.baseline < government.baseline  # centred
    left, top, right, _ = ink(page, (LEFT, TOP, RIGHT, TOP + 90), red=True)
    assert near(top, TOP + 35) and near((left + right) / 2, CENTRE) and right - left <= 156
    # both 署名 stand on one line, the last one centred on the date
    page = next(p for p in pdf if find_all(p, "2026年12月5日"))
    signatures = [
        span for span in find_all(page, "中共长官镇委员会") + find_all(page, "长官镇人民政府") if span.size < 17
    ]
    signatures = [span for span in signatures if span.color == 0]
    assert len(signatures) == 2 and near(signatures[0].baseline, signatures[1].baseline, 0.1)
    date = find(page, "2026年12月5日")
    assert near(signatures[1].centre_x, date.centre_x)


def test_the_screen_html_is_the_same_document():
    html = render_html(notice(1, doc_number=None))
    assert "gbt9704.css" in html
    assert "长官镇人民政府文件" in html and "长政发〔　　〕号" in html and "草稿" in html
    assert html.index("一、总体要求") < html.index("附件：") < html.index("抄送：")


def test_text_is_escaped():
    html = render_html(notice(0, title="<script>alert(1)</script>"))
    assert "<script>alert" not in html and "&lt;script&gt;" in html


def test_urgency_stands_top_left_in_heiti_and_the_mark_keeps_its_place():
    pdf = open_pdf(render_pdf(notice(0, urgency="特急")))
    page = pdf[0]
    urgency = find(page, "特急")
    assert near(urgency.x0, LEFT) and near(urgency.centre_y, TOP + LINE / 2)
    assert urgency.font.startswith(HEITI)
    _, top, _, _ = ink(page, (LEFT, TOP + 20, RIGHT, TOP + 60), red=True)
    assert near(top, TOP + 35)


def test_a_document_without_attachments_or_cc_has_a_one_row_imprint():
    pdf = open_pdf(render_pdf(notice(0, attachments=[], cc_recipients="")))
    text = "".join(span.text for page in pdf for span in spans(page))
    assert "附件" not in text and "抄送" not in text
    last = pdf[-1]
    assert len(pdf) % 2 == 0 and find(last, "2026年12月5日印发")
    first, last_rule = imprint_rules(last)
    assert near(last_rule.bottom, BOTTOM, 0.5)
    assert near(first.bottom - first.top, 0.35, 0.06) and near(last_rule.bottom - last_rule.top, 0.35, 0.06)


def test_the_signature_never_stands_on_a_page_without_text():
    """7.3.5: no 「此页无正文」 — when the 署名 does not fit under the text (here: a page 2 full to its last line), the
    last lines of the text move over with it."""
    doc = notice(1, attachments=[])
    doc.body.append(Block(paragraph(28 * 7 - 4, 5)))
    pdf = open_pdf(render_pdf(doc))
    page = next(p for p in pdf if find_all(p, "2026年12月5日") and not find_all(p, "印发"))
    body = [row for row in body_lines(page) if line_text(page, row[0]) not in ("长官镇人民政府", "2026年12月5日")]
    assert len(body) >= 2
