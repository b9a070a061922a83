"""Thin views: load through the access functions, validate a form, call one workflow function."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Exists, OuterRef
from django.http import FileResponse, Http404, JsonResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from township_office import audit, permissions, search
from township_office.actions import error_message, run_action
from township_office.pagination import paginate
from township_office.pdf import pdf_response
from township_office.roles import LEADERS, OFFICE, Role, has_role

from . import pdf, services, workflow
from .forms import (
    ArchiveForm,
    CommentForm,
    CompleteForm,
    DecisionForm,
    IncomingFilterForm,
    IncomingForm,
    IssueForm,
    OutgoingFilterForm,
    OutgoingForm,
    PhoneRecordForm,
    ProposalForm,
    ReturnForm,
    TextForm,
)
from .models import BatchPrint, Circulation, IncomingDocument, OutgoingDocument
from .permissions import get_incoming_for_user, get_outgoing_for_user, visible_incoming, visible_outgoing
from .tasks import print_slips

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
            "can_register": services.can_register(request.user),
        },
    )


def incoming_register(request, phone=False):
    if not services.can_register(request.user):
        raise PermissionDenied("只有文书或办公室主任可以登记收文。")
    form_class = PhoneRecordForm if phone else IncomingForm
    form = form_class(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "attachments"}
        files = form.cleaned_data.get("attachments") or []
        if phone:
            data.update(kind=IncomingDocument.Kind.PHONE, signed_for_at=data["call_time"])
        document = services.register_incoming(by=request.user, data=data, files=files)
        messages.success(request, f"已登记 {document.number}。")
        return redirect(document)
    return render(request, "documents/incoming_form.html", {"form": form, "phone": phone})


# --- Incoming: detail and actions ----------------------------------------------


def _incoming_context(request, document, **bound):
    user = request.user
    status = IncomingDocument.Status
    assignments = list(document.assignments.select_related("department"))
    circulations = list(document.circulations.select_related("reader"))
    my_circulation = next((c for c in circulations if c.reader_id == user.pk and c.sent_at and not c.read_at), None)
    in_assigned_department = any(a.department_id == user.department_id for a in assignments)
    handles = document.status == status.HANDLING and (
        has_role(user, *OFFICE) or (in_assigned_department and permissions.has_grant(user, document, "handle"))
    )
    context = {
        "document": document,
        "attachments": document.attachments.all(),
        "instructions": document.instructions.select_related("leader"),
        "circulations": circulations,
        "assignments": assignments,
        "progress_reports": document.progress_reports.select_related("author", "department"),
        "reminders": document.reminders.select_related("sent_by"),
        "events": audit.history(document),
        "can_review": has_role(user, Role.OFFICE_DIRECTOR) and document.status == status.REGISTERED,
        "can_instruct": has_role(user, *LEADERS)
        and document.status in (status.INSTRUCTING, status.HANDLING)
        and permissions.has_grant(user, document, "instruct"),
        "my_circulation": my_circulation,
        "can_handle": handles,
        "can_chase": has_role(user, Role.OFFICE_DIRECTOR) and document.is_open,
        "can_archive": has_role(user, Role.CLERK, Role.OFFICE_DIRECTOR)
        and document.status in (status.COMPLETED, status.RETURNED),
        "return_form": ReturnForm(),
        "proposal_form": ProposalForm(),
        "instruct_form": TextForm(),
        "read_form": CommentForm(),
        "progress_form": TextForm(),
        "complete_form": CompleteForm(),
        "chase_form": TextForm(),
        "archive_form": ArchiveForm(),
        "today": timezone.localdate(),
    }
    context.update(bound)
    return context


def incoming_detail(request, code):
    document = get_incoming_for_user(request.user, code)
    services.record_secret_read(request.user, document)
    return render(request, "documents/incoming_detail.html", _incoming_context(request, document))


def _incoming_action(request, code, form_class, form_name, run, success):
    document = get_incoming_for_user(request.user, code)

    def rerender(form):
        context = _incoming_context(request, document, **{form_name: form, "open_form": form_name})
        return render(request, "documents/incoming_detail.html", context, status=400)

    return run_action(
        request,
        document,
        lambda data: run(document, data),
        success=success,
        rerender=rerender,
        form=form_class(request.POST),
    )


@require_POST
def incoming_return(request, code):
    return _incoming_action(
        request,
        code,
        ReturnForm,
        "return_form",
        lambda d, c: workflow.return_to_sender(d, by=request.user, reason=c["reason"]),
        "已退文。",
    )


@require_POST
def incoming_propose(request, code):
    def run(document, data):
        workflow.propose(
            document,
            by=request.user,
            proposal=data["proposal"],
            leaders=data["leaders"],
            lead_department=data["lead_department"],
            support_departments=data["support_departments"],
            readers=data["readers"],
            circulation_mode=data["circulation_mode"],
        )

    return _incoming_action(request, code, ProposalForm, "proposal_form", run, "拟办意见已提交。")


@require_POST
def incoming_instruct(request, code):
    return _incoming_action(
        request,
        code,
        TextForm,
        "instruct_form",
        lambda d, c: workflow.instruct(d, by=request.user, text=c["text"]),
        "批示已签发。",
    )


@require_POST
def incoming_read(request, code):
    return _incoming_action(
        request,
        code,
        CommentForm,
        "read_form",
        lambda d, c: workflow.mark_read(d, by=request.user, comment=c["comment"]),
        "已阅。",
    )


@require_POST
def incoming_progress(request, code):
    return _incoming_action(
        request,
        code,
        TextForm,
        "progress_form",
        lambda d, c: workflow.report_progress(d, by=request.user, text=c["text"]),
        "办理进展已报告。",
    )


@require_POST
def incoming_complete(request, code):
    return _incoming_action(
        request,
        code,
        CompleteForm,
        "complete_form",
        lambda d, c: workflow.complete(d, by=request.user, result=c["result"], reply=c["reply"]),
        "已办结。",
    )


@require_POST
def incoming_chase(request, code):
    return _incoming_action(
        request,
        code,
        TextForm,
        "chase_form",
        lambda d, c: workflow.chase(d, by=request.user, note=c["text"]),
        "已催办。",
    )


@require_POST
def incoming_archive(request, code):
    return _incoming_action(
        request,
        code,
        ArchiveForm,
        "archive_form",
        lambda d, c: workflow.archive_incoming(d, by=request.user, retention=c["retention"]),
        "已归档。",
    )


def incoming_slip(request, code):
    document = get_incoming_for_user(request.user, code)
    services.record_secret_read(request.user, document)
    audit.record("打印收文处理笺", by=request.user, obj=document)
    return pdf_response(pdf.routing_slip(document), f"收文处理笺-{document.year}-{document.serial}.pdf")


def incoming_attachment(request, code, pk):
    document = get_incoming_for_user(request.user, code)
    attachment = get_object_or_404(document.attachments, pk=pk)
    services.record_secret_read(request.user, document)
    return FileResponse(attachment.file.open("rb"), as_attachment=True, filename=attachment.name)


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
    codes = request.POST.getlist("codes")
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
    return FileResponse(batch.file.open("rb"), content_type="application/pdf", filename="收文处理笺批量打印.pdf")


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
            "can_draft": has_role(request.user, Role.DEPARTMENT_STAFF),
        },
    )


def outgoing_create(request):
    if not has_role(request.user, Role.DEPARTMENT_STAFF):
        raise PermissionDenied("只有站所室经办人可以拟稿。")
    form = OutgoingForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("body", "countersign_departments")}
        try:
            document = workflow.draft_outgoing(
                by=request.user,
                data=data,
                body=form.cleaned_data["body"],
                countersign_departments=form.cleaned_data["countersign_departments"],
            )
        except ValidationError as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, "发文稿已提交部门审核。")
            return redirect(document)
    return render(request, "documents/outgoing_form.html", {"form": form})


def _outgoing_context(request, document, **bound):
    user = request.user
    s = OutgoingDocument.Status
    perms = {
        "can_review": document.status == s.DEPT_REVIEW and permissions.has_grant(user, document, "review"),
        "can_check": document.status == s.OFFICE_CHECK and has_role(user, Role.OFFICE_DIRECTOR),
        "can_countersign": document.status == s.COUNTERSIGN and permissions.has_grant(user, document, "countersign"),
        "can_sign_off": document.status == s.SIGN_OFF
        and has_role(user, *LEADERS)
        and permissions.has_grant(user, document, "sign_off"),
        "can_recheck": document.status == s.RECHECK and has_role(user, Role.CLERK, Role.OFFICE_DIRECTOR),
        "can_number": document.status == s.NUMBERING and has_role(user, Role.CLERK),
        "can_seal": document.status == s.SEALING and has_role(user, Role.CLERK),
        "can_issue": document.status == s.ISSUING and has_role(user, Role.CLERK),
        "can_archive": document.status == s.ISSUED and has_role(user, Role.CLERK, Role.OFFICE_DIRECTOR),
        "can_resubmit": document.status == s.DRAFT and document.drafter_id == user.pk,
    }
    context = {
        "document": document,
        "opinions": document.opinions.select_related("author", "department"),
        "countersign_departments": document.countersign_departments.all(),
        "events": audit.history(document),
        "decision_form": DecisionForm(),
        "text_form": TextForm(),
        "issue_form": IssueForm(initial={"issued_on": timezone.localdate()}),
        "archive_form": ArchiveForm(),
        "seal_requests": workflow.seal_requests_for(document)
        if document.status in (s.SEALING, s.ISSUING, s.ISSUED, s.ARCHIVED)
        else [],
        "new_seal_request_url": workflow.new_seal_request_url(document) if perms["can_seal"] else "",
        **perms,
    }
    context.update(bound)
    return context


def outgoing_detail(request, code):
    document = get_outgoing_for_user(request.user, code)
    services.record_secret_read(request.user, document)
    return render(request, "documents/outgoing_detail.html", _outgoing_context(request, document))


def _outgoing_action(request, code, form_class, form_name, run, success):
    document = get_outgoing_for_user(request.user, code)

    def rerender(form):
        context = _outgoing_context(request, document, **{form_name: form, "open_form": form_name})
        return render(request, "documents/outgoing_detail.html", context, status=400)

    form = form_class(request.POST) if form_class else None
    return run_action(
        request, document, lambda data: run(document, data), success=success, rerender=rerender, form=form
    )


def _decide_view(fn, success):
    @require_POST
    def view(request, code):
        return _outgoing_action(
            request,
            code,
            DecisionForm,
            "decision_form",
            lambda d, c: fn(d, by=request.user, text=c["text"], approve=c["decision"] == "approve"),
            success,
        )

    return view


outgoing_review = _decide_view(workflow.review_outgoing, "部门审核意见已提交。")
outgoing_check = _decide_view(workflow.check_outgoing, "核稿意见已提交。")
outgoing_sign_off = _decide_view(workflow.sign_off, "签发意见已提交。")


@require_POST
def outgoing_countersign(request, code):
    return _outgoing_action(
        request,
        code,
        TextForm,
        "text_form",
        lambda d, c: workflow.countersign_outgoing(d, by=request.user, text=c["text"]),
        "已会签。",
    )


@require_POST
def outgoing_recheck(request, code):
    return _outgoing_action(
        request,
        code,
        TextForm,
        "text_form",
        lambda d, c: workflow.recheck_outgoing(d, by=request.user, text=c["text"]),
        "已复核。",
    )


@require_POST
def outgoing_number(request, code):
    return _outgoing_action(
        request, code, None, "", lambda d, c: workflow.number_outgoing(d, by=request.user), "已编号。"
    )


@require_POST
def outgoing_seal(request, code):
    return _outgoing_action(
        request, code, None, "", lambda d, c: workflow.confirm_sealed(d, by=request.user), "用印已确认。"
    )


@require_POST
def outgoing_issue(request, code):
    return _outgoing_action(
        request,
        code,
        IssueForm,
        "issue_form",
        lambda d, c: workflow.issue_outgoing(d, by=request.user, **c),
        "已印发。",
    )


@require_POST
def outgoing_archive(request, code):
    return _outgoing_action(
        request,
        code,
        ArchiveForm,
        "archive_form",
        lambda d, c: workflow.archive_outgoing(d, by=request.user, retention=c["retention"]),
        "已归档。",
    )


@require_POST
def outgoing_resubmit(request, code):
    return _outgoing_action(
        request,
        code,
        None,
        "",
        lambda d, c: workflow.resubmit_outgoing(d, by=request.user, body=request.FILES.get("body")),
        "已重新提交部门审核。",
    )


def outgoing_sheet(request, code):
    document = get_outgoing_for_user(request.user, code)
    audit.record("打印发文稿纸", by=request.user, obj=document)
    return pdf_response(pdf.draft_sheet(document), f"发文稿纸-{document.code}.pdf")


def outgoing_body(request, code):
    document = get_outgoing_for_user(request.user, code)
    services.record_secret_read(request.user, document)
    return FileResponse(
        document.body.open("rb"),
        as_attachment=True,
        filename=f"{document.title}{document.body.name[document.body.name.rfind('.') :]}",
    )


# --- Archive catalogue ---------------------------------------------------------------


def archive_catalogue(request):
    if not has_role(request.user, *OFFICE):
        raise PermissionDenied("只有办公室可以查看归档文件目录。")
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404("年度无效") from None
    fmt = request.GET.get("format")
    if fmt == "pdf":
        audit.record("导出归档文件目录", by=request.user, comment=f"{year}年 PDF")
        rows = pdf.catalogue_rows(request.user, year)
        return pdf_response(pdf.catalogue_pdf(rows, year), f"归档文件目录-{year}.pdf", inline=False)
    if fmt == "xlsx":
        audit.record("导出归档文件目录", by=request.user, comment=f"{year}年 Excel")
        return pdf.catalogue_xlsx(pdf.catalogue_rows(request.user, year), year)
    page = paginate(request, pdf.catalogue_entries(request.user, year), CATALOGUE_PAGE_SIZE)
    rows = pdf.catalogue_rows(request.user, year, entries=page.object_list)
    return render(
        request, "documents/archive_catalogue.html", {"rows": rows, "page": page, "year": year, "query": f"year={year}"}
    )
