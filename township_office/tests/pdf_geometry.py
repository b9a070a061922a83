"""Reading a PDF's geometry in millimetres, for tests that check printouts against a standard.

Built on permissively licensed libraries only: pdfplumber (MIT, on pdfminer.six) for text and vector rectangles,
pypdfium2 (BSD-3/Apache-2.0) for drawing a part of the page, pypdf (BSD-3) for the embedded fonts.

Text: :func:`spans` gives each run of one font, size and colour on a line with its baseline, its characters' left
and right edges and its em box (a CJK face's ideographic em box runs from 0.88 em above the baseline to 0.12 em
below). The baseline is a character's origin (the text rendering matrix), not pdfminer's box, whose top and bottom
come from the font's descent and so differ from face to face; left and right are the origin and the origin plus
the advance width, as a glyph's cell on the line. Ink: :func:`ink` draws a part of the page and returns the box of
its dark (or red) pixels, for what the standard measures on the printed marks (the 发文机关标志's top edge, the 一字线
of a page number). Rules: :func:`rules` gives the filled rectangles (CSS borders) with their colours.
"""

import io
import math
from dataclasses import dataclass

import pdfplumber
import pypdfium2
from PIL import Image, ImageChops
from pypdf import PdfReader
from pypdf.generic import IndirectObject

PT = 25.4 / 72  # mm per PDF point
SPAN_GAP = 0.8  # em: a wider gap between two characters on a line starts a new span (as a word set apart)


@dataclass
class Span:
    text: str
    size: float  # pt
    font: str  # the font's base name, a subset's tag removed (ABCDEF+FandolFang → FandolFang)
    color: int  # sRGB as 0xRRGGBB
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


@dataclass
class Rect:
    """A page's box in PDF points."""

    width: float
    height: float


class Page:
    """One page of a :class:`Document`: ``number`` counts from 0, ``rect`` is its size in points."""

    def __init__(self, document, number):
        self.document = document
        self.number = number
        self.plumber = document.plumber.pages[number]
        self.rect = Rect(float(self.plumber.width), float(self.plumber.height))
        self._spans = None
        self._pdfium = None

    @property
    def pdfium(self):
        if self._pdfium is None:
            self._pdfium = self.document.pdfium[self.number]
        return self._pdfium


class Document:
    """A PDF opened for measuring: ``len()``, indexing and slicing give :class:`Page` s."""

    def __init__(self, content):
        self.content = bytes(content)
        self.plumber = pdfplumber.open(io.BytesIO(self.content))
        self.pdfium = pypdfium2.PdfDocument(self.content)
        self.pages = [Page(self, number) for number in range(len(self.plumber.pages))]

    def __len__(self):
        return len(self.pages)

    def __getitem__(self, index):
        return self.pages[index]

    def __iter__(self):
        return iter(self.pages)


def open_pdf(content):
    return Document(content)


def _font_name(name):
    tag, plus, rest = name.partition("+")
    return rest if plus and len(tag) == 6 and tag.isalpha() and tag.isupper() else name


def _color(components):
    """A pdfminer colour (grey, RGB or CMYK components from 0 to 1) as 0xRRGGBB."""
    if components is None:
        return 0
    values = components if isinstance(components, list | tuple) else (components,)
    values = [float(value) for value in values if isinstance(value, int | float)]
    if len(values) == 1:
        rgb = values * 3
    elif len(values) == 3:
        rgb = values
    elif len(values) == 4:
        c, m, y, k = values
        rgb = [(1 - c) * (1 - k), (1 - m) * (1 - k), (1 - y) * (1 - k)]
    else:
        return 0
    red, green, blue = (max(0, min(255, round(value * 255))) for value in rgb)
    return red << 16 | green << 8 | blue


def _char(char):
    """A pdfplumber character as (text, font, size, colour, baseline, left, right), in points from the top left."""
    _, _, _, _, _, origin_y = char["matrix"]
    # ``top`` is measured from the page's top to the box's upper edge ``y1``; the baseline lies y1 - origin below it
    baseline = char["top"] + (char["y1"] - origin_y)
    return (
        char["text"],
        _font_name(char["fontname"]),
        float(char["size"]),
        _color(char["non_stroking_color"]),
        baseline,
        float(char["x0"]),
        float(char["x1"]),
    )


