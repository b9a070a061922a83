import re
from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from township_office import audit, search
from township_office.actions import REFUSALS, error_message, run_action
from township_office.pagination import paginate
from township_office.pdf import pdf_response
from township_office.roles import Role, has_role

from . import pdf, workflow
from .forms import DecisionForm, LetterFilterForm, LetterForm, RequestFilterForm, SealRequestForm, StampForm, VoidForm
from .models import SealRequest, Stamping
from .permissions import (
    APPLICANT_ROLES,
    REGISTER_ROLES,
    get_letter_for_user,
    get_request_for_user,
    visible_letters,
    visible_requests,
)


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
            "can_apply": has_role(request.user, *APPLICANT_ROLES),
        },
    )


def _serial_match(q):
    """用印〔2026〕5号, 2026-5 or 5: the number's digits (the last one the serial, a four-digit one the year)."""
    digits = [int(d) for d in re.findall(r"\d+", q)]
    if not digits:
        return Q(pk__in=[])
    match = Q(serial=digits[-1])
    years = [d for d in digits[:-1] if 1900 < d < 3000]
    return match & Q(year=years[0]) if years else match


def request_create(request):
    if not has_role(request.user, *APPLICANT_ROLES):
        raise PermissionDenied("只有站所室经办人或文书可以申请用印。")
    initial = {k: request.GET[k] for k in ("title", "use_type", "link_type", "link_code") if k in request.GET}
    form = SealRequestForm(request.POST or None, request.FILES or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k not in ("seals", "document", "link_type", "link_code")}
        data["linked_object_type"] = form.cleaned_data["link_type"][:60]
        data["linked_object_code"] = form.cleaned_data["link_code"][:64]
        try:
            seal_request = workflow.submit_request(
                by=request.user, data=data, seals=form.cleaned_data["seals"], document=form.cleaned_data["document"]
            )
        except ValidationError as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, f"用印申请 {seal_request.number} 已提交。")
            return redirect(seal_request)
    return render(request, "seals/request_form.html", {"form": form})


def _request_context(request, seal_request, **bound):
    user = request.user
    step = workflow.current_step(seal_request) if seal_request.status == SealRequest.Status.PENDING else None
    can_decide = bool(step and step.approvers.filter(pk=user.pk).exists())
    is_custodian = seal_request.seals.filter(custodians=user).exists()
    can_stamp = seal_request.status == SealRequest.Status.APPROVED and is_custodian
    context = {
        "r": seal_request,
        "steps": seal_request.steps.select_related("decided_by").prefetch_related("approvers"),
        "seals": seal_request.seals.all(),
        "stampings": seal_request.stampings.select_related("seal", "custodian"),
        "events": audit.history(seal_request),
        "can_decide": can_decide,
        "current_step": step,
        "can_stamp": can_stamp,
        "is_custodian": is_custodian,
        "decision_form": DecisionForm(),
        "stamp_form": StampForm(request=seal_request, user=user) if can_stamp else None,
    }
    context.update(bound)
    return context


def request_detail(request, code):
    seal_request = get_request_for_user(request.user, code)
    return render(request, "seals/request_detail.html", _request_context(request, seal_request))


def _act(request, code, form, run, success, form_name):
    seal_request = get_request_for_user(request.user, code)

    def rerender(form):
        context = _request_context(request, seal_request, **{form_name: form})
        return render(request, "seals/request_detail.html", context, status=400)

    return run_action(
        request, seal_request, lambda data: run(seal_request, data), success=success, rerender=rerender, form=form
    )


@require_POST
def request_decide(request, code):
    return _act(
        request,
        code,
        DecisionForm(request.POST),
        lambda r, c: workflow.decide(r, by=request.user, approve=c["decision"] == "approve", comment=c["comment"]),
        "审批意见已提交。",
        "decision_form",
    )


@require_POST
def request_stamp(request, code):
    seal_request = get_request_for_user(request.user, code)
    form = StampForm(request.POST, request=seal_request, user=request.user)
    return _act(
        request,
        code,
        form,
        lambda r, c: workflow.stamp(r, by=request.user, seal=c["seal"], copies=c["copies"]),
        "用印已登记。",
        "stamp_form",
    )


@require_POST
def request_take_out(request, code):
    return _act(request, code, None, lambda r, c: workflow.take_out(r, by=request.user), "已登记带出。", "")


