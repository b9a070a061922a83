from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from township_office import audit, steps, uploads
from township_office.actions import step_view
from township_office.listing import Listing
from township_office.pdf import pdf_response
from township_office.roles import Role, has_role

from . import pdf, workflow
from .forms import LetterFilterForm, LetterForm, RegisterMonthForm, RequestFilterForm, SealRequestForm
from .models import ApprovalStep, Stamping
from .permissions import (
    REGISTER_ROLES,
    get_letter_for_user,
    get_request_for_user,
    visible_letters,
    visible_requests,
)


def request_list(request):
    rows = visible_requests(request.user).select_related("applicant", "department")
    listing = Listing(request, RequestFilterForm, rows, order=("-created_at", "-pk"))
    return listing.render("seals/request_list.html", {"starts": steps.starts(request.user, workflow.requests)})


def request_create(request):
    """申请用印: 保存草稿 keeps it for later (only the applicant sees it); 提交申请 saves and submits at once."""
    workflow.requests.start.require(request.user)
    initial = {k: request.GET[k][:200] for k in ("title", "use_type", "link_type", "link_code") if k in request.GET}
    form = SealRequestForm(request.POST or None, request.FILES or None, initial=initial)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            draft_only = request.POST.get("action") == "draft"
            try:
                with transaction.atomic():
                    seal_request = workflow.save_draft(
                        by=request.user,
                        data=form.draft_data(),
                        seals=list(form.cleaned_data["seals"]),
                        document=form.new_document(),
                    )
                    if not draft_only:
                        workflow.submit(seal_request, by=request.user)
            except (steps.Refused, ValidationError) as error:
                form.add_error(None, steps.refusal_message(error))
            else:
                if draft_only:
                    messages.success(request, "草稿已保存，可在“我发起的”中找到，修改后再提交。")
                else:
                    messages.success(request, f"用印申请 {seal_request.number} 已提交。")
                return redirect(seal_request)
    return render(request, "seals/request_form.html", {"form": form}, status=status)


def shows_fingerprint(user):
    """Leaders read the file, not its hash: the fingerprint is for the seal keeper and the office, on the page and
    on the printed 用印审批单 alike."""
    return has_role(user, Role.OFFICE_DIRECTOR, Role.SEAL_KEEPER)


def request_page(request, seal_request, *, bound=None, refusal=None, status=200):
    """The request's page: its data, the approval chain, the register entries, and the steps the person may take."""
    user = request.user
    approvals = seal_request.steps.select_related("decided_by").prefetch_related("approvers")
    context = {
        "r": seal_request,
        "approvals": approvals,
        "seals": seal_request.seals.all(),
        "stampings": seal_request.stampings.select_related("seal", "custodian"),
        "events": audit.history(seal_request),
        "show_fingerprint": shows_fingerprint(user),
        **steps.page_context(workflow.requests, seal_request, user, bound=bound, refusal=refusal),
    }
    return render(request, "seals/request_detail.html", context, status=status)


def request_detail(request, code):
    return request_page(request, get_request_for_user(request.user, code))


request_step = step_view(workflow.requests, get_request_for_user, request_page)


def request_form_pdf(request, code):
    seal_request = get_request_for_user(request.user, code)
    name = f"{seal_request.year}-{seal_request.serial}" if seal_request.serial else "草稿"
    content = pdf.approval_form(seal_request, show_fingerprint=shows_fingerprint(request.user))
    return pdf_response(content, f"用印审批单-{name}.pdf")


def request_document(request, code):
    seal_request = get_request_for_user(request.user, code)
    if not seal_request.document:
        raise Http404("该申请尚未上传文件")
    return uploads.serve(request, seal_request.document)


def register(request):
    if not has_role(request.user, *REGISTER_ROLES):
        raise PermissionDenied("只有印章管理员和办公室主任可以查看用印登记簿。")
    data = request.GET.copy()
    if not data.get("month"):
        data["month"] = timezone.localdate().strftime("%Y-%m")  # the picker shows the month on the page
    entries = Stamping.objects.select_related(
        "seal", "request__department", "request__applicant", "custodian"
    ).prefetch_related(
        Prefetch("request__steps", queryset=ApprovalStep.objects.select_related("decided_by").order_by("order"))
    )
    listing = Listing(request, RegisterMonthForm, entries, order=("seq",), per_page=50, data=data)
    if not listing.valid:
        return render(request, "seals/register.html", {"form": listing.form, "page": None}, status=400)
    month = listing.data["month"]
    ok, broken, count = workflow.verify_month(month.year, month.month)
    if listing.data["format"] == "pdf":
        audit.record("打印用印登记簿", by=request.user, comment=f"{month:%Y年%m月}")
        content = pdf.monthly_register(list(listing.rows), month, ok, broken)
        return pdf_response(content, f"用印登记簿-{month:%Y-%m}.pdf")
    context = {"month": month, "ok": ok, "broken": broken, "count": count, "query": f"month={month:%Y-%m}"}
    return render(request, "seals/register.html", listing.context() | context)


# --- Introduction letters ---------------------------------------------------------------


def letter_list(request):
    rows = visible_letters(request.user).select_related("department", "applicant")
    listing = Listing(request, LetterFilterForm, rows, order=("-year", "-serial"))
    return listing.render("seals/letter_list.html", {"starts": steps.starts(request.user, workflow.letters)})


def letter_create(request):
    workflow.letters.start.require(request.user)
    form = LetterForm(request.POST or None)
    status = 200
    if request.method == "POST":
        status = 400
        if form.is_valid():
            try:
                letter = workflow.apply_letter(by=request.user, data=form.cleaned_data)
            except (steps.Refused, ValidationError) as error:
                form.add_error(None, steps.refusal_message(error))
            else:
                messages.success(request, f"介绍信 {letter.number} 已提交审批。")
                return redirect(letter)
    return render(request, "seals/letter_form.html", {"form": form}, status=status)


def letter_page(request, letter, *, bound=None, refusal=None, status=200):
    context = {
        "letter": letter,
        "events": audit.history(letter),
        **steps.page_context(workflow.letters, letter, request.user, bound=bound, refusal=refusal),
    }
    return render(request, "seals/letter_detail.html", context, status=status)


def letter_detail(request, code):
    return letter_page(request, get_letter_for_user(request.user, code))


letter_step = step_view(workflow.letters, get_letter_for_user, letter_page)


def letter_pdf(request, code):
    letter = get_letter_for_user(request.user, code)
    if not letter.printable:
        raise PermissionDenied("介绍信批准后才能打印。")
    audit.record("打印介绍信", by=request.user, obj=letter)
    return pdf_response(pdf.introduction_letter(letter), f"介绍信-{letter.year}-{letter.serial}.pdf")
