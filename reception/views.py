import calendar as pycalendar
import io
from collections import defaultdict
from datetime import date, timedelta

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import Count, Exists, OuterRef, Sum
from django.db.models.functions import ExtractMonth
from django.http import FileResponse, Http404, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.http import content_disposition_header
from django.views.decorators.http import require_POST

from township_office import audit, search
from township_office.actions import run_action
from township_office.dates import day_range
from township_office.pagination import paginate
from township_office.pdf import pdf_response
from township_office.roles import OFFICE, Role, has_role
from township_office.workflow import TransitionNotAllowed

from . import pdf, rules, workflow
from .forms import (
    ApproveForm,
    ChecklistForm,
    CloseForm,
    GuestFormSet,
    ItemFormSet,
    MaterialFormSet,
    ReasonForm,
    ReceptionForm,
)
from .models import ChecklistItem, ItineraryItem, Reception
from .permissions import get_reception_for_user, visible_receptions


def reception_list(request):
    rows = visible_receptions(request.user)
    q = request.GET.get("q", "").strip()
    rows = search.matching(rows, q, ["visiting_unit", "purpose", "letter_number"])
    status = request.GET.get("status", "")
    if status in Reception.Status.values:
        rows = rows.filter(status=status)
    page = paginate(request, rows.order_by("-start"), 30)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "reception/list.html",
        {
            "page": page,
            "q": q,
            "status": status,
            "query": query.urlencode(),
            "statuses": Reception.Status.choices,
            "can_create": has_role(request.user, *OFFICE),
        },
    )


def _edit(request, reception=None):
    workflow.require_office(request.user)
    if reception is not None:
        workflow.require_editable(reception, request.user)
    instance = reception or Reception(created_by=request.user)
    form = ReceptionForm(request.POST or None, request.FILES or None, instance=instance)
    guests = GuestFormSet(request.POST or None, instance=instance, prefix="guests")
    items = ItemFormSet(request.POST or None, instance=instance, prefix="items")
    materials = MaterialFormSet(request.POST or None, instance=instance, prefix="materials")
    if request.method == "POST" and all(f.is_valid() for f in (form, guests, items, materials)):
        with transaction.atomic():
            saved = form.save()
            for formset in (guests, items, materials):
                formset.instance = saved
                formset.save()
            if reception is None:
                audit.record("登记接待", by=request.user, obj=saved, to_state=saved.status, comment=str(saved))
                for text in ("确认来访人员名单", "落实会议室与座次", "准备汇报材料", "确认用车", "核对工作餐菜单"):
                    ChecklistItem.objects.create(reception=saved, text=text)
            else:
                workflow.plan_changed(saved, by=request.user, what="修改接待方案")
            if saved.status != Reception.Status.DRAFT:
                workflow.grant_participants(saved)
        problems = rules.breaches(saved)
        if problems:
            messages.warning(request, "方案已保存，但尚不符合接待规定，修改前不能报批。")
        else:
            messages.success(request, "接待方案已保存。")
        return redirect(saved)
    return render(
        request,
        "reception/form.html",
        {"form": form, "guests": guests, "items": items, "materials": materials, "reception": reception},
    )


def reception_create(request):
    return _edit(request)


def reception_edit(request, code):
    return _edit(request, get_reception_for_user(request.user, code))


def _detail(request, reception, status=200, **extra):
    from township_office import permissions

    user = request.user
    guests = list(reception.guests.all())
    context = {
        "r": reception,
        "guests": guests,
        "items": reception.itinerary.select_related("department", "meeting_room"),
        "materials": reception.materials.select_related("department", "done_by"),
        "checklist": reception.checklist.select_related("done_by"),
        "leaders": reception.accompanying_leaders.all(),
        "problems": rules.breaches(reception) if reception.status in ("draft", "pending") else [],
        "diner_limit": rules.diner_limit(len(guests)),
        "events": audit.history(reception),
        "is_office": has_role(user, *OFFICE),
        "can_approve": reception.status == Reception.Status.PENDING
        and has_role(user, Role.PRINCIPAL_LEADER if reception.is_major else Role.OFFICE_DIRECTOR)
        and permissions.has_grant(user, reception, "approve"),
        "approve_form": ApproveForm(),
        "reason_form": ReasonForm(),
        "close_form": CloseForm(),
        "checklist_form": ChecklistForm(),
    }
    context.update(extra)
    return render(request, "reception/detail.html", context, status=status)


def reception_detail(request, code):
    return _detail(request, get_reception_for_user(request.user, code))


def _run(request, code, run, success, form=None, form_name=""):
    reception = get_reception_for_user(request.user, code)
    return run_action(
        request,
        reception,
        lambda data: run(reception, data),
        success=success,
        form=form,
        rerender=lambda form: _detail(request, reception, status=400, **{form_name: form}),
    )


@require_POST
def reception_submit(request, code):
    return _run(request, code, lambda r, c: workflow.submit(r, by=request.user), "接待方案已提交审批。")


