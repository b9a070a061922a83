from django.conf import settings
from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Exists, OuterRef, Prefetch, Q
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from township_office import audit, exports, steps, uploads
from township_office.actions import REFUSALS, error_message, step_view
from township_office.listing import Listing
from township_office.pdf import pdf_response
from township_office.roles import Role, has_role

from . import daily, pdf, rules, services, workflow
from .forms import (
    CaseFilterForm,
    ContactFilterForm,
    LetterForm,
    RepresentativeFormSet,
    VisitForm,
    check_representatives,
)
from .models import Contact, DailyReport, PetitionCase
from .permissions import DESK, get_case_for_user, get_contact_for_user, sees_full_id, visible_cases, visible_contacts


def _mark_repeats(contacts):
    """Set ``is_repeat`` on each contact of a page: someone with the same ID number or phone came before.

    One query for the page's rows only; asked inside the list query, SQLite would answer it for every
    matching contact before sorting and keeping 30."""
    submitted = ~Q(status=Contact.Status.DRAFT)
    same_id = Contact.objects.filter(
        submitted, id_number=OuterRef("id_number"), received_at__lt=OuterRef("received_at")
    )
    same_phone = Contact.objects.filter(submitted, phone=OuterRef("phone"), received_at__lt=OuterRef("received_at"))
    repeats = set(
        Contact.objects.filter(pk__in=[c.pk for c in contacts])
        .filter((~Q(id_number="") & Exists(same_id)) | (~Q(phone="") & Exists(same_phone)))
        .values_list("pk", flat=True)
    )
    for contact in contacts:
        contact.is_repeat = contact.pk in repeats


def contact_list(request):
    rows = visible_contacts(request.user).select_related("received_by")
    listing = Listing(request, ContactFilterForm, rows, order=("-received_at", "-pk"))
    page = listing.page
    page.object_list = list(page.object_list)
    _mark_repeats(page.object_list)
    return listing.render("visitors/contact_list.html", {"starts": steps.starts(request.user, workflow.contacts)})


def _outcome(contact, form, user):
    """What the front desk chose to do with a registration as it is submitted."""
    outcome = form.cleaned_data.get("outcome")
    if outcome == "answer":
        workflow.answer(contact, by=user, answer=form.cleaned_data["answer"])
    elif outcome == "case":
        return workflow.open_case(
            contact,
            by=user,
            petition_type=form.cleaned_data["petition_type"],
            accused_department=form.cleaned_data["accused_department"],
            accused_person=form.cleaned_data["accused_person"],
        )
    return None


