"""The narrow interface other apps use: the daily report's document lines."""

from datetime import timedelta

from township_office.dates import day_range

from .models import Assignment, IncomingDocument
from .permissions import visible_incoming

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


def daily_report_items(day, limit=None, *, user):
    """Files and phone notices registered on ``day`` and the day before, and the files due within
    three days or overdue, most pressing first; at most ``limit`` lines of each of the last two (all if
    None), with their totals under ``due_soon_total`` and ``overdue_total``. A fixed number of queries.

    Only what ``user`` may see on the file's own page (``visible_incoming``: secrecy and grants): a file the
    reader would get 404 on is neither listed nor counted."""
    start, end = day_range(day - timedelta(days=1), day)  # indexed, unlike registered_at__date
    files = visible_incoming(user)
    received = list(files.filter(registered_at__gte=start, registered_at__lt=end).order_by("registered_at"))
    open_files = files.filter(status__in=OPEN, deadline__isnull=False).order_by("deadline", "pk")
    due_soon = open_files.filter(deadline__gte=day, deadline__lte=day + timedelta(days=3))
    overdue = open_files.filter(deadline__lt=day)
    totals = {}
    if limit is not None:
        totals = {"due_soon_total": due_soon.count(), "overdue_total": overdue.count()}
        due_soon, overdue = due_soon[:limit], overdue[:limit]
    due_soon, overdue = list(due_soon), list(overdue)
    totals.setdefault("due_soon_total", len(due_soon))
    totals.setdefault("overdue_total", len(overdue))
    ids = {d.pk for d in received + due_soon + overdue}
    leads = dict(
        Assignment.objects.filter(document_id__in=ids, role=Assignment.Role.LEAD).values_list(
            "document_id", "department__name"
        )
    )
    phone = IncomingDocument.Kind.PHONE
    return {
        "incoming": [_line(d, leads) for d in received if d.kind != phone],
        "calls": [_line(d, leads) for d in received if d.kind == phone],
        "due_soon": [_line(d, leads) for d in due_soon],
        "overdue": [_line(d, leads) for d in overdue],
        **totals,
    }
