from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Exists, OuterRef, Q
from django.http import FileResponse, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from township_office import audit
from township_office.actions import REFUSALS, error_message, run_action
from township_office.pagination import paginate
from township_office.pdf import pdf_response
from township_office.roles import Role, has_role
from township_office.workflow import TransitionNotAllowed

from . import pdf, services, workflow
from .forms import (
    AcceptForm,
    CloseForm,
    ContactForm,
    ExtensionForm,
    OpenCaseForm,
    RepresentativeFormSet,
    ReviewForm,
    TextForm,
)
from .models import Contact, DailyReport, PetitionCase
from .permissions import DESK, get_case_for_user, get_contact_for_user, sees_full_id, visible_cases, visible_contacts


def _mark_repeats(contacts):
    """Set ``is_repeat`` on each contact of a page: someone with the same ID number or phone came before.

    One query for the page's rows only; asked inside the list query, SQLite would answer it for every
    matching contact before sorting and keeping 30."""
    same_id = Contact.objects.filter(id_number=OuterRef("id_number"), received_at__lt=OuterRef("received_at"))
    same_phone = Contact.objects.filter(phone=OuterRef("phone"), received_at__lt=OuterRef("received_at"))
    repeats = set(
        Contact.objects.filter(pk__in=[c.pk for c in contacts])
        .filter((~Q(id_number="") & Exists(same_id)) | (~Q(phone="") & Exists(same_phone)))
        .values_list("pk", flat=True)
    )
    for contact in contacts:
        contact.is_repeat = contact.pk in repeats


def contact_list(request):
    contacts = visible_contacts(request.user)
    q = request.GET.get("q", "")
    contacts = services.search_contacts(contacts, q)
    channel = request.GET.get("channel", "")
    if channel in Contact.Channel.values:
        contacts = contacts.filter(channel=channel)
    page = paginate(request, contacts.select_related("received_by").order_by("-received_at", "-pk"), 30)
    page.object_list = list(page.object_list)
    _mark_repeats(page.object_list)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visitors/contact_list.html",
        {
            "page": page,
            "q": q,
            "channel": channel,
            "channels": Contact.Channel.choices,
            "query": query.urlencode(),
            "can_register": has_role(request.user, *DESK),
        },
    )


def contact_register(request):
    if not has_role(request.user, *DESK):
        raise PermissionDenied("只有信访接待员可以登记来访。")
    form = ContactForm(request.POST or None, initial={"received_at": timezone.localtime()})
    reps = RepresentativeFormSet(request.POST or None, prefix="reps")
    if request.method == "POST" and form.is_valid() and reps.is_valid():
        data = {
            k: v
            for k, v in form.cleaned_data.items()
            if k not in ("outcome", "answer", "petition_type", "accused_department", "accused_person")
        }
        try:
            with transaction.atomic():
                contact = workflow.register_contact(
                    by=request.user, data=data, representatives=[r for r in reps.cleaned_data if r]
                )
                outcome = form.cleaned_data["outcome"]
                if outcome == "answer":
                    workflow.answer_on_the_spot(contact, by=request.user, answer=form.cleaned_data["answer"])
                elif outcome == "case":
                    case = workflow.open_case(
                        contact,
                        by=request.user,
                        petition_type=form.cleaned_data["petition_type"],
                        accused_department=form.cleaned_data["accused_department"],
                        accused_person=form.cleaned_data["accused_person"],
                    )
        except ValidationError as error:
            form.add_error(None, error_message(error))
        else:
            if outcome == "case":
                messages.success(request, f"已登记并立为信访事项 {case.number}。")
                return redirect(case)
            messages.success(request, "已登记。" if outcome == "register" else "已登记并当场答复办结。")
            return redirect(contact)
    return render(request, "visitors/contact_form.html", {"form": form, "reps": reps})


def _contact_page(request, contact, show_full=False, status=200, **extra):
    earlier = workflow.earlier_contacts(contact)
    context = {
        "c": contact,
        "reps": contact.representatives.all(),
        "show_full": show_full,
        "can_see_full": sees_full_id(request.user),
        "earlier": visible_contacts(request.user)
        .filter(pk__in=earlier.values("pk"))
        .prefetch_related("cases")
        .order_by("-received_at")[:20],
        "cases": contact.cases.all(),
        "events": audit.history(contact),
        "can_act": has_role(request.user, *DESK) and contact.status == Contact.Status.OPEN,
        "answer_form": TextForm(),
        "case_form": OpenCaseForm(),
    }
    context.update(extra)
    return render(request, "visitors/contact_detail.html", context, status=status)