def _registration(request, contact=None, *, letter=False):
    """登记 (new) or 修改草稿 (``contact``): 保存草稿 keeps it as a draft, 提交 registers it at once. A 来信 (``letter``,
    or a letter's draft) has its own form: no 集体访代表, the postmark and the scan, which is held for the session
    when the form comes back with an error (``uploads.hold``) and offered again."""
    letter = letter or (contact is not None and contact.channel == Contact.Channel.LETTER)
    form_class = LetterForm if letter else VisitForm
    draft = request.POST.get("action") == "draft"
    if contact is None:
        initial = {"received_at": timezone.localtime()}
        reps_initial = None
    else:
        initial = {name: getattr(contact, name) for name in form_class.Meta.fields}
        initial["received_at"] = timezone.localtime(contact.received_at)
        reps_initial = list(contact.representatives.values("name", "id_number", "phone"))
    data = request.POST if request.method == "POST" else None
    held = uploads.held(request, request.POST.getlist("held")[:1]) if letter and data is not None else []
    if letter:
        has_scan = bool(held) or bool(contact is not None and contact.letter_scan)
        form = LetterForm(data, request.FILES or None, initial=initial, draft=draft, has_scan=has_scan)
        reps = None
    else:
        form = VisitForm(data, initial=initial, draft=draft)
        reps = RepresentativeFormSet(data, prefix="reps", initial=reps_initial)
    status = 200
    if request.method == "POST":
        if reps is not None:
            check_representatives(form, reps, draft=draft)
        if form.is_valid() and (reps is None or reps.is_valid()):
            values = form.contact_data()
            scan = form.cleaned_data.get("letter_scan") if letter else None
            if letter and (scan or held):
                values["letter_scan"] = scan or held[0]["file"]
            representatives = reps.rows() if reps is not None else []
            try:
                with transaction.atomic():
                    if contact is None:
                        contact = workflow.register_contact(
                            by=request.user, data=values, representatives=representatives, draft=draft
                        )
                    elif draft:
                        workflow.save_draft(contact, by=request.user, data=values, representatives=representatives)
                    else:
                        workflow.submit(contact, by=request.user, data=values, representatives=representatives)
                    case = None if draft else _outcome(contact, form, request.user)
            except REFUSALS as error:
                form.add_error(None, error_message(error))
                if contact is not None and contact.pk:
                    contact.refresh_from_db()
                status = 400
            else:
                for h in held:
                    h["file"].close()
                uploads.release(request, [h["token"] for h in held])
                if draft:
                    messages.success(request, "草稿已保存，可在“我发起的”中找到并继续填写。")
                elif case is not None:
                    messages.success(request, f"已登记并立为信访事项 {case.number}。")
                    return redirect(case)
                else:
                    messages.success(request, "已登记并当场答复办结。" if contact.answer else "已登记。")
                return redirect(contact)
        else:
            status = 400
        if letter and form.valid_scan():  # a scan chosen anew replaces the one held
            for h in held:
                h["file"].close()
            uploads.release(request, [h["token"] for h in held])
            held = uploads.hold(request, [form.valid_scan()])
    template = "visitors/letter_form.html" if letter else "visitors/contact_form.html"
    context = {"form": form, "reps": reps, "contact": contact, "held": held}
    return render(request, template, context, status=status)


def contact_register(request):
    workflow.contacts.start.require(request.user)
    return _registration(request)


def letter_register(request):
    """登记来信: the letter's own form."""
    workflow.contacts.start.require(request.user)
    return _registration(request, letter=True)


def contact_edit(request, code):
    """The draft's own page for its person: change it, save it again, or submit it."""
    contact = get_contact_for_user(request.user, code)
    refusal = workflow.contacts.refusal(workflow.save_draft.step, contact, request.user)
    if refusal is not None:
        if request.method == "POST" or refusal.forbidden:
            return contact_page(request, contact, refusal=refusal.message, status=steps.refusal_status(refusal))
        return redirect(contact)
    return _registration(request, contact)


def contact_letter_scan(request, code):
    """The scan of a 来信, through the same access check as the contact's page (a stranger gets 404)."""
    contact = get_contact_for_user(request.user, code)
    if not contact.letter_scan:
        raise Http404("未上传来信扫描件")
    return uploads.serve(request, contact.letter_scan, as_attachment=False)


def contact_page(request, contact, *, bound=None, refusal=None, status=200, show_full=False):
    earlier = workflow.earlier_contacts(contact)
    context = steps.page_context(workflow.contacts, contact, request.user, bound=bound, refusal=refusal)
    # 修改草稿 is its own page (the whole registration form), not a form in the panel
    editable = [s for s in context["steps"] if s.name == "save_draft"]
    context["steps"] = [s for s in context["steps"] if s.name != "save_draft"]
    context.update(
        {
            "c": contact,
            "reps": contact.representatives.all(),
            "show_full": show_full,
            "can_see_full": sees_full_id(request.user),
            "edit_url": editable and contact.get_edit_url(),
            "earlier": visible_contacts(request.user)
            .filter(pk__in=earlier.values("pk"))
            .prefetch_related(Prefetch("cases", queryset=visible_cases(request.user)))
            .order_by("-received_at")[:20],
            "cases": visible_cases(request.user).filter(contact=contact),
            "events": audit.history(contact),
        }
    )
    return render(request, "visitors/contact_detail.html", context, status=status)


def contact_detail(request, code):
    return contact_page(request, get_contact_for_user(request.user, code))


contact_step = step_view(workflow.contacts, get_contact_for_user, contact_page)


