"""The narrow interface other apps use: the daily report's document lines."""

from datetime import datetime, time, timedelta

from django.db.models import Q
from django.utils import timezone

from .models import Assignment, IncomingDocument

OPEN = [IncomingDocument.Status.REGISTERED, IncomingDocument.Status.INSTRUCTING, IncomingDocument.Status.HANDLING]


def _line(document, leads):
    return {
        "number": document.number,
        "title": document.title,
        "source": document.source_org,
        "department": leads.get(document.pk, ""),
        "deadline": document.deadline,
        "url": document.get_absolute_url(),
    }


def daily_report_items(day):
    """Files and phone notices registered on ``day`` and the day before, and the files due within
    three days or overdue. Three queries, whatever the volume."""
    # A datetime range, not a date-part filter, so that the registered_at index is used.
    start = timezone.make_aware(datetime.combine(day - timedelta(days=1), time.min))
    end = timezone.make_aware(datetime.combine(day + timedelta(days=1), time.min))
    received = IncomingDocument.objects.filter(registered_at__gte=start, registered_at__lt=end).order_by(
        "registered_at"
    )
    due = IncomingDocument.objects.filter(
        Q(deadline__lte=day + timedelta(days=3)), status__in=OPEN, deadline__isnull=False
    ).order_by("deadline")
    received, due = list(received), list(due)
    ids = {d.pk for d in received + due}
    leads = dict(
        Assignment.objects.filter(document_id__in=ids, role=Assignment.Role.LEAD).values_list(
            "document_id", "department__name"
        )
    )
    phone = IncomingDocument.Kind.PHONE
    return {
        "incoming": [_line(d, leads) for d in received if d.kind != phone],
        "calls": [_line(d, leads) for d in received if d.kind == phone],
        "due_soon": [_line(d, leads) for d in due if d.deadline >= day],
        "overdue": [_line(d, leads) for d in due if d.deadline < day],
    }