def spans(page):
    """Every span of text on ``page``, top to bottom, then left to right. A span is a run of characters in content
    order on one baseline in one font, size and colour, without a gap wider than ``SPAN_GAP`` em."""
    if page._spans is None:
        runs = []
        for text, font, size, color, baseline, left, right in map(_char, page.plumber.chars):
            last = runs[-1] if runs else None
            if (
                last
                and (last["font"], last["color"]) == (font, color)
                and abs(last["size"] - size) < 0.01
                and abs(last["baseline"] - baseline) < 0.01
                and -0.5 * size <= left - last["chars"][-1][2] <= SPAN_GAP * size
            ):
                last["chars"].append((text, left, right))
            else:
                runs.append(dict(font=font, size=size, color=color, baseline=baseline, chars=[(text, left, right)]))
        result = []
        for run in runs:
            chars = run["chars"]
            text = "".join(c for c, *_ in chars)
            if not text.strip():
                continue
            result.append(
                Span(
                    text=text,
                    size=run["size"],
                    font=run["font"],
                    color=run["color"],
                    baseline=run["baseline"] * PT,
                    x0=chars[0][1] * PT,
                    x1=chars[-1][2] * PT,
                    chars=[(c, left * PT, right * PT) for c, left, right in chars],
                )
            )
        page._spans = sorted(result, key=lambda s: (round(s.baseline, 1), s.x0))
    return list(page._spans)


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


def _render(page, box, dpi):
    """``box`` (mm) of ``page`` drawn at ``dpi`` by PDFium: the RGB image and the page position (mm) of its top
    left pixel. PDFium crops whole pixels, rounding each crop up, so the image may start a fraction of a pixel
    inside ``box``: the position returned is the true one."""
    scale = dpi / 72
    width, height = page.rect.width, page.rect.height
    left, top, right, bottom = (value / PT for value in box)
    crop = (max(left, 0), max(height - bottom, 0), max(width - right, 0), max(top, 0))
    bitmap = page.pdfium.render(scale=scale, crop=crop)
    image = bitmap.to_pil().convert("RGB")
    origin = (math.ceil(crop[0] * scale) / scale * PT, math.ceil(crop[3] * scale) / scale * PT)
    return image, origin


def ink(page, box, *, red=False, dpi=600):
    """The box ``(left, top, right, bottom)`` in mm of the dark (``red``: red) pixels inside ``box``; None if blank."""
    image, origin = _render(page, box, dpi)
    if red:
        r, g, _ = image.split()
        mask = ImageChops.subtract(r, g).point(lambda v: 255 if v > 100 else 0)
    else:
        mask = image.convert("L").point(lambda v: 255 if v < 128 else 0)
    found = mask.getbbox()
    if not found:
        return None
    scale = 25.4 / dpi
    return tuple(origin[i % 2] + found[i] * scale for i in range(4))


def _ink_rules(page, box, min_length, dpi, vertical):
    image, (origin_x, origin_y) = _render(page, box, dpi)
    mask = image.convert("L").point(lambda v: 255 if v < 128 else 0)
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
                rule = Rule(
                    origin_x + start * scale, origin_y + left * scale, origin_x + y * scale, origin_y + right * scale
                )
            else:
                rule = Rule(
                    origin_x + left * scale, origin_y + start * scale, origin_x + right * scale, origin_y + y * scale
                )
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


def _rgb(components):
    value = _color(components)
    return (value >> 16 & 255) / 255, (value >> 8 & 255) / 255, (value & 255) / 255


def rules(page):
    """The filled rectangles drawn on ``page`` (borders, separator lines), in mm, their colours as RGB from 0 to 1."""
    result = []
    for rect in page.plumber.rects:
        if not rect["fill"] or rect["width"] <= 0.01 or rect["height"] <= 0.01:
            continue
        x0, top, x1, bottom = (float(rect[key]) * PT for key in ("x0", "top", "x1", "bottom"))
        result.append(Rule(x0, top, x1, bottom, _rgb(rect["non_stroking_color"])))
    return result


def _resolve(value):
    return value.get_object() if isinstance(value, IndirectObject) else value


def _fonts_of(resources, seen):
    """The font dictionaries of ``resources`` and of the forms (XObjects) it draws, each once."""
    resources = _resolve(resources)
    if not resources:
        return
    for font in (_resolve(resources.get("/Font")) or {}).values():
        font = _resolve(font)
        if id(font) not in seen:
            seen.add(id(font))
            yield font
    for xobject in (_resolve(resources.get("/XObject")) or {}).values():
        xobject = _resolve(xobject)
        if xobject.get("/Subtype") == "/Form" and id(xobject) not in seen:
            seen.add(id(xobject))
            yield from _fonts_of(xobject.get("/Resources"), seen)


def _is_embedded(font):
    descendants = _resolve(font.get("/DescendantFonts"))
    if descendants:  # a composite (Type0) font: the glyphs are its CIDFont's
        font = _resolve(descendants[0])
    descriptor = _resolve(font.get("/FontDescriptor")) or {}
    return any(key in descriptor for key in ("/FontFile", "/FontFile2", "/FontFile3"))


def embedded_fonts(document):
    """The base names of the fonts embedded in the PDF (a subset's tag removed: ABCDEF+FandolFang → FandolFang)."""
    names, seen = set(), set()
    for page in PdfReader(io.BytesIO(document.content)).pages:
        for font in _fonts_of(page.get("/Resources"), seen):
            if "/BaseFont" in font and _is_embedded(font):
                names.add(_font_name(str(font["/BaseFont"]).lstrip("/")))
    return names