@require_POST
def contact_reveal(request, code):
    """Show the full ID number: front desk and office director only, each viewing audited."""
    contact = get_contact_for_user(request.user, code)
    if not sees_full_id(request.user):
        raise PermissionDenied("您无权查看完整身份证号。")
    audit.record("查看完整身份证号", by=request.user, obj=contact, comment=contact.masked_id)
    return contact_page(request, contact, show_full=True)


def contact_form_pdf(request, code):
    contact = get_contact_for_user(request.user, code)
    full = sees_full_id(request.user)
    if full:
        audit.record("打印来访登记表（含完整身份证号）", by=request.user, obj=contact)
    return pdf_response(pdf.visit_form(contact, full_id=full), f"来访登记表-{contact.received_at:%Y%m%d}.pdf")


# --- Cases ------------------------------------------------------------------------------


def case_list(request):
    rows = visible_cases(request.user).select_related("contact", "lead_department")
    listing = Listing(request, CaseFilterForm, rows, order=("-year", "-serial"))
    if fmt := listing.data.get("format"):
        if not has_role(request.user, *DESK):
            raise PermissionDenied("只有办公室可以导出信访事项。")
        return exports.export(
            request,
            fmt=fmt,
            name="信访事项",
            sheet="信访事项",
            header=services.EXPORT_HEADER,
            rows=services.export_rows(listing.rows),
            action="导出信访事项",
        )
    context = {"today": timezone.localdate(), "can_export": has_role(request.user, *DESK)}
    return listing.render("visitors/case_list.html", context)


def case_page(request, case, *, bound=None, refusal=None, status=200):
    user = request.user
    context = steps.page_context(workflow.cases, case, user, bound=bound, refusal=refusal)
    context.update(
        {
            "case": case,
            "contact": case.contact,
            "contact_url": case.contact.get_absolute_url()
            if visible_contacts(user).filter(pk=case.contact_id).exists()
            else "",
            "progress": case.progress.select_related("author", "department"),
            "supports": case.support_departments.all(),
            "events": audit.history(case),
            # counted without the contacts of accusations this reader must not see
            "earlier": workflow.earlier_contacts(case.contact)
            .exclude(pk__in=PetitionCase.objects.filter(rules.hidden_cases(user)).values("contact_id"))
            .count(),
            "today": timezone.localdate(),
        }
    )
    return render(request, "visitors/case_detail.html", context, status=status)


def case_detail(request, code):
    return case_page(request, get_case_for_user(request.user, code))


case_step = step_view(workflow.cases, get_case_for_user, case_page)


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


def _report_reader(user):
    if not has_role(user, *REPORT_READERS):
        raise PermissionDenied("每日汇报供主要领导和办公室主任查阅。")


def _own_reports(user):
    """The PDFs made for this reader. Those of before, made once for all readers, are not served: each reader's
    report holds only what that reader may open."""
    return DailyReport.objects.filter(recipient=user.pk)


def daily_report(request):
    _report_reader(request.user)
    report = services.daily_report(viewer=request.user, limit=REPORT_PAGE_LINES)
    archive = list(_own_reports(request.user).order_by("-date", "pk")[:14])
    return render(
        request,
        "visitors/daily_report.html",
        {
            "r": report,
            "archive": archive,
            "today_pdf": next((d for d in archive if d.date == report["day"]), None),
            "in_process": daily.in_process() or not settings.CELERY_BROKER_URL,
        },
    )


@require_POST
def daily_report_generate(request):
    """生成今日汇报: the principal leaders' PDFs of today, made now (afresh if made before)."""
    _report_reader(request.user)
    made = daily.produce(base_url=request.build_absolute_uri("/"), force=True)
    audit.record("生成每日汇报", by=request.user, comment=f"{timezone.localdate():%Y-%m-%d}，{len(made)}份")
    messages.success(request, f"已生成今日汇报（{len(made)}份），并通知主要领导。")
    return redirect("visitors:daily_report")


def daily_report_pdf(request, pk):
    _report_reader(request.user)
    report = get_object_or_404(_own_reports(request.user), pk=pk)
    return uploads.serve(request, report.file, filename=f"每日汇报-{report.date:%Y%m%d}.pdf", as_attachment=False)
