"""Reading a PDF's geometry in millimetres, for tests that check printouts against a standard (PyMuPDF).

Text: :func:`spans` gives each run of one font on a line with its baseline, its characters' left and right
edges and its em box (a CJK face's ideographic em box runs from 0.88 em above the baseline to 0.12 em below).
Ink: :func:`ink` draws a part of the page and returns the box of its dark (or red) pixels, for what the standard
measures on the printed marks (the 发文机关标志's top edge, the 一字线 of a page number). Rules: :func:`rules`
gives the filled rectangles (CSS borders) with their colours.
"""

from dataclasses import dataclass

import pymupdf
from PIL import Image, ImageChops

PT = 25.4 / 72  # mm per PDF point


@dataclass
class Span:
    text: str
    size: float  # pt
    font: str
    color: int
    baseline: float  # mm from the page's top
    x0: float  # mm from the page's left: the first character's left edge (its origin)
    x1: float  # the last character's right edge
    chars: list  # (character, left, right) in mm

    @property
    def size_mm(self):
        return self.size * PT

    @property
    def em_top(self):
        return self.baseline - 0.88 * self.size_mm

    @property
    def em_bottom(self):
        return self.baseline + 0.12 * self.size_mm

    @property
    def centre_y(self):
        return self.baseline - 0.38 * self.size_mm

    @property
    def centre_x(self):
        return (self.x0 + self.x1) / 2


def open_pdf(content):
    return pymupdf.open(stream=content, filetype="pdf")


def spans(page):
    """Every span of text on ``page``, top to bottom, then left to right."""
    result = []
    for block in page.get_text("rawdict")["blocks"]:
        for line in block.get("lines", []):
            for span in line["spans"]:
                chars = span["chars"]
                if not chars or not "".join(c["c"] for c in chars).strip():
                    continue
                result.append(
                    Span(
                        text="".join(c["c"] for c in chars),
                        size=span["size"],
                        font=span["font"],
                        color=span["color"],
                        baseline=chars[0]["origin"][1] * PT,
                        x0=chars[0]["origin"][0] * PT,
                        x1=chars[-1]["bbox"][2] * PT,
                        chars=[(c["c"], c["bbox"][0] * PT, c["bbox"][2] * PT) for c in chars],
                    )
                )
    return sorted(result, key=lambda s: (round(s.baseline, 1), s.x0))


def lines(page, *, size=None):
    """The spans of ``page`` (of font ``size`` pt) grouped by baseline: ``[(baseline, [spans…])]``."""
    grouped = {}
    for span in spans(page):
        if size is None or abs(span.size - size) < 0.1:
            grouped.setdefault(round(span.baseline, 1), []).append(span)
    return sorted(grouped.items())


def find_all(page, text):
    """Every occurrence of ``text`` on ``page``, within one line (across spans: a change of font or a glyph set
    apart splits a line into several), each as a :class:`Span` of just those characters."""
    found = []
    for _, row in lines(page):
        chars = [(c, left, right, span) for span in row for c, left, right in span.chars]
        joined = "".join(c for c, *_ in chars)
        start = joined.find(text)
        while start >= 0:
            part = chars[start : start + len(text)]
            first = part[0][3]
            found.append(
                Span(
                    text=text,
                    size=first.size,
                    font=first.font,
                    color=first.color,
                    baseline=first.baseline,
                    x0=part[0][1],
                    x1=part[-1][2],
                    chars=[(c, left, right) for c, left, right, _ in part],
                )
            )
            start = joined.find(text, start + 1)
    return found


def find(page, text):
    """The first occurrence of ``text`` (:func:`find_all`); AssertionError naming what the page has when none."""
    found = find_all(page, text)
    assert found, f"{text!r} not on page {page.number + 1}: {[s.text for s in spans(page)]}"
    return found[0]


def line_text(page, span):
    """The whole line of text that ``span`` stands on."""
    return "".join(s.text for baseline, row in lines(page) if abs(baseline - span.baseline) < 0.2 for s in row)


