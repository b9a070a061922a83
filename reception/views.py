import calendar as pycalendar
from collections import defaultdict
from datetime import timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth
from django.http import Http404, JsonResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from township_office import actions, audit, exports, steps, uploads
from township_office.dates import day_range
from township_office.listing import Listing
from township_office.pdf import pdf_response

from . import pdf, rules, workflow
from .forms import CalendarForm, ListFilterForm, PlanForms, TotalsForm
from .models import ItineraryItem, Reception
from .permissions import get_reception_for_user, may_see_totals, visible_receptions


def reception_list(request):
    listing = Listing(request, ListFilterForm, visible_receptions(request.user), order=("-start",))
    context = {"starts": steps.starts(request.user, workflow.plans), "can_see_totals": may_see_totals(request.user)}
    return listing.render("reception/list.html", context)


PAGE_STEPS = ("edit", "revise")  # taken on the plan's own form page, not in the 办理 panel
INLINE_STEPS = ("tick", "finish_material")  # one button per checklist item / per material


def reception_page(request, reception, *, bound=None, refusal=None, status=200):
    """The plan's page: what the flow offers this person now, and nothing else decides."""
    context = steps.page_context(workflow.plans, reception, request.user, bound=bound, refusal=refusal)
    offered = {s.name: s for s in context["steps"]}
    context["steps"] = [s for s in context["steps"] if s.name not in PAGE_STEPS + INLINE_STEPS]
    shown = {s.name for s in context["steps"]}
    for name, form in (bound or {}).items():
        if refusal is None and form is not None and form.errors and name not in shown:
            # A step with no form on the page (a checklist button, or a step no longer offered): say why here.
            why = workflow.plans.refusal(name, reception, request.user)
            errors = [e for field_errors in form.errors.values() for e in field_errors]
            context["refusal"] = why.message if why is not None else "；".join(errors)
    guests = list(reception.guests.all())
    materials = list(reception.materials.select_related("department", "done_by"))
    checklist = list(reception.checklist.select_related("done_by"))
    items = list(reception.itinerary.select_related("department", "meeting_room"))
    leaders = list(reception.accompanying_leaders.all())
    if offered.get("submit") or offered.get("approve"):  # what would refuse the step the person is offered
        problems = rules.check(
            reception, guests=len(guests), items=items, leaders=leaders, has_scan=bool(reception.letter_scan)
        )
    else:
        problems = []
    context.update(
        {
            "r": reception,
            "offered": offered,
            "edit_step": offered.get("edit") or offered.get("revise"),
            "guests": guests,
            "items": items,
            "materials": materials,
            "my_department": request.user.department_id,
            "checklist": checklist,
            "leaders": leaders,
            "problems": problems,
            "close_blockers": workflow.close_blockers(reception) if "close" in _declared_from(reception) else [],
            "diner_limit": rules.diner_limit(len(guests)),
            "events": audit.history(reception),
        }
    )
    return render(request, "reception/detail.html", context, status=status)


def _declared_from(reception):
    """The steps whose source state is the plan's state (whoever may take them): for display only."""
    return {s.name for s in workflow.plans if reception.status in s.source}


def reception_detail(request, code):
    return reception_page(request, get_reception_for_user(request.user, code))


_step_view = actions.step_view(workflow.plans, get_reception_for_user, reception_page)


def reception_step(request, code, name):
    """POST <code>/step/<name>/: any step of the plan but the two taken on the plan's form page."""
    if name in PAGE_STEPS:
        raise Http404("请在方案页面修改")
    return _step_view(request, code, name)


def _form_page(request, plan, *, reception=None, step=None, refusal=None, status=200):
    return render(
        request,
        "reception/form.html",
        {
            "plan": plan,
            "form": plan.form,
            "guests": plan.guests,
            "items": plan.items,
            "materials": plan.materials,
            "reception": reception,
            "step": step,
            "refusal": refusal,
            "warnings": plan.warnings() if plan.form.is_bound else [],
            "submit_step": workflow.plans["submit"]
            if reception and workflow.plans.allows(reception, request.user, "submit")
            else None,
            "check_url": reverse("reception:check", args=[reception.code])
            if reception
            else reverse("reception:check_new"),
        },
        status=status,
    )


