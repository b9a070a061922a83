from django.contrib import messages
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponseNotAllowed
from django.shortcuts import get_object_or_404, redirect, render
from django.templatetags.static import static
from django.utils import timezone
from django.views.decorators.http import require_http_methods, require_POST

from . import audit, navigation, steps, todo, worklist
from .forms import AuditFilterForm, PhrasesForm, ReassignForm
from .models import AuditEvent, Notification, WorkItem
from .pagination import AHEAD, page_number, paginate
from .permissions import require
from .phrases import instruction_phrases
from .roles import Role, has_role

TABS = {
    "todo": "待办",
    "read": "待阅/传阅",
    "done": "已办",
    "started": "我发起的",
}
WORK_PAGE_SIZE = 30


@login_not_required
def favicon(request):
    """/favicon.ico, asked for by browsers on pages without a <link rel="icon"> (PDFs, the admin): the app's own."""
    return redirect(static("township_office/favicon.ico"))


def home(request):
    return redirect("township_office:todo")


def todo_page(request):
    """我的待办 and its tabs, each one query over the work items (or the matters) plus its page count."""
    user = request.user
    tab = request.GET.get("tab", "todo")
    if tab not in TABS:
        tab = "todo"
    rows = {
        # the rows the page shows or counts at most (see CappedPaginator), read in order off the indexes
        "todo": lambda: worklist.waiting(
            user, first=(page_number(request.GET.get("page")) + AHEAD) * WORK_PAGE_SIZE + 1
        ),
        "read": lambda: worklist.read_items(user),
        "done": lambda: worklist.done_by(user),
        "started": lambda: worklist.started_by(user),
    }[tab]()
    page = paginate(request, rows, WORK_PAGE_SIZE)
    counts = todo.tab_counts(user)
    context = {
        "tab": tab,
        "tabs": [(key, label, counts[key]) for key, label in TABS.items()],
        "query": f"tab={tab}",
        "page": page,
        "quick": navigation.quick_for(user),
        "today": timezone.localdate(),
    }
    return render(request, "township_office/todo.html", context)


@require_http_methods(["GET", "POST"])
def work_item_reassign(request, pk):
    """转交: the office director hands a waiting step to someone else (see steps.reassign). ``GET …?form=1``: the
    form alone, which the record's page fetches when 转交他人 is unfolded (any other GET is not allowed)."""
    if request.method == "GET" and request.GET.get("form") is None:
        return HttpResponseNotAllowed(["POST"])
    item = get_object_or_404(WorkItem.objects.select_related("matter"), pk=pk, done_at__isnull=True)
    if not has_role(request.user, Role.OFFICE_DIRECTOR):
        raise Http404("未找到该待办")
    model = item.matter.content_type.model_class()
    obj = get_object_or_404(model, pk=item.matter.object_id)
    if request.method == "GET":
        item.reassign_form = ReassignForm(item=item, obj=obj, flow=steps.flow_for(model), prefix=f"reassign-{item.pk}")
        return render(request, "includes/reassign_form.html", {"item": item})
    form = ReassignForm(request.POST, item=item, obj=obj, flow=steps.flow_for(model), prefix=f"reassign-{item.pk}")
    if not form.is_valid():
        messages.error(request, "转交未完成：" + "；".join(e for errors in form.errors.values() for e in errors))
        return redirect(item.matter.url)
    try:
        steps.reassign(
            item,
            by=request.user,
            to_user=form.cleaned_data.get("to_user"),
            to_department=form.cleaned_data.get("to_department"),
            reason=form.cleaned_data["reason"],
        )
    except steps.Refused as error:
        messages.error(request, error.message)
    else:
        messages.success(request, f"已转交：{item.label}。")
    return redirect(item.matter.url)


def notification_list(request):
    page = paginate(request, Notification.objects.filter(recipient=request.user).order_by("-created_at", "-pk"), 30)
    return render(request, "township_office/notifications.html", {"page": page})


def notification_open(request, pk):
    notification = get_object_or_404(Notification, pk=pk, recipient=request.user)
    if notification.read_at is None:
        notification.read_at = timezone.now()
        notification.save(update_fields=["read_at"])
    return redirect(notification.url or "township_office:notifications")


@require_POST
def notifications_mark_all_read(request):
    Notification.objects.filter(recipient=request.user, read_at__isnull=True).update(read_at=timezone.now())
    return redirect("township_office:notifications")


def my_phrases(request):
    """我的常用批示语: the person's own phrases, offered after the office's wherever a 批示 or opinion is written."""
    user = request.user
    office = instruction_phrases()
    if request.method == "POST":
        form = PhrasesForm(request.POST, office=office)
        if form.is_valid():
            user.phrases = form.cleaned_data["phrases"]
            user.save(update_fields=["phrases"])
            messages.success(request, f"已保存，共 {len(user.phrases)} 条。")
            return redirect("township_office:my_phrases")
    else:
        form = PhrasesForm(initial={"phrases": "\n".join(user.phrases or [])}, office=office)
    return render(request, "township_office/my_phrases.html", {"form": form, "office": office})


def audit_log(request):
    require(request.user, roles=[Role.AUDITOR])
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.order_by("-created_at", "-pk")
    if form.is_valid():
        events = form.filter(events, request.user)
    page = paginate(request, events, 50)
    page.object_list = audit.readable(page.object_list, request.user)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "township_office/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