def ink(page, box, *, red=False, dpi=600):
    """The box ``(left, top, right, bottom)`` in mm of the dark (``red``: red) pixels inside ``box``; None if blank."""
    clip = pymupdf.Rect(*(value / PT for value in box))
    pixmap = page.get_pixmap(dpi=dpi, clip=clip)
    image = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples)
    if red:
        r, g, _ = image.split()
        mask = ImageChops.subtract(r, g).point(lambda v: 255 if v > 100 else 0)
    else:
        mask = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    found = mask.getbbox()
    if not found:
        return None
    scale = 25.4 / dpi
    return tuple(box[i % 2] + found[i] * scale for i in range(4))


def _ink_rules(page, box, min_length, dpi, vertical):
    clip = pymupdf.Rect(*(value / PT for value in box))
    pixmap = page.get_pixmap(dpi=dpi, clip=clip)
    image = Image.frombytes("RGB", (pixmap.width, pixmap.height), pixmap.samples).convert("L")
    mask = image.point(lambda v: 255 if v < 128 else 0)
    if vertical:
        mask = mask.transpose(Image.Transpose.TRANSPOSE)  # columns become rows
    scale = 25.4 / dpi
    needed = min_length / scale
    # the dark pixels of each row: the row's mean, from a box-filtered resize to one column
    means = list(mask.resize((1, mask.height), Image.Resampling.BOX).tobytes())
    dark_rows = [mean / 255 * mask.width >= needed for mean in means] + [False]
    found, start = [], None
    for y, dark in enumerate(dark_rows):
        if dark and start is None:
            start = y
        elif not dark and start is not None:
            left, _, right, _ = mask.crop((0, start, mask.width, y)).getbbox()
            if vertical:
                rule = Rule(box[0] + start * scale, box[1] + left * scale, box[0] + y * scale, box[1] + right * scale)
            else:
                rule = Rule(box[0] + left * scale, box[1] + start * scale, box[0] + right * scale, box[1] + y * scale)
            found.append(rule)
            start = None
    return found


def horizontal_rules(page, box, *, min_width, dpi=1200):
    """The horizontal lines drawn inside ``box`` (mm), measured in ink: runs of pixel rows more than
    ``min_width`` mm of which are dark, as :class:`Rule` s (their colour black)."""
    return _ink_rules(page, box, min_width, dpi, vertical=False)


def vertical_rules(page, box, *, min_height, dpi=600):
    """The vertical lines drawn inside ``box`` (mm), at least ``min_height`` mm long, measured in ink."""
    return _ink_rules(page, box, min_height, dpi, vertical=True)


@dataclass
class Rule:
    x0: float
    top: float
    x1: float
    bottom: float
    color: tuple = (0, 0, 0)

    @property
    def is_red(self):
        r, g, b = self.color
        return r > 0.7 and g < 0.2 and b < 0.2

    @property
    def is_black(self):
        return max(self.color) < 0.2


def rules(page):
    """The filled rectangles drawn on ``page`` (borders, separator lines), in mm."""
    result = []
    for drawing in page.get_drawings():
        if drawing.get("fill") is None:
            continue
        for item in drawing["items"]:
            if item[0] == "re" and item[1].width > 0.01 and item[1].height > 0.01:
                rect = item[1]
                result.append(Rule(rect.x0 * PT, rect.y0 * PT, rect.x1 * PT, rect.y1 * PT, tuple(drawing["fill"])))
    return result


def embedded_fonts(document):
    """The base names of the fonts embedded in the PDF (a subset's tag removed: ABCDEF+FandolFang → FandolFang)."""
    names = set()
    for number in range(len(document)):
        for xref, extension, _, basefont, *_ in document.get_page_fonts(number):
            if extension != "n/a" and document.extract_font(xref)[3]:
                names.add(basefont.split("+", 1)[-1])
    return names
