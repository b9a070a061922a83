"""Typeset an :class:`~township_office.gbdoc.model.OfficialDocument` following GB/T 9704-2012, to PDF (WeasyPrint)
and to HTML for the screen, from one template (``township_office/gbdoc/document.html``) and one stylesheet
(``static/township_office/css/gbt9704.css``, where the standard's numbers are explained).

The 版记 must end on the 版心's bottom edge of an even page (the back of the last sheet), which CSS cannot ask
for. So the document is laid out twice: first with the 版记 on a page of its own, to learn on which page and
how low the text ends and how tall the 版记 is; then with the 版记 placed — on the text's last page when that is
even and has room (a spacer pushes it down to the bottom edge), else on the next page when the text ends on an
odd one, else (an even page full to the bottom) after a blank page. The blank page and the 版记 page after it
carry no page number (GB/T 9704-2012 7.5: 空白页和版记页均可不编排页码).
"""

from dataclasses import dataclass

from django.conf import settings
from django.template.loader import render_to_string
from django.templatetags.static import static

from township_office.pdf import _font_config, deflate, stylesheet

TEMPLATE = "township_office/gbdoc/document.html"
STYLESHEET = "township_office/css/gbt9704.css"

MM = 96 / 25.4  # CSS px per mm, the unit of WeasyPrint's layout
PAGE_TOP = 37  # mm: 天头
TYPE_AREA_HEIGHT = 225  # mm: 版心
LINE = 225 / 22  # mm: the line pitch of 22 lines a page
MARK_TOP = 35  # mm: the 发文机关标志's top below the 版心's top
MARK_MAX = 15  # mm: the 标志's largest size; a long name is set smaller to fit the 版心
MARK_WIDTH = 150  # mm: the widest a 标志 may run (the 版心 is 156)
# Where a 小标宋 glyph's ink starts below the top of its line box (line-height 1), as a fraction of the size:
# measured on the red ink of FormSerif GB2312 (township_office/tests/test_gbdoc_geometry.py holds it to ± 1 mm).
MARK_INK_OFFSET = 0.09
# ... and where it ends below the foot of that box (the glyphs overhang it a little).
MARK_INK_BELOW = 0.029
IMPRINT_GAP = LINE  # mm: the least room between the text (and the seal under the date) and the 版记


@dataclass
class ImprintPlace:
    """Where the 版记 goes: on a new page (else after the text), after a blank page, pushed down by ``spacer`` px."""

    new_page: bool = True
    blank_page: bool = False
    spacer: float = 0


@dataclass
class Typeset:
    pdf: bytes
    pages: int


def _mark(doc):
    names = list(doc.issuers)
    suffix = doc.mark_suffix
    joint = len(names) > 1
    longest = max(len(name) for name in names) + (len(suffix) if suffix else 0)
    size = round(min(MARK_MAX, MARK_WIDTH / longest), 2)
    return {
        "names": names,
        "suffix": suffix,
        "joint": joint,
        "size": size,
        "margin_top": round(MARK_TOP - MARK_INK_OFFSET * size, 2),
        # the 字号's line starts two line pitches below the 标志's ink (7.2.5: 标志下空二行)
        "number_gap": round(2 * LINE + MARK_INK_BELOW * size, 2),
    }


def _signature_rows(doc):
    """署名 in rows of two (联合行文), the last one on the right over the date; the right-hand name of every row
    stands over the date's place, centred on it."""
    names = list(doc.signature_names)
    rows = [names[i : i + 2] for i in range(0, len(names), 2)]
    result = []
    for index, row in enumerate(rows):
        left, right = (row[0], row[1]) if len(row) == 2 else ("", row[0])
        result.append({"left": left, "right": right, "dated": index == len(rows) - 1})
    return result


def _context(doc, imprint, *, screen=False):
    return {
        "doc": doc,
        "mark": _mark(doc),
        "signer_rows": [doc.signers[i : i + 2] for i in range(0, len(doc.signers), 2)],
        "signature_rows": _signature_rows(doc),
        "imprint": imprint,
        "screen": screen,
        "stylesheet_url": static(STYLESHEET) if screen else "",
    }


def _layout(doc, imprint):
    from weasyprint import HTML

    html = render_to_string(TEMPLATE, _context(doc, imprint))
    return HTML(string=html, base_url=str(settings.BASE_DIR)).render(
        stylesheets=[stylesheet(STYLESHEET)], font_config=_font_config()
    )


def _anchor(document, name):
    for number, page in enumerate(document.pages, start=1):
        if name in page.anchors:
            return number, page.anchors[name][1]
    raise LookupError(name)


def place_imprint(document):
    """The :class:`ImprintPlace` for a document laid out with the 版记 on a page of its own."""
    text_page, text_end = _anchor(document, "text-end")
    _, imprint_top = _anchor(document, "imprint")
    _, imprint_end = _anchor(document, "imprint-end")
    height = imprint_end - imprint_top
    bottom = (PAGE_TOP + TYPE_AREA_HEIGHT) * MM
    slack = 0.5  # px: rounding must not push the 版记 over the edge
    if text_page % 2 == 0 and text_end + IMPRINT_GAP * MM + height <= bottom:
        return ImprintPlace(new_page=False, spacer=round(bottom - text_end - height - slack, 2))
    spacer = round(TYPE_AREA_HEIGHT * MM - height - slack, 2)
    return ImprintPlace(new_page=True, blank_page=text_page % 2 == 0, spacer=spacer)


def layout(doc):
    """The laid-out WeasyPrint document, its 版记 at the foot of an even last page."""
    return _layout(doc, place_imprint(_layout(doc, ImprintPlace())))


def typeset(doc):
    document = layout(doc)
    return Typeset(pdf=document.write_pdf(finisher=deflate), pages=len(document.pages))


def render_pdf(doc):
    """The PDF bytes of ``doc``."""
    return typeset(doc).pdf


def render_html(doc):
    """The document as one HTML page for the screen (the same template and stylesheet, without the pages)."""
    return render_to_string(TEMPLATE, _context(doc, ImprintPlace(new_page=False), screen=True))
