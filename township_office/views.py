from django.http import HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.views.decorators.http import require_POST

from . import todo
from .forms import AuditFilterForm
from .models import AuditEvent, Notification
from .pagination import paginate
from .permissions import require
from .roles import Role


def home(request):
    return redirect("township_office:todo")


def healthz(request):
    return HttpResponse("ok", content_type="text/plain")


def todo_page(request):
    sections = todo.collect(request.user)
    return render(request, "township_office/todo.html", {"sections": sections, "cap": todo.COUNT_CAP})


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


def audit_log(request):
    require(request.user, roles=[Role.AUDITOR])
    form = AuditFilterForm(request.GET or None)
    events = AuditEvent.objects.order_by("-created_at", "-pk")
    if form.is_valid():
        events = form.filter(events)
    page = paginate(request, events, 50)
    query = request.GET.copy()
    query.pop("page", None)
    return render(request, "township_office/audit_log.html", {"form": form, "page": page, "query": query.urlencode()})
