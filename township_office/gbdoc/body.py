"""The 正文 as :class:`~township_office.gbdoc.model.Block` s: typed in a form, or imported from a .docx.

Each paragraph is one line of the typed text (blank lines are ignored, leading spaces and full-width indents
dropped). A paragraph starting with one of the four ordinals of GB/T 9704-2012 7.3.3 is a heading of that level:
``一、`` ``（一）`` ``1.`` ``（1）``. The levels go in order (a ``（一）`` needs a ``一、`` above it) and each counts
up from one under its parent; a paragraph that starts like an ordinal but is none of the four (``1、``,
``(一)``, ``①``) is refused, as is a number out of sequence, with a Chinese message naming the line.
"""

import re
import zipfile
from dataclasses import dataclass, field
from datetime import date

from django.conf import settings
from django.core.exceptions import ValidationError

from township_office.uploads import validate_upload

from .model import LEVELS, Block, ordinal

CN = "[一二三四五六七八九十]+"
HEADING_PATTERNS = {
    1: re.compile(rf"^({CN})、"),
    2: re.compile(rf"^（({CN})）"),
    3: re.compile(r"^(\d{1,2})\.(?!\d)"),
    4: re.compile(r"^（(\d{1,2})）"),
}
# Beginnings that look like an ordinal but are none of the four, and what to write instead.
WRONG_PATTERNS = [
    (re.compile(rf"^{CN}[.．](?!\d)"), "一、"),
    (re.compile(rf"^(\({CN}[)）]|（{CN}\))"), "（一）"),
    (re.compile(r"^\d{1,2}[、．](?!\d)"), "1."),
    (re.compile(r"^(\(\d{1,2}[)）]|（\d{1,2}\))"), "（1）"),
    (re.compile(r"^\d{1,2}[)）]"), "（1）"),
    (re.compile(r"^[①-⑳⑴-⒇⒈-⒛]"), None),
]
MAX_ERRORS = 10
_LEADING_SPACE = re.compile(r"^[\s\u3000]+")
_DATE_LINE = re.compile(r"^(\d{4})年(\d{1,2})月(\d{1,2})日$")


def _chinese_value(text):
    """一 → 1 … 九十九 → 99; None for what is not a well-formed number (二二, 十十)."""
    digits = "一二三四五六七八九"
    if re.fullmatch(r"[一二三四五六七八九]", text):
        return digits.index(text) + 1
    match = re.fullmatch(r"([二三四五六七八九])?十([一二三四五六七八九])?", text)
    if not match:
        return None
    tens = digits.index(match[1]) + 1 if match[1] else 1
    ones = digits.index(match[2]) + 1 if match[2] else 0
    return tens * 10 + ones


def heading_of(text):
    """``(level, number)`` for a paragraph starting with one of the four ordinals, ``(0, None)`` for a plain one;
    ValueError(the form to use, or None) for a beginning that looks like an ordinal but is none of them."""
    for level, pattern in HEADING_PATTERNS.items():
        match = pattern.match(text)
        if match:
            number = _chinese_value(match[1]) if level in (1, 2) else int(match[1])
            if not number:
                raise ValueError(LEVELS[level])
            return level, number
    for pattern, instead in WRONG_PATTERNS:
        if pattern.match(text):
            raise ValueError(instead)
    return 0, None


def _excerpt(text, length=15):
    return text if len(text) <= length else text[:length] + "…"


class _Order:
    """The numbering so far: the last number of each level under the current headings."""

    def __init__(self):
        self.last = {level: 0 for level in LEVELS}
        self.depth = 0

    def check(self, level, number):
        """A Chinese message when a heading of ``level`` numbered ``number`` may not come here, else None."""
        given = ordinal(level, number)
        if level > self.depth + 1:
            return f"第{level}层序号「{given}」前面缺少第{level - 1}层序号「{LEVELS[level - 1]}」"
        expected = self.last[level] + 1 if level <= self.depth else 1
        if number != expected:
            if expected == 1:
                return f"序号「{given}」不对，这一层应从「{ordinal(level, 1)}」开始"
            return f"序号「{given}」不对，上一个是「{ordinal(level, expected - 1)}」，这里应为「{ordinal(level, expected)}」"
        self.last[level] = number
        for deeper in range(level + 1, len(LEVELS) + 1):
            self.last[deeper] = 0
        self.depth = level
        return None


def _blocks(paragraphs, place):
    """Blocks of ``(position, text)`` paragraphs; ``place(position)`` names one in a message (第3行)."""
    blocks, errors, order = [], [], _Order()
    for position, text in paragraphs:
        try:
            level, number = heading_of(text)
        except ValueError as wrong:
            instead = wrong.args[0]
            hint = (
                f"应写作「{instead}」这样的形式" if instead else "公文的层次序号只用「一、」「（一）」「1.」「（1）」"
            )
            errors.append(f"{place(position)}「{_excerpt(text)}」：不是规范的层次序号，{hint}。")
            continue
        if level:
            problem = order.check(level, number)
            if problem:
                errors.append(f"{place(position)}「{_excerpt(text)}」：{problem}。")
                continue
        blocks.append(Block(text, level))
    if errors:
        raise ValidationError(errors[:MAX_ERRORS], code="heading")
    return blocks


def max_body_chars():
    return settings.DOCUMENT_BODY_MAX_CHARS


def body_length(text):
    """The characters of the 正文 that count against the limit: all but whitespace."""
    return len(re.sub(r"[\s\u3000]", "", text))


def check_body_length(text):
    """Refuse a 正文 longer than ``settings.DOCUMENT_BODY_MAX_CHARS`` (in Chinese)."""
    length, limit = body_length(text), max_body_chars()
    if length > limit:
        raise ValidationError(
            f"正文共 {length} 字，超过了 {limit} 字的上限，请精简，或把部分内容作为附件。", code="too_long"
        )


