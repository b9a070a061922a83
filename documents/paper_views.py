"""The scans the office kept of what happened on paper: a 回执 of a 纸质送达, a 纸质会签 opinion."""

from django.http import Http404
from django.shortcuts import get_object_or_404

from township_office import audit, uploads

from .permissions import get_outgoing_for_user, sees_all_deliveries
from .services import record_restricted_read

MAX_PK = 2**63 - 1  # a guessed id beyond what the database holds is not found, never a server error


def _office_document(request, code, pk):
    """The 发文, for those who see its whole 送达 (the office and the drafter); 404 for anyone else."""
    document = get_outgoing_for_user(request.user, code)
    if pk > MAX_PK or not sees_all_deliveries(request.user, document):
        raise Http404("没有找到该扫描件")
    return document


def receipt_scan(request, code, pk):
    document = _office_document(request, code, pk)
    delivery = get_object_or_404(document.deliveries.select_related("department"), pk=pk)
    if not delivery.paper_receipt:
        raise Http404("该单位没有回执扫描件")
    record_restricted_read(request.user, document)
    audit.record("查看回执扫描件", by=request.user, obj=document, comment=str(delivery.department))
    return uploads.serve(
        request, delivery.paper_receipt, filename=f"回执-{delivery.department}{_ext(delivery.paper_receipt)}"
    )


def countersign_scan(request, code, pk):
    document = _office_document(request, code, pk)
    opinion = get_object_or_404(document.opinions.select_related("department"), pk=pk, on_paper=True)
    if not opinion.paper_scan:
        raise Http404("该会签没有扫描件")
    record_restricted_read(request.user, document)
    audit.record("查看会签扫描件", by=request.user, obj=document, comment=str(opinion.department))
    return uploads.serve(request, opinion.paper_scan, filename=f"会签-{opinion.department}{_ext(opinion.paper_scan)}")


def _ext(field):
    name = field.name
    return name[name.rfind(".") :] if "." in name else ""
