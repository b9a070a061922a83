"""Spreadsheet exports that a spreadsheet program opens as text, never as a formula.

A petitioner may give his name as ``=HYPERLINK("http://…","点此")``; Excel, WPS and LibreOffice run a cell
starting with ``=``, ``+``, ``-`` or ``@`` (and, in some, with a tab or carriage return before one) as a
formula, in the .xlsx and in the .csv alike (OWASP "CSV injection"). :func:`safe_cell` puts an apostrophe
before such a text, which the programs show as the text itself; numbers, dates and empty cells are left as
they are, so sums and sorting still work. Every cell a person typed goes through it, in every export:

    sheet.append([safe_cell(v) for v in row])          # openpyxl
    writer.writerow(safe_row(row))                     # csv

:func:`export` is the one way a list is downloaded (信访事项, 接待费用, 归档文件目录): the file with its Chinese name,
every cell made safe, and the export audited as a sensitive read.
"""

import csv
import io
from decimal import Decimal

from django.http import HttpResponse
from django.utils.http import content_disposition_header

from . import audit

FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r", "\n", "＝", "＋", "－", "＠")


def safe_cell(value):
    """``value`` as a spreadsheet cell that is never run as a formula (see the module docstring).

    Strings starting with one of FORMULA_STARTS (full-width forms included: some programs read them as the
    ASCII ones) get a leading apostrophe; other values are returned unchanged. Strings that are a plain
    negative number (``-12.5``) are left alone: they are a number, not a formula.
    """
    if not isinstance(value, str) or not value:
        return value
    if value.startswith(FORMULA_STARTS) and not _is_number(value):
        return "'" + value
    return value


def safe_row(values):
    """Every cell of ``values`` through :func:`safe_cell` (for ``csv.writer.writerow`` and ``sheet.append``)."""
    return [safe_cell(value) for value in values]


def _is_number(text):
    if not text.startswith(("-", "+")) or len(text) > 30:
        return False
    try:
        Decimal(text)
    except ArithmeticError:
        return False
    return text[1:].replace(".", "", 1).isdigit() and text[1:].isascii()


XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
FORMATS = ("xlsx", "csv")


def xlsx_bytes(header, rows, *, sheet=""):
    """One sheet named ``sheet``: the header, then ``rows`` (each cell through :func:`safe_cell`)."""
    from openpyxl import Workbook

    book = Workbook()
    page = book.active
    if sheet:
        page.title = sheet[:31]  # Excel's limit on a sheet's name
    page.append(list(header))
    for row in rows:
        page.append(safe_row(row))
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


def csv_text(header, rows):
    """The header and ``rows`` as CSV (each cell through :func:`safe_cell`), with a BOM so that Excel reads UTF-8."""
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(header)
    for row in rows:
        writer.writerow(safe_row(row))
    return "\ufeff" + buffer.getvalue()


def export(request, *, fmt, name, header, rows, action, comment="", sheet=""):
    """The download of an export: ``name``.xlsx or ``name``.csv (a Chinese filename, as an attachment), audited as
    a sensitive read (``action`` by the person, with ``comment`` and the format).

    ``rows`` are the cells of the rows to write, read from the same queryset the list shows (its visibility and its
    filters): the caller passes the list's rows, never a wider query. Every cell goes through :func:`safe_cell`."""
    if fmt not in FORMATS:
        raise ValueError(f"unknown export format {fmt!r}")
    if fmt == "csv":
        response = HttpResponse(csv_text(header, rows), content_type="text/csv; charset=utf-8")
    else:
        response = HttpResponse(xlsx_bytes(header, rows, sheet=sheet), content_type=XLSX)
    response["Content-Disposition"] = content_disposition_header(True, f"{name}.{fmt}")
    audit.record(action, by=request.user, comment=f"{comment} {FORMAT_NAMES[fmt]}".strip())
    return response


FORMAT_NAMES = {"xlsx": "Excel", "csv": "CSV"}
