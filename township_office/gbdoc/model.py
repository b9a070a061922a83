"""The input of the typesetter: a 公文 as plain data, independent of any model.

An app builds an :class:`OfficialDocument` from its own record (a 发文, later a 纪要 or a 督查通知) and hands it
to :func:`township_office.gbdoc.render_pdf` / :func:`~township_office.gbdoc.render_html`.
"""

import re
from dataclasses import dataclass, field
from datetime import date

from township_office.dates import chinese_date

# The four levels of 结构层次序数 (GB/T 9704-2012 7.3.3): 一、 （一） 1. （1）
LEVELS = {1: "一、", 2: "（一）", 3: "1.", 4: "（1）"}
CHINESE_DIGITS = "零一二三四五六七八九"


def chinese_number(n):
    """1 → 一, 10 → 十, 12 → 十二, 20 → 二十, 99 → 九十九 (the numbers a heading ordinal uses)."""
    if not 0 < n < 100:
        raise ValueError(n)
    tens, ones = divmod(n, 10)
    head = "" if tens == 0 else ("十" if tens == 1 else CHINESE_DIGITS[tens] + "十")
    return head + (CHINESE_DIGITS[ones] if ones else "")


def ordinal(level, n):
    """The ordinal of the ``n``-th heading of ``level``: 一、 （二） 3. （4）"""
    if level == 1:
        return f"{chinese_number(n)}、"
    if level == 2:
        return f"（{chinese_number(n)}）"
    if level == 3:
        return f"{n}."
    return f"（{n}）"


# A heading's own words end at its first full stop; what follows runs on in the body face ("（一）加强领导。各村……").
_LEAD_END = re.compile(r"[。！？]")


@dataclass(frozen=True)
class Block:
    """One paragraph of the 正文. ``level`` 0 is a plain paragraph; 1–4 are the heading levels, whose ``text``
    starts with its ordinal (``一、总体要求``)."""

    text: str
    level: int = 0

    @property
    def lead(self):
        """The part set in the level's face: the whole heading, or up to its first full stop when text follows."""
        if not self.level:
            return ""
        stop = _LEAD_END.search(self.text)
        if stop and stop.end() < len(self.text):
            return self.text[: stop.end()]
        return self.text

    @property
    def rest(self):
        """What follows the lead, in the body face."""
        return self.text[len(self.lead) :]


@dataclass
class OfficialDocument:
    """A 公文 to typeset (GB/T 9704-2012, 文件格式).

    ``issuers``: the 发文机关 names for the 发文机关标志, the lead organ first (more than one: 联合行文).
    ``doc_number``: the 发文字号 (长政发〔2026〕3号); None until 编号 — the document then shows
    ``{issuer_code}〔　　〕号`` and a 草稿 mark on every page.
    ``signers``: the 签发人 of an upward document (上行文): the 字号 then goes left and they go right.
    ``signatures``: the 发文机关署名 (default: ``issuers``). ``date_of_issue``: the 成文日期.
    ``printed_by`` / ``printed_on``: the 印发机关 and 印发日期 of the 版记.
    """

    issuers: list[str]
    title: str
    main_recipients: str
    body: list[Block]
    issuer_code: str = ""
    doc_number: str | None = None
    mark_suffix: str = "文件"
    urgency: str = ""  # 特急 / 加急, top left of page one (7.2.3); "" for an ordinary one
    signers: list[str] = field(default_factory=list)
    attachments: list[str] = field(default_factory=list)
    signatures: list[str] = field(default_factory=list)
    date_of_issue: date | None = None
    note: str = ""  # 附注, e.g. （此件公开发布）
    cc_recipients: str = ""
    printed_by: str = ""
    printed_on: date | None = None

    @property
    def is_draft(self):
        return not self.doc_number

    @property
    def is_upward(self):
        return bool(self.signers)

    @property
    def number_text(self):
        """The 发文字号 as printed: the 文号, or before 编号 the 代字 with an empty year and number."""
        return self.doc_number or f"{self.issuer_code}〔　　〕号"

    @property
    def signature_names(self):
        return self.signatures or self.issuers

    @property
    def date_text(self):
        return chinese_date(self.date_of_issue)

    @property
    def printed_on_text(self):
        return f"{chinese_date(self.printed_on)}印发" if self.printed_on else ""

    @property
    def main_recipients_text(self):
        text = self.main_recipients.strip().rstrip("：:")
        return f"{text}：" if text else ""

    @property
    def cc_text(self):
        text = self.cc_recipients.strip().rstrip("。.，,；;")
        return f"{text}。" if text else ""


def issuer_names(township, bodies):
    """The 发文机关 names of ``bodies`` (``IssuerCode.Body`` values: party / government / office, in order)
    from the township's settings: 中共长官镇委员会, 长官镇人民政府, 长官镇党政办公室."""
    names = {
        "party": township.party_committee_name,
        "government": township.government_name,
        "office": township.office_name,
    }
    return [names[body] for body in bodies]
