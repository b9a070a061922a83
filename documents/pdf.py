"""Printables: 收文处理笺, 发文稿纸, 归档文件目录 (PDF and Excel)."""

import io

from django.http import HttpResponse
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


def catalogue_rows(user, year):
    """归档文件目录 of a year: archived incoming and outgoing records, by archive number."""
    from .permissions import visible_incoming, visible_outgoing

    rows = []
    for d in visible_incoming(user).filter(status=IncomingDocument.Status.ARCHIVED, year=year):
        rows.append(
            {
                "number": d.archive_number,
                "code": d.archive_code,
                "responsible": d.source_org,
                "doc_number": d.source_doc_number,
                "title": d.title,
                "date": d.signed_for_at.date(),
                "pages": d.pages,
                "secrecy": d.get_secrecy_display(),
                "retention": d.get_retention_display(),
            }
        )
    archived = visible_outgoing(user).filter(status=OutgoingDocument.Status.ARCHIVED, year=year)
    for d in archived.select_related("drafting_department"):
        rows.append(
            {
                "number": d.archive_number,
                "code": d.archive_code,
                "responsible": str(d.drafting_department),
                "doc_number": d.doc_number,
                "title": d.title,
                "date": d.issued_on,
                "pages": "",
                "secrecy": d.get_secrecy_display(),
                "retention": d.get_retention_display(),
            }
        )
    return sorted(rows, key=lambda r: r["number"] or 0)


def catalogue_pdf(rows, year):
    return render_pdf("documents/print/catalogue.html", {"rows": rows, "year": year, "township": Township.current()})


def catalogue_xlsx(rows, year):
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    sheet.title = f"{year}年归档文件目录"
    sheet.append(["件号", "档号", "责任者", "文号", "题名", "日期", "页数", "密级", "保管期限"])
    for r in rows:
        sheet.append(
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
        )
    buffer = io.BytesIO()
    workbook.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"归档文件目录-{year}.xlsx")
    return response
