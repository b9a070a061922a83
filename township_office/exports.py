"""Spreadsheet exports that a spreadsheet program opens as text, never as a formula.

A petitioner may give his name as ``=HYPERLINK("http://…","点此")``; Excel, WPS and LibreOffice run a cell
starting with ``=``, ``+``, ``-`` or ``@`` (and, in some, with a tab or carriage return before one) as a
formula, in the .xlsx and in the .csv alike (OWASP "CSV injection"). :func:`safe_cell` puts an apostrophe
before such a text, which the programs show as the text itself; numbers, dates and empty cells are left as
they are, so sums and sorting still work. Every cell a person typed goes through it, in every export:

    sheet.append([safe_cell(v) for v in row])          # openpyxl
    writer.writerow(safe_row(row))                     # csv
"""

from decimal import Decimal

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