def parse_body(text):
    """The typed 正文 as blocks; ValidationError (Chinese, naming each wrong line) for a bad heading or a text
    over the length limit. An empty text gives no blocks (the form decides whether that is allowed)."""
    check_body_length(text)
    lines = [(number, _LEADING_SPACE.sub("", line).rstrip()) for number, line in enumerate(text.splitlines(), 1)]
    return _blocks([(n, line) for n, line in lines if line], lambda n: f"第{n}行")


def body_text(blocks):
    """The blocks as the text :func:`parse_body` reads (the compose form's textarea)."""
    return "\n".join(block.text for block in blocks)


@dataclass
class ImportedBody:
    """What a .docx gave: the 正文's blocks and, when the file has them, its 标题, 主送机关, 附件说明, 署名
    and 成文日期 (recognised by their place and form, for the compose form to fill in)."""

    blocks: list[Block]
    title: str = ""
    main_recipients: str = ""
    attachments: list[str] = field(default_factory=list)
    signature: str = ""
    date_of_issue: date | None = None
    file: object = None  # the upload it came from (DocxField sets it), to keep as 原稿

    @property
    def text(self):
        return body_text(self.blocks)


def _paragraph_level(paragraph):
    """The heading level Word gives a paragraph: its style (标题 1 / Heading 1) or its list level; 0 for none."""
    style = paragraph.style.name if paragraph.style is not None else ""
    match = re.fullmatch(r"(?:Heading|标题)\s*([1-4])", style or "")
    if match:
        return int(match[1])
    properties = paragraph._p.pPr
    if properties is not None and properties.numPr is not None and properties.numPr.ilvl is not None:
        return min(int(properties.numPr.ilvl.val) + 1, 4)
    return 0


def _is_title(paragraph):
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    style = paragraph.style.name if paragraph.style is not None else ""
    return paragraph.alignment == WD_ALIGN_PARAGRAPH.CENTER or style in ("Title", "标题")


def read_docx(file):
    """The 正文 of an uploaded .docx (an :class:`ImportedBody`); ValidationError in Chinese for a file that is not
    a .docx by its content (a legacy .doc or .wps included: those must be saved as .docx first), is too large, or
    whose 正文 is over the limit or has a bad heading (naming the paragraph: 第5段).

    A heading whose ordinal Word draws from its numbering (so it is not in the text) gets the ordinal its place
    calls for; a paragraph whose text carries one is read by it."""
    from docx import Document

    validate_upload(file, kinds=("word",))
    file.seek(0)
    if file.read(4) != b"PK\x03\x04":
        raise ValidationError(
            f"文件“{file.name}”是旧版 Word（.doc/.wps）文件，请在 Word 或 WPS 中另存为 .docx 后再导入。",
            code="legacy_word",
        )
    from docx.enum.text import WD_ALIGN_PARAGRAPH

    file.seek(0)
    try:
        word = Document(file)
    except (zipfile.BadZipFile, KeyError, ValueError) as error:
        raise ValidationError(f"文件“{file.name}”无法作为 Word 文档读取（{error.__class__.__name__}）。") from error
    finally:
        file.seek(0)
    paragraphs = []  # (its place among the file's non-empty paragraphs, the paragraph, its text)
    for paragraph in word.paragraphs:
        text = _LEADING_SPACE.sub("", paragraph.text).rstrip()
        if text:
            paragraphs.append((len(paragraphs) + 1, paragraph, text))
    imported = ImportedBody(blocks=[])
    if paragraphs and _is_title(paragraphs[0][1]):
        imported.title = paragraphs.pop(0)[2]
    if paragraphs and re.search(r"[：:]$", paragraphs[0][2]) and len(paragraphs[0][2]) <= 200:
        imported.main_recipients = paragraphs.pop(0)[2].rstrip("：:")
    if paragraphs and _DATE_LINE.match(paragraphs[-1][2]):
        year, month, day = map(int, _DATE_LINE.match(paragraphs.pop()[2]).groups())
        try:
            imported.date_of_issue = date(year, month, day)
        except ValueError:
            pass
        if paragraphs and paragraphs[-1][1].alignment == WD_ALIGN_PARAGRAPH.RIGHT and len(paragraphs[-1][2]) <= 30:
            imported.signature = paragraphs.pop()[2]
    attachments = [i for i, (_, _, text) in enumerate(paragraphs) if re.match(r"^附件[：:]", text)]
    if attachments:
        start = attachments[-1]
        names = [re.sub(r"^附件[：:]\s*", "", paragraphs[start][2])] + [text for _, _, text in paragraphs[start + 1 :]]
        imported.attachments = [re.sub(r"^\d{1,2}[.．、]\s*", "", name) for name in names if name]
        paragraphs = paragraphs[:start]
    check_body_length("".join(text for _, _, text in paragraphs))
    numbered, counters = [], {level: 0 for level in LEVELS}
    for position, paragraph, text in paragraphs:
        level = _paragraph_level(paragraph)
        try:
            written = heading_of(text)[0]
        except ValueError:
            written = None  # refused by _blocks, naming the paragraph
        if level and written == 0:  # a heading by its style or numbering only: give it its ordinal
            counters[level] += 1
            for deeper in range(level + 1, len(LEVELS) + 1):
                counters[deeper] = 0
            text = ordinal(level, counters[level]) + text
        elif written:
            counters[written] = heading_of(text)[1]
            for deeper in range(written + 1, len(LEVELS) + 1):
                counters[deeper] = 0
        numbered.append((position, text))
    imported.blocks = _blocks(numbered, lambda n: f"第{n}段")
    return imported
