"""Printables: 收文处理笺, 发文稿纸, 归档文件目录 (PDF and Excel)."""

import io

from django.db.models import Value
from django.http import HttpResponse
from django.utils import timezone
from django.utils.http import content_disposition_header

from township_office.models import Township
from township_office.pdf import render_pdf

from .models import IncomingDocument, Opinion, OutgoingDocument


def _slip_context(document):
    return {
        "township": Township.current(),
        "d": document,
        "instructions": list(document.instructions.select_related("leader")),
        "circulations": list(document.circulations.select_related("reader")),
        "assignments": list(document.assignments.select_related("department")),
        "progress_reports": list(document.progress_reports.select_related("author", "department")),
    }


def routing_slip(document):
    """收文处理笺: one A4 page laid out like the paper form."""
    return render_pdf("documents/print/routing_slip.html", {"slips": [_slip_context(document)]})


def routing_slips(documents, progress=None):
    """Many slips in one PDF, one page each."""
    slips = []
    for index, document in enumerate(documents, start=1):
        slips.append(_slip_context(document))
        if progress:
            progress(index)
    return render_pdf("documents/print/routing_slip.html", {"slips": slips})


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


def bench_slip(code=None):
    """Render one routing slip (for the benchmark): the latest file, or the one with ``code``."""
    qs = IncomingDocument.objects.all()
    document = qs.get(code=code) if code else qs.order_by("-pk").first()
    return routing_slip(document)


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


def _cell(value):
    """A text cell never becomes a formula in the spreadsheet (a title starting with =, +, - or @)."""
    if isinstance(value, str) and value[:1] in ("=", "+", "-", "@"):
        return "'" + value
    return value


def catalogue_xlsx(rows, year):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年归档文件目录"
    sheet.append(["件号", "档号", "责任者", "文号", "题名", "日期", "页数", "密级", "保管期限"])
    for r in rows:
        sheet.append(
            [
                _cell(value)
                for value in [
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
            ]
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"归档文件目录-{year}.xlsx")
    return response
