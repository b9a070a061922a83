"""Printables: 收文处理笺, 发文稿纸, 归档文件目录 (PDF and Excel)."""

from dataclasses import dataclass, field

from django.db.models import Value
from django.utils import timezone

from township_office import exports
from township_office.dates import chinese_date, local_day
from township_office.models import Township
from township_office.pdf import render_document, render_pdf, stylesheet, write_pages

from .models import IncomingDocument, Opinion, OutgoingDocument

# The 收文处理笺 is one A4 page, whatever was written on it: its nine rows go into the archive box as the paper
# form did. Long text is first set smaller, down to the floor of 10.5pt (五号) and never below; what still does not
# fit moves, whole entries at a time, to a 续页 headed "收文〔2026〕6号（续）", and its row on page one says "（见续页）".
SLIP_SIZES = (12, 11.25, 10.5)  # pt, for the rows of long text (文件标题 to 备注); the last one is the floor
SLIP_CSS = "documents/css/routing_slip.css"


@dataclass
class SlipEntry:
    """One opinion on the slip: its text, then who and when (a name and the full date, right-aligned)."""

    text: str
    sig: str = ""
    signature: str = ""  # a drawn signature (data URL), printed before the date in place of the typed name


@dataclass
class SlipRow:
    """A row of long text. ``lead`` always stays on page one; of ``entries``, the first ``kept`` do, and the rest
    continue on the 续页."""

    label: str
    height: str  # the class giving the paper form's height to the box (tall, tallest, mid)
    lead: str = ""
    entries: list = field(default_factory=list)
    inline: bool = False  # the entries run on in one paragraph (传阅情况) instead of one block each
    kept: int | None = None

    @property
    def page_one(self):
        return self.entries if self.kept is None else self.entries[: self.kept]

    @property
    def continued(self):
        return [] if self.kept is None else self.entries[self.kept :]


def _sig(person, when):
    return f"{person or ''}　{chinese_date(when)}".strip()


def _month_day(when):
    day = local_day(when)
    return f"{day.month}月{day.day}日"


def _slip_rows(d):
    instructions = d.instructions.select_related("leader")
    circulations = d.circulations.select_related("reader")
    assignments = d.assignments.select_related("department")
    reports = d.progress_reports.select_related("author", "department")
    handling = [SlipEntry(r.text, _sig(f"{r.department} {r.author}", r.created_at)) for r in reports]
    if d.result:
        text = f"办理结果：{d.result}" + (f"；答复：{d.reply}" if d.reply else "")
        handling.append(SlipEntry(text, _sig(d.completed_by, d.completed_at)))
    read = [
        SlipEntry(
            f"{c.reader}（{_month_day(c.read_at)}已阅{'：' + c.comment if c.comment else ''}）"
            if c.read_at
            else f"{c.reader}（未阅）"
        )
        for c in circulations
    ]
    return [
        SlipRow(
            "文件标题",
            "",
            lead=d.title,
            entries=[SlipEntry(d.content)] if d.is_phone and d.content else [],
        ),
        SlipRow(
            "拟办意见",
            "tall",
            entries=[SlipEntry(d.proposal, _sig(d.proposal_by, d.proposal_at))] if d.proposal else [],
        ),
        SlipRow(
            "领导批示",
            "tallest",
            entries=[
                SlipEntry(i.text, _sig(None if i.signature else i.leader, i.signed_at), i.signature_url)
                for i in instructions
            ],
        ),
        SlipRow("传阅情况", "mid", entries=read, inline=True),
        SlipRow(
            "承办单位及\n办理结果",  # broken where the words part, not where the box ends
            "tall",
            lead="、".join(f"{a.department}（{a.get_role_display()}）" for a in assignments),
            entries=handling,
        ),
        SlipRow(
            "备注",
            "mid",
            lead=f"档号：{d.archive_code}" if d.archive_code else "",
            entries=[SlipEntry(f"退文：{d.return_reason}")] if d.return_reason else [],
        ),
    ]


def _slip_pages(document):
    """The laid-out pages of one slip: ``(a document, its pages)``.

    Page one is laid out at each of SLIP_SIZES until it is one page (the ordinary slip: once, at 12pt). At the
    floor, each row in turn keeps as many of its entries as page one still holds (the later rows' entries all
    moved out meanwhile); the rest is laid out as the 续页, which may run to more pages itself."""
    context = {"township": Township.current(), "d": document, "rows": _slip_rows(document)}
    sheets = [stylesheet(SLIP_CSS)]

    def page_one(size):
        return render_document("documents/print/routing_slip.html", {**context, "size": size}, stylesheets=sheets)

    for size in SLIP_SIZES:
        laid_out = page_one(size)
        if len(laid_out.pages) == 1:
            return laid_out, laid_out.pages
    floor = SLIP_SIZES[-1]
    rows = [row for row in context["rows"] if row.entries]
    for row in rows:
        row.kept = 0
    fitting = None  # page one as last laid out in one page: it always matches the rows' ``kept`` as they end
    for row in rows:
        # The most of this row's entries page one still holds: all of them (one layout), else found by halving.
        low, high = 0, len(row.entries)
        count = high
        while low < high:
            row.kept = count
            attempt = page_one(floor)
            if len(attempt.pages) == 1:
                low, fitting = count, attempt
            else:
                high = count - 1
            count = (low + high + 1) // 2
        row.kept = low
    if fitting is None:  # not even one entry fits beside the fixed rows
        fitting = page_one(floor)
    continued = render_document("documents/print/routing_slip_continued.html", context, stylesheets=sheets)
    # Page one always holds the fixed rows and every row's lead; were even those past one page, nothing is cut.
    first = fitting.pages[:1] if len(fitting.pages) == 1 else fitting.pages
    return fitting, first + continued.pages


