"""Thin views: load through the access functions, validate a form, call one workflow function."""

import logging
import uuid

from django.apps import apps
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q
from django.http import Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from township_office import actions, audit, search, steps, uploads
from township_office.pagination import paginate
from township_office.pdf import pdf_response
from township_office.roles import OFFICE, has_role

from . import official, pdf, previews, services, workflow
from .forms import (
    CatalogueForm,
    IncomingFilterForm,
    IncomingForm,
    OutgoingFilterForm,
    OutgoingForm,
    PhoneRecordForm,
    ReceivedFilterForm,
)
from .models import BatchPrint, Circulation, IncomingDocument, OutgoingDocument
from .permissions import (
    deliveries_for,
    delivery_of_department,
    get_incoming_for_user,
    get_outgoing_file_for_user,
    get_outgoing_for_user,
    reads_as_recipient,
    received_by_department,
    sees_all_deliveries,
    visible_incoming,
    visible_outgoing,
)
from .tasks import print_slips

logger = logging.getLogger(__name__)

PAGE_SIZE = 30
CATALOGUE_PAGE_SIZE = 100

# --- Incoming: list and registration ------------------------------------------


def incoming_list(request):
    form = IncomingFilterForm(request.GET or None)
    documents = visible_incoming(request.user).select_related("registered_by")
    today = timezone.localdate()
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            documents = search.matching(documents, data["q"], ["title", "source_doc_number", "source_org"])
        if data["year"]:
            documents = documents.filter(year=data["year"])
        if data["status"]:
            documents = documents.filter(status=data["status"])
        if data["urgency"]:
            documents = documents.filter(urgency=data["urgency"])
        if data["overdue"]:
            documents = documents.filter(
                deadline__lt=today,
                status__in=[
                    IncomingDocument.Status.INSTRUCTING,
                    IncomingDocument.Status.HANDLING,
                    IncomingDocument.Status.REGISTERED,
                ],
            )
    page = paginate(request, documents.order_by("-year", "-serial"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/incoming_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "today": today,
            "starts": steps.starts(request.user, workflow.incoming),
            "can_batch_print": services.can_batch_print(request.user),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def incoming_register(request, phone=False):
    """签收登记 (or 登记电话记录). A form sent back with an error keeps the scans that passed their checks: they are
    held for the session and offered again ticked (``uploads.hold``), so the clerk does not choose them again."""
    workflow.incoming.start.require(request.user)
    form_class = PhoneRecordForm if phone else IncomingForm
    form = form_class(request.POST or None, request.FILES or None)
    held = uploads.held(request, request.POST.getlist("held")) if form.is_bound and not phone else []
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        files = [h["file"] for h in held] + (form.cleaned_data.get("attachments") or [])
        if phone:
            data.update(kind=IncomingDocument.Kind.PHONE, signed_for_at=data["call_time"])
        try:
            document = services.register_incoming(by=request.user, data=data, files=files)
        finally:
            for h in held:
                h["file"].close()
        uploads.release(request, [h["token"] for h in held])
        messages.success(request, f"已登记 {document.number}。")
        return redirect(document)
    if form.is_bound and not phone:
        held = [*held, *uploads.hold(request, form.valid_attachments())]
    status = 400 if form.is_bound else 200  # a POST that got here was refused by the form
    return render(request, "documents/incoming_form.html", {"form": form, "phone": phone, "held": held}, status=status)


# --- Incoming: detail and steps --------------------------------------------------


def incoming_page(request, document, *, bound=None, refusal=None, status=200):
    """The 收文 page: the file, its history, and the steps the person may take now (from the flow)."""
    instructions = list(document.instructions.select_related("leader"))
    context = {
        "document": document,
        "attachments": document.attachments.all(),
        "instructions": instructions,
        "circulations": workflow.circulations_of(document),
        "assignments": workflow.assignments_of(document),
        "progress_reports": document.progress_reports.select_related("author", "department"),
        "reminders": document.reminders.select_related("sent_by"),
        "events": audit.history(document),
        "today": timezone.localdate(),
        "supervision": _supervision_panel(request.user, document, instructions),
        **steps.page_context(workflow.incoming, document, request.user, bound=bound, refusal=refusal),
    }
    return render(request, "documents/incoming_detail.html", context, status=status)


def _supervision_panel(user, document, instructions):
    """Links to the file's 督办事项 and 「列入督办」 (supervision/api.py, no query), when that app is installed."""
    if not apps.is_installed("supervision"):
        return None
    from supervision.api import for_source

    leaders = list({i.leader_id: i.leader for i in instructions}.values())
    return for_source(user, document._meta.label_lower, document.code, leaders=leaders)


def incoming_detail(request, code):
    document = get_incoming_for_user(request.user, code)
    services.record_restricted_read(request.user, document)
    return incoming_page(request, document)


incoming_step = actions.step_view(workflow.incoming, get_incoming_for_user, incoming_page)


def incoming_slip(request, code):
    document = get_incoming_for_user(request.user, code)
    services.record_restricted_read(request.user, document)
    audit.record("打印收文处理笺", by=request.user, obj=document)
    return pdf_response(pdf.routing_slip(document), f"收文处理笺-{document.year}-{document.serial}.pdf")


def incoming_attachment(request, code, pk):
    document = get_incoming_for_user(request.user, code)
    if pk > 2**63 - 1:  # past any database integer: no such attachment (not an overflow)
        raise Http404("未找到该附件")
    attachment = get_object_or_404(document.attachments, pk=pk)
    services.record_restricted_read(request.user, document)
    return uploads.serve(request, attachment.file, filename=attachment.name)


def circulation_board(request):
    """Where every copy is now: files in circulation and who holds them."""
    if not has_role(request.user, *OFFICE):
        raise PermissionDenied("只有办公室可以查看传阅情况。")
    # The few copies still out (a partial index), each checked against the files the user may see.
    readable = visible_incoming(request.user).filter(pk=OuterRef("document_id"))
    open_rows = (
        Circulation.objects.filter(Exists(readable), read_at__isnull=True)
        .select_related("document", "reader")
        .order_by("document_id", "order")
    )
    page = paginate(request, open_rows, 50)
    return render(request, "documents/circulation_board.html", {"page": page})


# --- Batch printing -----------------------------------------------------------


@require_POST
def batch_print(request):
    """批量打印收文处理笺 (the office): only well-formed codes of files the person may see are printed."""
    if not services.can_batch_print(request.user):
        raise PermissionDenied("只有办公室可以批量打印收文处理笺。")
    codes = request.POST.getlist("codes")
    try:
        codes = [uuid.UUID(code) for code in codes]
    except ValueError:
        return render(
            request,
            "documents/message.html",
            {"title": "批量打印", "message": "所选收文无效，请返回列表重新勾选。"},
            status=400,
        )
    documents = list(visible_incoming(request.user).filter(code__in=codes).values_list("code", flat=True))
    if not documents:
        messages.error(request, "请先勾选要打印的收文。")
        return redirect("documents:incoming_list")
    batch = BatchPrint.objects.create(requested_by=request.user, document_codes=[str(c) for c in documents])
    print_slips.delay_on_commit(batch.pk)
    return redirect("documents:batch_detail", code=batch.code)


def batch_detail(request, code):
    batch = get_object_or_404(BatchPrint, code=code, requested_by=request.user)
    return render(request, "documents/batch_detail.html", {"batch": batch})


def batch_status(request, code):
    batch = get_object_or_404(BatchPrint, code=code, requested_by=request.user)
    from django.urls import reverse

    done = batch.status == BatchPrint.Status.DONE
    return JsonResponse(
        {
            "percent": batch.percent,
            "done": done,
            "failed": batch.status == BatchPrint.Status.FAILED,
            "message": f"{batch.get_status_display()} {batch.done_count}/{len(batch.document_codes)}",
            "url": reverse("documents:batch_download", args=[batch.code]) if done else "",
        }
    )


def batch_download(request, code):
    batch = get_object_or_404(BatchPrint, code=code, requested_by=request.user, status=BatchPrint.Status.DONE)
    return uploads.serve(request, batch.file, filename="收文处理笺批量打印.pdf", as_attachment=False)


# --- Outgoing ---------------------------------------------------------------------


def outgoing_list(request):
    form = OutgoingFilterForm(request.GET or None)
    documents = visible_outgoing(request.user).select_related("drafting_department", "drafter", "issuer_code")
    if form.is_valid():
        if form.cleaned_data["q"]:
            documents = search.matching(documents, form.cleaned_data["q"], ["title", "doc_number"])
        if form.cleaned_data["status"]:
            documents = documents.filter(status=form.cleaned_data["status"])
    page = paginate(request, documents.order_by("-created_at", "-pk"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/outgoing_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "starts": steps.starts(request.user, workflow.outgoing),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def received_list(request):
    """下发文件: what the township issued to the person's department (a 签收 each), unsigned first on request."""
    form = ReceivedFilterForm(request.GET or None)
    deliveries = received_by_department(request.user).select_related(
        "outgoing", "outgoing__issuer_code", "signed_by", "first_read_by"
    )
    if form.is_valid():
        data = form.cleaned_data
        if data["q"]:
            found = search.matching(visible_outgoing(request.user), data["q"], ["title", "doc_number"])
            deliveries = deliveries.filter(outgoing__in=found.values("pk"))
        if data["signed"] == "no":
            deliveries = deliveries.filter(signed_at__isnull=True)
        elif data["signed"] == "yes":
            deliveries = deliveries.filter(signed_at__isnull=False)
    page = paginate(request, deliveries.order_by("-delivered_at", "-pk"), PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "documents/received_list.html",
        {"form": form, "page": page, "query": query.urlencode(), "department": request.user.department},
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def outgoing_create(request):
    """拟稿: 保存草稿 keeps the draft with the drafter; 提交 sends it to the department's review at once."""
    workflow.outgoing.start.require(request.user)
    form = OutgoingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        submit = request.POST.get("action") != "draft"
        data, original = form.drafting_data()
        try:
            document = services.draft_outgoing(
                by=request.user,
                data=data,
                body=original,
                countersign_departments=form.cleaned_data["countersign_departments"],
                recipient_departments=form.cleaned_data["recipient_departments"],
                submit=submit,
            )
        except actions.REFUSALS as error:
            form.add_error(None, actions.error_message(error))
        else:
            messages.success(request, "发文稿已提交部门审核。" if submit else "草稿已保存，可在「我发起的」中找到。")
            return redirect(document)
    return render(request, "documents/outgoing_form.html", {"form": form}, status=400 if form.errors else 200)


def outgoing_page(request, document, *, bound=None, refusal=None, status=200):
    """The 发文 page: the draft, the opinions, and the steps the person may take now (from the flow). Who
    received it (送达, 签收, 阅读): every department to the issuing office, one's own department to a recipient;
    a recipient does not see the other departments' 签收 in the timeline or among the current holders either."""
    page_steps = steps.page_context(workflow.outgoing, document, request.user, bound=bound, refusal=refusal)
    if reads_as_recipient(request.user, document):
        return _received_page(request, document, page_steps, status=status)
    all_deliveries = sees_all_deliveries(request.user, document)
    deliveries = list(deliveries_for(request.user, document))
    events = audit.history(document)
    if not all_deliveries:
        own = request.user.department_id
        events = events.exclude(Q(action=workflow.sign_for.step.label) & ~Q(actor__department=own))
        page_steps["work_items"] = [
            item
            for item in page_steps["work_items"]
            if item.step != workflow.sign_for.step.name or item.department_id == own
        ]
    context = {
        "document": document,
        "opinions": document.opinions.select_related("author", "department"),
        **_named_departments(document),
        "deliveries": deliveries,
        "signed_count": sum(1 for d in deliveries if d.signed_at),
        "all_deliveries": all_deliveries,
        "events": events,
        "seal_requests": workflow.seal_requests_for(document) if document.at_sealing_or_later else [],
        "composed": official.is_composed(document),
        "versions": document.versions.count(),
        **page_steps,
    }
    return render(request, "documents/outgoing_detail.html", context, status=status)


def _received_page(request, document, page_steps, *, status):
    """What a recipient unit sees: the issued document, its 文号 and date, and its own 签收 and reading; its own
    work item and the 签收 step, nothing of how the office made it."""
    own = request.user.department_id
    page_steps["work_items"] = [item for item in page_steps["work_items"] if item.department_id == own]
    context = {
        "document": document,
        "delivery": delivery_of_department(document, own),
        "issuers": official.issuer_names_of(document),
        "composed": official.is_composed(document),
        **page_steps,
    }
    return render(request, "documents/outgoing_received.html", context, status=status)


def _named_departments(document):
    """会签部门 and 本镇收文单位 of a draft, in the departments' order, read in one query."""
    from township_office.models import Department

    def named(field):
        through = getattr(OutgoingDocument, field).through.objects
        return Exists(through.filter(outgoingdocument=document.pk, department=OuterRef("pk")))

    rows = list(
        Department.objects.annotate(countersigns=named("countersign_departments"))
        .annotate(receives=named("recipient_departments"))
        .filter(Q(countersigns=True) | Q(receives=True))
    )
    return {
        "countersign_departments": [d for d in rows if d.countersigns],
        "recipient_departments": [d for d in rows if d.receives],
    }


def outgoing_detail(request, code):
    document = get_outgoing_for_user(request.user, code)
    services.record_restricted_read(request.user, document)
    services.record_delivery_read(request.user, document)
    return outgoing_page(request, document)


outgoing_step = actions.step_view(workflow.outgoing, get_outgoing_for_user, outgoing_page)


def outgoing_document(request, code):
    """The 发文 as typeset (GB/T 9704): a draft with 「〔　　〕号」 and 草稿 before 编号, the numbered file after."""
    document = get_outgoing_for_user(request.user, code)
    if not official.is_composed(document):
        raise Http404("该发文没有系统排版的正文")
    services.record_restricted_read(request.user, document)
    services.record_delivery_read(request.user, document)
    name = f"{document.doc_number or document.title}.pdf"
    return uploads.serve(request, official.ensure_typeset(document), filename=name, as_attachment=False)


def outgoing_versions(request, code):
    """Every saved version of the text, who saved it and what changed (the drafting file: not for recipients)."""
    document = get_outgoing_file_for_user(request.user, code)
    services.record_restricted_read(request.user, document)
    versions = document.versions.select_related("author").order_by("-number")
    return render(request, "documents/outgoing_versions.html", {"document": document, "versions": versions})


def outgoing_sheet(request, code):
    document = get_outgoing_file_for_user(request.user, code)
    audit.record("打印发文稿纸", by=request.user, obj=document)
    return pdf_response(pdf.draft_sheet(document), f"发文稿纸-{document.code}.pdf")


def outgoing_body(request, code):
    """The 原稿: the Word file the text was imported from — the office's file, not for recipients — or an older
    发文's uploaded 正文, which was what it issued."""
    document = previews.original_for_user(request.user, code)
    if not document.body:
        raise Http404("该发文没有原稿")
    services.record_restricted_read(request.user, document)
    services.record_delivery_read(request.user, document)
    return uploads.serve(
        request, document.body, filename=f"{document.title}{document.body.name[document.body.name.rfind('.') :]}"
    )


# --- Archive catalogue ---------------------------------------------------------------


def archive_catalogue(request):
    if not has_role(request.user, *OFFICE):
        raise PermissionDenied("只有办公室可以查看归档文件目录。")
    form = CatalogueForm(request.GET or None)
    year = timezone.localdate().year
    if form.is_bound and not form.is_valid():
        context = {"rows": [], "page": None, "year": request.GET.get("year", ""), "form": form, "query": ""}
        return render(request, "documents/archive_catalogue.html", context, status=400)
    if form.is_bound:
        year = form.cleaned_data["year"] or year
    fmt = form.cleaned_data.get("format") if form.is_bound else ""
    if fmt == "pdf":
        audit.record("导出归档文件目录", by=request.user, comment=f"{year}年 PDF")
        rows = pdf.catalogue_rows(request.user, year)
        return pdf_response(pdf.catalogue_pdf(rows, year), f"归档文件目录-{year}.pdf", inline=False)
    if fmt == "xlsx":
        return pdf.catalogue_xlsx(request, pdf.catalogue_rows(request.user, year), year)
    page = paginate(request, pdf.catalogue_entries(request.user, year), CATALOGUE_PAGE_SIZE)
    rows = pdf.catalogue_rows(request.user, year, entries=page.object_list)
    context = {"rows": rows, "page": page, "year": year, "form": form, "query": f"year={year}"}
    return render(request, "documents/archive_catalogue.html", context)