def contact_detail(request, code):
    return _contact_page(request, get_contact_for_user(request.user, code))


@require_POST
def contact_reveal(request, code):
    """Show the full ID number: front desk and office director only, each viewing audited."""
    contact = get_contact_for_user(request.user, code)
    if not sees_full_id(request.user):
        raise PermissionDenied("您无权查看完整身份证号。")
    audit.record("查看完整身份证号", by=request.user, obj=contact, comment=contact.masked_id)
    return _contact_page(request, contact, show_full=True)


@require_POST
def contact_answer(request, code):
    contact = get_contact_for_user(request.user, code)
    form = TextForm(request.POST)
    if form.is_valid():
        try:
            workflow.answer_on_the_spot(contact, by=request.user, answer=form.cleaned_data["text"])
        except REFUSALS as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, "已当场答复办结。")
            return redirect(contact)
    return _contact_page(request, contact, status=400, answer_form=form)


@require_POST
def contact_open_case(request, code):
    contact = get_contact_for_user(request.user, code)
    form = OpenCaseForm(request.POST)
    if form.is_valid():
        try:
            case = workflow.open_case(contact, by=request.user, **form.cleaned_data)
        except REFUSALS as error:
            form.add_error(None, error_message(error))
        else:
            messages.success(request, f"已立为信访事项 {case.number}。")
            return redirect(case)
    contact.refresh_from_db()
    return _contact_page(request, contact, status=400, case_form=form)


def contact_form_pdf(request, code):
    contact = get_contact_for_user(request.user, code)
    full = sees_full_id(request.user)
    if full:
        audit.record("打印来访登记表（含完整身份证号）", by=request.user, obj=contact)
    return pdf_response(pdf.visit_form(contact, full_id=full), f"来访登记表-{contact.received_at:%Y%m%d}.pdf")


# --- Cases ------------------------------------------------------------------------------


def case_list(request):
    cases = visible_cases(request.user).select_related("contact", "lead_department")
    q = request.GET.get("q", "").strip()
    if q:
        # per case, so that a common surname finds the first page without listing every matching contact
        contact = Contact.objects.filter(pk=OuterRef("contact_id"))
        cases = cases.filter(Exists(services.search_contacts(contact, q)))
    status = request.GET.get("status", "")
    if status in PetitionCase.Status.values:
        cases = cases.filter(status=status)
    if request.GET.get("format") in ("csv", "xlsx"):
        if not has_role(request.user, Role.OFFICE_DIRECTOR, Role.FRONT_DESK):
            raise PermissionDenied("只有办公室可以导出信访事项。")
        audit.record("导出信访事项", by=request.user, comment=request.GET["format"])
        if request.GET["format"] == "csv":
            response = HttpResponse(services.export_csv(cases), content_type="text/csv; charset=utf-8")
            response["Content-Disposition"] = content_disposition_header(True, "信访事项.csv")
        else:
            response = HttpResponse(
                services.export_xlsx(cases),
                content_type=("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"),
            )
            response["Content-Disposition"] = content_disposition_header(True, "信访事项.xlsx")
        return response
    page = paginate(request, cases.order_by("-year", "-serial"), 30)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "visitors/case_list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "statuses": PetitionCase.Status.choices,
            "query": query.urlencode(),
            "today": timezone.localdate(),
            "can_export": has_role(request.user, *DESK),
        },
    )


def _case_page(request, case, status=200, **extra):
    from township_office import permissions

    user = request.user
    s = PetitionCase.Status
    context = {
        "case": case,
        "contact": case.contact,
        "progress": case.progress.select_related("author", "department"),
        "supports": case.support_departments.all(),
        "events": audit.history(case),
        "earlier": workflow.earlier_contacts(case.contact).count(),
        "is_director": has_role(user, Role.OFFICE_DIRECTOR),
        "is_desk": has_role(user, *DESK),
        "can_instruct": case.status == s.INSTRUCTING and permissions.has_grant(user, case, "instruct"),
        "can_approve_extension": case.status == s.HANDLING
        and case.extension_requested_days
        and not case.extension_days
        and permissions.has_grant(user, case, "instruct"),
        "can_handle": case.status == s.HANDLING
        and has_role(user, Role.DEPARTMENT_STAFF)
        and permissions.has_grant(user, case, "handle"),
        "accept_form": AcceptForm(),
        "text_form": TextForm(),
        "extension_form": ExtensionForm(),
        "close_form": CloseForm(),
        "review_form": ReviewForm(initial={"requested_on": timezone.localdate()}),
        "today": timezone.localdate(),
    }
    context.update(extra)
    return render(request, "visitors/case_detail.html", context, status=status)