def routing_slip(document):
    """收文处理笺: one A4 page laid out like the paper form (and a 续页 for what does not fit on it)."""
    laid_out, pages = _slip_pages(document)
    return write_pages(laid_out, pages)


def routing_slips(documents, progress=None):
    """Many slips in one PDF, each on its own pages (its page one, then its 续页 if it has one)."""
    first, pages = None, []
    for index, document in enumerate(documents, start=1):
        laid_out, slip_pages = _slip_pages(document)
        first = first or laid_out
        pages += slip_pages
        if progress:
            progress(index)
    if first is None:
        return render_pdf("documents/print/routing_slip_none.html", {})
    return write_pages(first, pages)


def draft_sheet(document):
    """发文稿纸."""
    opinions = list(document.opinions.select_related("author", "department"))
    by_step = {step: [o for o in opinions if o.step == step] for step in Opinion.Step.values}
    return render_pdf(
        "documents/print/draft_sheet.html",
        {
            "township": Township.current(),
            "d": document,
            "op": by_step,
        },
    )


def catalogue_entries(user, year):
    """The 归档文件目录 of a year as one query of ``(archive_number, kind, pk)``, ordered by 件号.

    Incoming and outgoing records share the year's 件号 sequence; a UNION lets the page show 50 of them
    at a time whatever the size of the year."""
    from .permissions import visible_incoming, visible_outgoing

    incoming = (
        visible_incoming(user)
        .filter(status=IncomingDocument.Status.ARCHIVED, year=year)
        .annotate(record=Value("in"))
        .order_by()
        .values_list("archive_number", "record", "pk")
    )
    outgoing = (
        visible_outgoing(user)
        .filter(status=OutgoingDocument.Status.ARCHIVED, year=year)
        .annotate(record=Value("out"))
        .order_by()
        .values_list("archive_number", "record", "pk")
    )
    return incoming.union(outgoing, all=True).order_by("archive_number", "pk")


def catalogue_rows(user, year, entries=None):
    """The catalogue's rows for ``entries`` (default: the whole year), in 件号 order."""
    entries = list(catalogue_entries(user, year) if entries is None else entries)
    incoming = IncomingDocument.objects.in_bulk([pk for _, kind, pk in entries if kind == "in"])
    outgoing = OutgoingDocument.objects.select_related("drafting_department").in_bulk(
        [pk for _, kind, pk in entries if kind == "out"]
    )
    rows = []
    for _, kind, pk in entries:
        if kind == "in":
            d = incoming[pk]
            row = {
                "responsible": d.source_org,
                "doc_number": d.source_doc_number,
                "date": timezone.localtime(d.signed_for_at).date(),  # the day in Beijing, as signed
                "pages": d.pages,
            }
        else:
            d = outgoing[pk]
            row = {
                "responsible": str(d.drafting_department),
                "doc_number": d.doc_number,
                "date": d.issued_on,
                "pages": "",
            }
        row.update(
            number=d.archive_number,
            code=d.archive_code,
            title=d.title,
            secrecy=d.get_secrecy_display(),
            retention=d.get_retention_display(),
        )
        rows.append(row)
    return rows


def catalogue_pdf(rows, year):
    return render_pdf("documents/print/catalogue.html", {"rows": rows, "year": year, "township": Township.current()})


CATALOGUE_HEADER = ["件号", "档号", "责任者", "文号", "题名", "日期", "页数", "密级", "保管期限"]


def catalogue_xlsx(request, rows, year):
    """The year's catalogue as an Excel download (township_office.exports.export: audited, every cell made safe)."""
    cells = (
        [
            r["number"],
            r["code"],
            r["responsible"],
            r["doc_number"],
            r["title"],
            r["date"].isoformat() if r["date"] else "",
            r["pages"],
            r["secrecy"],
            r["retention"],
        ]
        for r in rows
    )
    return exports.export(
        request,
        fmt="xlsx",
        name=f"归档文件目录-{year}",
        sheet=f"{year}年归档文件目录",
        header=CATALOGUE_HEADER,
        rows=cells,
        action="导出归档文件目录",
        comment=f"{year}年",
    )