@require_POST
def request_return(request, code):
    return _act(request, code, None, lambda r, c: workflow.sign_back_in(r, by=request.user), "已登记归还。", "")


def request_form_pdf(request, code):
    seal_request = get_request_for_user(request.user, code)
    return pdf_response(pdf.approval_form(seal_request), f"用印审批单-{seal_request.year}-{seal_request.serial}.pdf")


def request_document(request, code):
    seal_request = get_request_for_user(request.user, code)
    name = seal_request.document.name.rsplit("/", 1)[-1]
    return FileResponse(seal_request.document.open("rb"), as_attachment=True, filename=name)


def register(request):
    if not has_role(request.user, *REGISTER_ROLES):
        raise PermissionDenied("只有印章管理员和办公室主任可以查看用印登记簿。")
    month = _month(request)
    entries = Stamping.objects.filter(workflow.month_range(month.year, month.month)).select_related(
        "seal", "request__department", "request__applicant", "custodian"
    )
    ok, broken, count = workflow.verify_month(month.year, month.month)
    if request.GET.get("format") == "pdf":
        audit.record("打印用印登记簿", by=request.user, comment=f"{month:%Y年%m月}")
        return pdf_response(pdf.monthly_register(list(entries), month, ok, broken), f"用印登记簿-{month:%Y-%m}.pdf")
    page = paginate(request, entries, 50)
    return render(
        request,
        "seals/register.html",
        {"page": page, "month": month, "ok": ok, "broken": broken, "count": count, "query": f"month={month:%Y-%m}"},
    )


def _month(request):
    raw = request.GET.get("month") or timezone.localdate().strftime("%Y-%m")
    try:
        year, month = (int(x) for x in raw.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise Http404("月份无效") from None


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
            "can_apply": has_role(request.user, *APPLICANT_ROLES),
        },
    )


def letter_create(request):
    if not has_role(request.user, *APPLICANT_ROLES):
        raise PermissionDenied("只有站所室经办人或文书可以申请介绍信。")
    form = LetterForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            letter = workflow.apply_letter(by=request.user, data=form.cleaned_data)
        except ValidationError as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, f"介绍信 {letter.number} 已提交审批。")
            return redirect(letter)
    return render(request, "seals/letter_form.html", {"form": form})


def _letter_page(request, letter, status=200, **bound):
    from township_office import permissions

    context = {
        "letter": letter,
        "events": audit.history(letter),
        "can_decide": letter.status == letter.Status.PENDING and permissions.has_grant(request.user, letter, "approve"),
        "can_void": letter.status in (letter.Status.PENDING, letter.Status.APPROVED)
        and (letter.applicant_id == request.user.pk or has_role(request.user, Role.OFFICE_DIRECTOR, Role.SEAL_KEEPER)),
        "decision_form": DecisionForm(),
        "void_form": VoidForm(),
    }
    context.update(bound)
    return render(request, "seals/letter_detail.html", context, status=status)


def letter_detail(request, code):
    return _letter_page(request, get_letter_for_user(request.user, code))


@require_POST
def letter_decide(request, code):
    letter = get_letter_for_user(request.user, code)
    form = DecisionForm(request.POST)
    if form.is_valid():
        try:
            workflow.decide_letter(
                letter,
                by=request.user,
                approve=form.cleaned_data["decision"] == "approve",
                comment=form.cleaned_data["comment"],
            )
        except REFUSALS as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, "审批意见已提交。")
            return redirect(letter)
    return _letter_page(request, letter, status=400, decision_form=form)


@require_POST
def letter_void(request, code):
    letter = get_letter_for_user(request.user, code)
    form = VoidForm(request.POST)
    if form.is_valid():
        try:
            workflow.void_letter(letter, by=request.user, reason=form.cleaned_data["reason"])
        except REFUSALS as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, "介绍信已作废，编号保留。")
            return redirect(letter)
    return _letter_page(request, letter, status=400, void_form=form)


def letter_pdf(request, code):
    letter = get_letter_for_user(request.user, code)
    if letter.status not in (letter.Status.APPROVED, letter.Status.VOID):
        raise PermissionDenied("介绍信批准后才能打印。")
    audit.record("打印介绍信", by=request.user, obj=letter)
    return pdf_response(pdf.introduction_letter(letter), f"介绍信-{letter.year}-{letter.serial}.pdf")
