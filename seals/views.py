import re

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Prefetch, Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.utils import timezone

from township_office import audit, search, steps, uploads
from township_office.actions import step_view
from township_office.pagination import CappedPaginator
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

MAX_PAGE = 10000  # ?page= past this is read as the last page counted (a huge number would overflow SQL LIMIT)


def paginate(request, rows, per_page):
    """The core's capped paging, with ``?page=`` read safely (any text, any size)."""
    raw = request.GET.get("page") or "1"
    number = int(raw) if raw.isascii() and raw.isdigit() and len(raw) <= 6 else 1
    number = min(max(number, 1), MAX_PAGE)
    return CappedPaginator(rows, per_page, number=number).get_page(number)


def request_list(request):
    form = RequestFilterForm(request.GET or None)
    rows = visible_requests(request.user).select_related("applicant", "department")
    if form.is_valid():
        if form.cleaned_data["q"]:
            q = form.cleaned_data["q"]
            rows = search.matching(rows, q, ["title", "recipient"], extra=_serial_match(q))
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
    page = paginate(request, rows.order_by("-created_at", "-pk"), 30)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "seals/request_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "starts": steps.starts(request.user, workflow.requests),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def _serial_match(q):
    """用印〔2026〕5号, 2026-5 or 5: the number's digits (the last one the serial, a four-digit one the year)."""
    digits = [int(d) for d in re.findall(r"\d{1,9}", q)]
    if not digits:
        return Q(pk__in=[])
    match = Q(serial=digits[-1])
    years = [d for d in digits[:-1] if 1900 < d < 3000]
    return match & Q(year=years[0]) if years else match


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
    form = RegisterMonthForm(data)
    if not form.is_valid():
        return render(request, "seals/register.html", {"form": form, "page": None}, status=400)
    month = form.cleaned_data["month"]
    entries = (
        Stamping.objects.filter(workflow.month_range(month.year, month.month))
        .select_related("seal", "request__department", "request__applicant", "custodian")
        .prefetch_related(
            Prefetch("request__steps", queryset=ApprovalStep.objects.select_related("decided_by").order_by("order"))
        )
    )
    ok, broken, count = workflow.verify_month(month.year, month.month)
    if request.GET.get("format") == "pdf":
        audit.record("打印用印登记簿", by=request.user, comment=f"{month:%Y年%m月}")
        return pdf_response(pdf.monthly_register(list(entries), month, ok, broken), f"用印登记簿-{month:%Y-%m}.pdf")
    page = paginate(request, entries, 50)
    return render(
        request,
        "seals/register.html",
        {
            "form": form,
            "page": page,
            "month": month,
            "ok": ok,
            "broken": broken,
            "count": count,
            "query": f"month={month:%Y-%m}",
        },
    )


# --- Introduction letters ---------------------------------------------------------------


def letter_list(request):
    form = LetterFilterForm(request.GET or None)
    rows = visible_letters(request.user).select_related("department", "applicant")
    if form.is_valid():
        if q := form.cleaned_data["q"]:
            rows = search.matching(rows, q, ["recipient_unit", "persons", "purpose"], extra=_serial_match(q))
        if form.cleaned_data["status"]:
            rows = rows.filter(status=form.cleaned_data["status"])
    page = paginate(request, rows.order_by("-year", "-serial"), 30)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "seals/letter_list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "starts": steps.starts(request.user, workflow.letters),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


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