@require_POST
def reception_approve(request, code):
    return _run(
        request,
        code,
        lambda r, c: workflow.approve(r, by=request.user, comment=c["comment"]),
        "接待方案已批准。",
        ApproveForm(request.POST),
        "approve_form",
    )


@require_POST
def reception_send_back(request, code):
    return _run(
        request,
        code,
        lambda r, c: workflow.send_back(r, by=request.user, reason=c["reason"]),
        "已退回。",
        ReasonForm(request.POST),
        "reason_form",
    )


@require_POST
def reception_cancel(request, code):
    return _run(
        request,
        code,
        lambda r, c: workflow.cancel(r, by=request.user, reason=c["reason"]),
        "接待已取消。",
        ReasonForm(request.POST),
        "reason_form",
    )


@require_POST
def reception_close(request, code):
    def run(reception, data):
        costs = {k: data[k] for k in ("meal_cost", "lodging_cost", "transport_cost", "other_cost")}
        workflow.close(
            reception, by=request.user, costs=costs, attendees=data["actual_attendees"], invoices=data.get("invoices")
        )

    return _run(
        request, code, run, "接待已结算，接待清单已生成。", CloseForm(request.POST, request.FILES), "close_form"
    )


@require_POST
def material_done(request, code, pk):
    reception = get_reception_for_user(request.user, code)
    material = get_object_or_404(reception.materials, pk=pk)
    try:
        workflow.finish_material(material, by=request.user)
    except TransitionNotAllowed as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"“{material.title}”已标记完成。")
    return redirect(reception)


@require_POST
def checklist_add(request, code):
    reception = get_reception_for_user(request.user, code)
    workflow.require_editable(reception, request.user)
    form = ChecklistForm(request.POST)
    if form.is_valid():
        ChecklistItem.objects.create(reception=reception, text=form.cleaned_data["text"])
    return redirect(reception)


@require_POST
def checklist_tick(request, code, pk):
    reception = get_reception_for_user(request.user, code)
    workflow.require_office(request.user)
    item = get_object_or_404(reception.checklist, pk=pk)
    ChecklistItem.objects.filter(pk=item.pk, done_at__isnull=True).update(done_at=timezone.now(), done_by=request.user)
    audit.record("勾选接待细节", by=request.user, obj=reception, comment=item.text)
    return redirect(reception)


def plan_pdf(request, code):
    reception = get_reception_for_user(request.user, code)
    return pdf_response(pdf.plan(reception), f"接待方案-{reception.start:%Y%m%d}.pdf")


def list_pdf(request, code):
    reception = get_reception_for_user(request.user, code)
    if not reception.reception_list:
        raise Http404("接待结算后才有接待清单")
    return FileResponse(
        reception.reception_list.open("rb"),
        content_type="application/pdf",
        filename=f"接待清单-{reception.start:%Y%m%d}.pdf",
    )


def letter_scan(request, code):
    reception = get_reception_for_user(request.user, code)
    if not reception.letter_scan:
        raise Http404("未上传公函")
    return FileResponse(
        reception.letter_scan.open("rb"), as_attachment=True, filename=reception.letter_scan.name.rsplit("/", 1)[-1]
    )


def calendar_view(request):
    """Receptions, room bookings and leaders' duties by week or month."""
    mode = "week" if request.GET.get("view") == "week" else "month"
    try:
        anchor = date.fromisoformat(request.GET["date"]) if request.GET.get("date") else timezone.localdate()
    except ValueError:
        raise Http404("日期无效") from None
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
        {"grid": grid, "mode": mode, "previous": previous, "following": following, "anchor": anchor},
    )


def totals(request):
    """Monthly and yearly totals of closed receptions, with a chart and an Excel export."""
    if not has_role(request.user, *OFFICE, Role.PRINCIPAL_LEADER):
        raise PermissionDenied("只有办公室和主要领导可以查看接待费用统计。")
    try:
        year = int(request.GET.get("year") or timezone.localdate().year)
    except ValueError:
        raise Http404("年度无效") from None
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
    if request.GET.get("format") == "xlsx":
        return _totals_xlsx(year, months, year_values)
    return render(
        request,
        "reception/totals.html",
        {"year": year, "months": months, "year_values": year_values, "year_total": sum(year_values)},
    )


def _totals_xlsx(year, months, year_values):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = f"{year}年接待费用"
    sheet.append(["月份", "餐费", "住宿费", "交通费", "其他", "合计"])
    for m in months:
        sheet.append([f"{m['month']}月", *[float(v) for v in m["values"]], float(m["total"])])
    sheet.append(["全年", *[float(v) for v in year_values], float(sum(year_values))])
    buffer = io.BytesIO()
    book.save(buffer)
    response = HttpResponse(
        buffer.getvalue(), content_type="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    )
    response["Content-Disposition"] = content_disposition_header(True, f"接待费用-{year}.xlsx")
    return response