def case_detail(request, code):
    return _case_page(request, get_case_for_user(request.user, code))


def _case_action(request, code, form, run, success, form_name):
    case = get_case_for_user(request.user, code)
    return run_action(
        request,
        case,
        lambda data: run(case, data),
        success=success,
        form=form,
        rerender=lambda form: _case_page(
            request, case, status=400, **{form_name: form, "open_form": form_name, "refused": form}
        ),
    )


@require_POST
def case_accept(request, code):
    return _case_action(
        request,
        code,
        AcceptForm(request.POST),
        lambda c, d: workflow.accept(c, by=request.user, **d),
        "已受理并交办。",
        "accept_form",
    )


@require_POST
def case_decline(request, code):
    return _case_action(
        request,
        code,
        TextForm(request.POST),
        lambda c, d: workflow.decline(c, by=request.user, notice_text=d["text"]),
        "已决定不予受理。",
        "text_form",
    )


@require_POST
def case_instruct(request, code):
    return _case_action(
        request,
        code,
        TextForm(request.POST),
        lambda c, d: workflow.instruct(c, by=request.user, text=d["text"]),
        "批示已提交。",
        "text_form",
    )


@require_POST
def case_progress(request, code):
    return _case_action(
        request,
        code,
        TextForm(request.POST),
        lambda c, d: workflow.report_progress(c, by=request.user, text=d["text"]),
        "进展已报告。",
        "text_form",
    )


@require_POST
def case_extension(request, code):
    return _case_action(
        request,
        code,
        ExtensionForm(request.POST),
        lambda c, d: workflow.request_extension(c, by=request.user, **d),
        "延期申请已提交。",
        "extension_form",
    )


@require_POST
def case_extension_approve(request, code):
    case = get_case_for_user(request.user, code)
    try:
        workflow.approve_extension(case, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, "已批准延期。")
    return redirect(case)


@require_POST
def case_report_up(request, code):
    return _case_action(
        request,
        code,
        TextForm(request.POST),
        lambda c, d: workflow.report_up(c, by=request.user, text=d["text"]),
        "已记录向上级报告。",
        "text_form",
    )


@require_POST
def case_reply(request, code):
    return _case_action(
        request,
        code,
        TextForm(request.POST),
        lambda c, d: workflow.reply(c, by=request.user, text=d["text"]),
        "已书面答复信访人。",
        "text_form",
    )


@require_POST
def case_close(request, code):
    return _case_action(
        request,
        code,
        CloseForm(request.POST),
        lambda c, d: workflow.close(c, by=request.user, satisfaction=d["satisfaction"]),
        "已办结。",
        "close_form",
    )


@require_POST
def case_review(request, code):
    return _case_action(
        request,
        code,
        ReviewForm(request.POST),
        lambda c, d: workflow.record_review_request(c, by=request.user, **d),
        "已登记复查（复核）申请。",
        "review_form",
    )


def case_assignment_pdf(request, code):
    case = get_case_for_user(request.user, code)
    return pdf_response(pdf.assignment_sheet(case), f"信访事项交办单-{case.year}-{case.serial}.pdf")


def case_reply_pdf(request, code):
    case = get_case_for_user(request.user, code)
    return pdf_response(pdf.reply_letter(case), f"答复意见书-{case.year}-{case.serial}.pdf")


# --- Daily report ---------------------------------------------------------------------------


REPORT_READERS = (Role.PRINCIPAL_LEADER, Role.OFFICE_DIRECTOR)


# The page lists the most pressing files of each section; the PDF and the 收文 list have them all.
REPORT_PAGE_LINES = 50


def daily_report(request):
    if not has_role(request.user, *REPORT_READERS):
        raise PermissionDenied("每日汇报供主要领导和办公室主任查阅。")
    report = services.daily_report(readers=[request.user], viewer=request.user, limit=REPORT_PAGE_LINES)
    return render(request, "visitors/daily_report.html", {"r": report, "archive": DailyReport.objects.all()[:14]})


def daily_report_pdf(request, pk):
    if not has_role(request.user, *REPORT_READERS):
        raise PermissionDenied("每日汇报供主要领导和办公室主任查阅。")
    report = get_object_or_404(DailyReport, pk=pk)
    return FileResponse(
        report.file.open("rb"), content_type="application/pdf", filename=f"每日汇报-{report.date:%Y%m%d}.pdf"
    )