def _submit_after_save(request, reception):
    """保存并提交: the plan is saved whatever happens; a refused submission shows why on the plan's page."""
    try:
        workflow.submit(reception, by=request.user)
    except actions.REFUSALS as error:
        reception.refresh_from_db()
        return reception_page(
            request, reception, refusal=steps.refusal_message(error), status=steps.refusal_status(error)
        )
    messages.success(request, "接待方案已保存并提交审批。")
    return redirect(reception)


def reception_create(request):
    """登记接待: save a draft (保存草稿) or save and submit it (保存并提交审批)."""
    workflow.plans.start.require(request.user)
    plan = PlanForms(request.POST or None, request.FILES or None, instance=Reception(created_by=request.user))
    if request.method == "POST":
        if not plan.is_valid():
            return _form_page(request, plan, status=400)
        with transaction.atomic():
            reception = workflow.create_plan(plan, by=request.user)
        for warning in plan.warnings():
            messages.warning(request, warning)
        if "submit" in request.POST:
            return _submit_after_save(request, reception)
        messages.success(request, "接待方案草稿已保存，可继续修改，完成后提交审批。")
        return redirect(reception)
    return _form_page(request, plan)


def _edit_step(reception, user):
    """The edit step the flow offers this person now (修改方案, or after approval 审批后修改), or its refusal."""
    flow = workflow.plans
    for name in PAGE_STEPS:
        if flow.allows(reception, user, name):
            return flow[name], None
    applies = "revise" if reception.status in flow["revise"].source else "edit"
    return None, flow.refusal(applies, reception, user)


def reception_edit(request, code):
    reception = get_reception_for_user(request.user, code)
    step, refusal = _edit_step(reception, request.user)
    if step is None:
        return reception_page(request, reception, refusal=refusal.message, status=steps.refusal_status(refusal))
    plan = PlanForms(request.POST or None, request.FILES or None, instance=reception)
    if request.method == "POST":
        if not plan.is_valid():
            return _form_page(request, plan, reception=reception, step=step, status=400)
        warnings = plan.warnings()  # read before the step saves: afterwards the start is no longer "changed"
        try:
            step(reception, by=request.user, plan=plan)
        except actions.REFUSALS as error:
            reception.refresh_from_db()
            return _form_page(
                request,
                plan,
                reception=reception,
                step=step,
                refusal=steps.refusal_message(error),
                status=steps.refusal_status(error),
            )
        for warning in warnings:
            messages.warning(request, warning)
        if "submit" in request.POST and workflow.plans.allows(reception, request.user, "submit"):
            return _submit_after_save(request, reception)
        problems = rules.breaches(reception)
        if problems:
            messages.warning(request, "方案已保存，但尚不符合接待规定，修改前不能报批。")
        else:
            messages.success(request, "接待方案已保存。")
        return redirect(reception)
    return _form_page(request, plan, reception=reception, step=step)


@require_POST
def check_rules(request, code=None):
    """The rules as the plan is being edited: the breaches of the typed plan, nothing saved (called by the JS)."""
    if code is None:
        workflow.plans.start.require(request.user)
        instance = Reception(created_by=request.user)
    else:
        instance = get_reception_for_user(request.user, code)
        if _edit_step(instance, request.user)[0] is None:
            raise PermissionDenied("您不能修改该接待方案。")
    plan = PlanForms(request.POST, instance=instance)
    breaches = plan.breaches(has_new_scan=request.POST.get("has_new_scan") == "1")
    return JsonResponse({"breaches": breaches, "warnings": plan.warnings()})


def plan_pdf(request, code):
    reception = get_reception_for_user(request.user, code)
    return pdf_response(pdf.plan(reception), f"接待方案-{reception.start:%Y%m%d}.pdf")


def list_pdf(request, code):
    reception = get_reception_for_user(request.user, code)
    if not reception.reception_list:
        raise Http404("接待结算后才有接待清单")
    return uploads.serve(
        request, reception.reception_list, filename=f"接待清单-{reception.start:%Y%m%d}.pdf", as_attachment=False
    )


def letter_scan(request, code):
    reception = get_reception_for_user(request.user, code)
    if not reception.letter_scan:
        raise Http404("未上传公函")
    return uploads.serve(request, reception.letter_scan)


def invoices(request, code):
    """The invoices uploaded at 结算, through the same access check as the plan's page."""
    reception = get_reception_for_user(request.user, code)
    if not reception.invoices:
        raise Http404("未上传发票")
    return uploads.serve(request, reception.invoices)


