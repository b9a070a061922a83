from datetime import date

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Subquery
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone

from township_office import actions, audit, steps, uploads
from township_office.pagination import paginate
from township_office.pdf import pdf_response
from township_office.roles import Role, has_role
from township_office.steps import Refused, refusal_message

from . import pdf, report, sources, workflow
from .forms import ItemForm, ListFilterForm, MonthForm
from .models import Feedback, Light, SupervisionItem
from .permissions import get_item_for_user, sees_all, titles, visible_items

LIGHT_ORDER = (Light.RED, Light.YELLOW, Light.GREEN)


def _last_feedback(rows):
    latest = Feedback.objects.filter(item=OuterRef("pk")).order_by("-created_at", "-pk")
    return rows.annotate(
        last_feedback=Subquery(latest.values("text")[:1]), last_feedback_at=Subquery(latest.values("created_at")[:1])
    )


def item_list(request):
    rows = visible_items(request.user)
    form = ListFilterForm(request.GET)
    valid = form.is_valid()
    if valid:
        data = form.cleaned_data
        if data["leader"]:
            rows = rows.filter(leader=data["leader"])
        if data["department"]:
            rows = rows.filter(lead_department=data["department"])
        if data["light"]:
            rows = rows.filter(light=data["light"])
        if data["status"]:
            rows = rows.filter(status=data["status"])
        if data["source_type"] and data["source_code"]:
            rows = rows.filter(source_type=data["source_type"], source_code=data["source_code"])
    rows = rows.select_related("leader", "lead_department").order_by("-year", "-serial")
    page = paginate(request, rows if valid else rows.none(), 30)
    titles(request.user, page)
    query = request.GET.copy()
    query.pop("page", None)
    return render(
        request,
        "supervision/list.html",
        {
            "page": page,
            "form": form,
            "query": query.urlencode(),
            "starts": steps.starts(request.user, workflow.items),
            "sees_all": sees_all(request.user),
        },
        status=200 if valid else 400,
    )


def board(request):
    """The leader's board (his items by light, the last feedback a tap away); the office sees every leader's."""
    rows = visible_items(request.user).exclude(status=SupervisionItem.Status.DONE)
    if not sees_all(request.user):
        rows = rows.filter(leader=request.user.pk)
    rows = _last_feedback(rows.select_related("lead_department")).order_by("deadline", "pk")
    shown = titles(request.user, rows[:300])
    groups = [(light, Light(light).label, [i for i in shown if i.light == light]) for light in LIGHT_ORDER]
    return render(request, "supervision/board.html", {"groups": groups, "count": len(shown)})


def item_page(request, item, *, bound=None, refusal=None, status=200):
    titles(request.user, [item])
    milestones = list(item.milestones.select_related("feedback__author", "feedback__department"))
    context = {
        "item": item,
        "milestones": milestones,
        "supports": list(item.support_departments.all()),
        "extensions": list(item.extensions.select_related("asked_by", "decided_by")),
        "source_url": sources.url_of(item)
        if item.source_type and (item.source_type, item.source_code) in sources.openable(request.user, [item])
        else "",
        "events": audit.history(item),
        **steps.page_context(workflow.items, item, request.user, bound=bound, refusal=refusal),
    }
    return render(request, "supervision/detail.html", context, status=status)


def item_detail(request, code):
    return item_page(request, get_item_for_user(request.user, code))


item_step = actions.step_view(workflow.items, get_item_for_user, item_page)


def _save(request, form, *, source=None):
    data = form.cleaned_data
    try:
        item = workflow.open_item(
            form.item_data(),
            by=request.user,
            milestones=data["milestones"],
            support=data.get("support_departments") or [],
            source=source,
        )
    except Refused as error:
        form.add_error(None, refusal_message(error))
        return None
    messages.success(request, f"已立项：{item.number}")
    return redirect(item)


def item_create(request):
    workflow.items.start.require(request.user)
    form = ItemForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    return render(request, "supervision/form.html", {"form": form, "title": "督办立项"}, status=status)


def item_create_from(request):
    """列入督办 from a source record (a 收文 批示): prefilled, with its milestones, in one post."""
    label, code = request.GET.get("type", ""), request.GET.get("code", "")
    source = sources.read(request.user, label, code)  # 404 when the person may not open it
    reason = workflow.from_source_refusal(request.user, source)
    if reason:
        raise PermissionDenied(reason)
    initial = {
        "title": source.title[:200],
        "leader": (request.user if request.user in source.leaders else source.leaders[-1]).pk,
        "lead_department": source.lead_department.pk if source.lead_department else None,
        "deadline": source.deadline,
        "delegated": not has_role(request.user, Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER),
    }
    form = ItemForm(request.POST or None, initial=initial, source=source)
    if request.method == "POST" and form.is_valid():
        response = _save(request, form, source=source)
        if response is not None:
            return response
    status = 400 if request.method == "POST" else 200
    context = {"form": form, "title": "列入督办", "source": source}
    return render(request, "supervision/form.html", context, status=status)


def feedback_attachment(request, code, pk):
    item = get_item_for_user(request.user, code)
    if pk > 2**63 - 1:
        raise Http404("未找到该附件")
    feedback = get_object_or_404(Feedback.objects.exclude(attachment=""), item=item, pk=pk)
    return uploads.serve(request, feedback.attachment, filename=feedback.attachment_name or None)


def result_file(request, code):
    item = get_item_for_user(request.user, code)
    if not item.result_file:
        raise Http404("没有结果材料")
    return uploads.serve(request, item.result_file)


def _month(request):
    form = MonthForm(request.GET)
    if not form.is_valid():
        return form, None
    today = timezone.localdate()
    return form, form.cleaned_data["month"] or date(today.year, today.month, 1)


def monthly(request):
    form, first = _month(request)
    if first is None:
        return render(request, "supervision/monthly.html", {"form": form}, status=400)
    r = report.monthly(request.user, first)
    return render(request, "supervision/monthly.html", {"form": form, "r": r, "month": f"{first:%Y-%m}"})


def monthly_pdf(request):
    form, first = _month(request)
    if first is None:
        return render(request, "supervision/monthly.html", {"form": form}, status=400)
    r = report.monthly(request.user, first)
    audit.record("打印督办通报", by=request.user, comment=f"{first:%Y年%m月}")
    return pdf_response(pdf.monthly(r), f"督办通报-{first:%Y-%m}.pdf")