def calendar_view(request):
    """Receptions, room bookings and leaders' duties by week or month."""
    form = CalendarForm(request.GET)
    if not form.is_valid():
        return render(request, "reception/calendar.html", {"form": form, "grid": [], "mode": "month"}, status=400)
    mode, anchor = form.values()
    if mode == "week":
        first = anchor - timedelta(days=anchor.weekday())
        days = [first + timedelta(days=i) for i in range(7)]
        previous, following = first - timedelta(days=7), first + timedelta(days=7)
    else:
        first = anchor.replace(day=1)
        count = pycalendar.monthrange(first.year, first.month)[1]
        days = [first + timedelta(days=i) for i in range(count)]
        previous = (first - timedelta(days=1)).replace(day=1)
        following = first + timedelta(days=count)
    visible = visible_receptions(request.user).exclude(status=Reception.Status.CANCELLED)
    # Local days as an aware datetime range, so the indexes on the start columns serve it.
    since, until = day_range(days[0], days[-1])
    items = (
        ItineraryItem.objects.filter(start__gte=since, start__lt=until)
        .filter(Exists(visible.filter(pk=OuterRef("reception_id"))))
        .select_related("reception", "meeting_room", "department")
    )
    by_day = defaultdict(list)
    for item in items:
        by_day[timezone.localtime(item.start).date()].append(item)
    receptions = visible.filter(start__lt=until, end__gte=since).prefetch_related("accompanying_leaders")
    duties = defaultdict(list)
    for r in receptions:
        # once per reception, not once per day it spans
        r.leader_names = "、".join(str(leader) for leader in r.accompanying_leaders.all())
        begins, ends = timezone.localtime(r.start).date(), timezone.localtime(r.end).date()
        for d in days:
            if begins <= d <= ends:
                duties[d].append(r)
    grid = [{"day": d, "items": by_day.get(d, []), "receptions": duties.get(d, [])} for d in days]
    return render(
        request,
        "reception/calendar.html",
        {"form": form, "grid": grid, "mode": mode, "previous": previous, "following": following, "anchor": anchor},
    )


def totals(request):
    """Monthly and yearly totals of closed receptions, with a chart and an Excel export."""
    if not may_see_totals(request.user):
        raise PermissionDenied("只有办公室和主要领导可以查看接待费用统计。")
    form = TotalsForm(request.GET)
    if not form.is_valid():
        return render(request, "reception/totals.html", {"form": form, "months": []}, status=400)
    year = form.cleaned_data["year"]
    closed = Reception.objects.filter(status=Reception.Status.CLOSED, start__year=year)
    sums = {
        row["month"]: row
        for row in closed.annotate(month=ExtractMonth("start"))
        .values("month")
        .annotate(
            meal=Sum("meal_cost"), lodging=Sum("lodging_cost"), transport=Sum("transport_cost"), other=Sum("other_cost")
        )
    }
    months = []
    for m in range(1, 13):
        row = sums.get(m, {})
        values = [row.get(k) or 0 for k in ("meal", "lodging", "transport", "other")]
        months.append({"month": m, "values": values, "total": sum(values), "count": 0})
    counts = dict(
        closed.annotate(month=ExtractMonth("start")).values("month").annotate(n=Count("pk")).values_list("month", "n")
    )
    year_values = [sum(m["values"][i] for m in months) for i in range(4)]
    peak = max([m["total"] for m in months] + [1])
    for m in months:
        height = round(float(m["total"]) / float(peak) * 120)
        m.update(x=m["month"] * 48, y=140 - height, h=height, count=counts.get(m["month"], 0))
    if form.cleaned_data["format"] == "xlsx":
        rows = [[f"{m['month']}月", *[float(v) for v in m["values"]], float(m["total"])] for m in months]
        rows.append(["全年", *[float(v) for v in year_values], float(sum(year_values))])
        return exports.export(
            request,
            fmt="xlsx",
            name=f"接待费用-{year}",
            sheet=f"{year}年接待费用",
            header=["月份", "餐费", "住宿费", "交通费", "其他", "合计"],
            rows=rows,
            action="导出接待费用统计",
            comment=f"{year}年",
        )
    return render(
        request,
        "reception/totals.html",
        {"form": form, "year": year, "months": months, "year_values": year_values, "year_total": sum(year_values)},
    )
