"""The narrow interface other apps use: the daily report's document lines."""

from datetime import timedelta

from django.db.models import Count, Exists, OuterRef, Q, Subquery

from township_office.dates import day_range

from .models import Assignment, IncomingDocument, Secrecy, Urgency
from .permissions import visible_incoming

OPEN = [IncomingDocument.Status.REGISTERED, IncomingDocument.Status.INSTRUCTING, IncomingDocument.Status.HANDLING]
DUE_SOON, OVERDUE = "due_soon", "overdue"


# What a line shows, and no more is read: the file's text and scans stay in the database.
LINE_FIELDS = (
    "pk",
    "code",
    "kind",
    "year",
    "serial",
    "title",
    "source_org",
    "deadline",
    "urgency",
    "status",
    "secrecy",
    "registered_at",
)


def masked_description(document):
    """What a line says of a restricted file its reader may not open: the secrecy and the kind, never the title."""
    noun = "电话记录" if document.kind == IncomingDocument.Kind.PHONE else "文件"
    return f"{Secrecy(document.secrecy).label}{noun}1件，请向办公室调阅"


def _line(document):
    may_open = getattr(document, "may_open", True)
    if not may_open and document.secrecy != Secrecy.NONE:  # kind, time and a masked description only
        return {
            "number": document.get_kind_display(),
            "title": masked_description(document),
            "deadline": document.deadline,
            "time": document.registered_at,
            "masked": True,
        }
    return {
        "number": document.number,
        "title": document.title,
        "source": document.source_org,
        "department": document.lead_department_name or "",
        "deadline": document.deadline,
        "url": document.get_absolute_url() if may_open else "",
        "urgent": document.urgency == Urgency.EXTRA_URGENT,  # 特急 stands out on the report
        "time": document.registered_at,
        "not_routed": not may_open,
    }


def daily_report_items(day, limit=None, *, user, whole=False):
    """Files and phone notices registered on ``day`` and the day before, and the files due within
    three days or overdue, most pressing first; at most ``limit`` lines of each of the last two (all if
    None), with their totals under ``due_soon_total`` and ``overdue_total``. Two queries, whatever the
    number of files: one count of both sections' totals (with a limit), then every line listed in one read
    (those registered and the most pressing of each section, with their lead department).

    Only what ``user`` may see on the file's own page (``visible_incoming``: secrecy and grants): a file the
    reader would get 404 on is neither listed nor counted.

    ``whole`` (a principal leader's report, which shows the whole day): every file is listed and counted; one the
    reader may open as on its page, an ordinary one not routed to them without its link, and a restricted one
    (内部/工作秘密) without a grant by its kind, time and a masked description only. Still two queries: whether
    the reader may open a file is a correlated EXISTS on the visibility of its page."""
    start, end = day_range(day - timedelta(days=1), day)  # indexed, unlike registered_at__date
    files = IncomingDocument.objects.all() if whole else visible_incoming(user)
    received = Q(registered_at__gte=start, registered_at__lt=end)
    pressing = files.filter(status__in=OPEN, deadline__isnull=False).order_by("deadline", "pk")
    due_soon = Q(deadline__gte=day, deadline__lte=day + timedelta(days=3))
    overdue = Q(deadline__lt=day)
    totals = {}
    # The files to list, as one UNION of keys (each branch walks its own index); an OR of IN-subqueries would make
    # PostgreSQL read every visible file to test each against both.
    branches = [files.filter(received).order_by().values("pk")]
    if limit is None:
        branches.append(pressing.filter(due_soon | overdue).order_by().values("pk"))
    else:  # the most pressing of each section (each subquery walks the deadline index), and one count of both
        totals = pressing.aggregate(
            due_soon_total=Count("pk", filter=due_soon), overdue_total=Count("pk", filter=overdue)
        )
        # each LIMIT in a subquery of its own: SQLite allows none on a member of a UNION
        branches += [
            IncomingDocument.objects.filter(pk__in=pressing.filter(section).values("pk")[:limit])
            .order_by()
            .values("pk")
            for section in (due_soon, overdue)
        ]
    lead = Assignment.objects.filter(document=OuterRef("pk"), role=Assignment.Role.LEAD).order_by("pk")
    rows = IncomingDocument.objects.filter(pk__in=branches[0].union(*branches[1:])).only(*LINE_FIELDS)
    rows = rows.annotate(lead_department_name=Subquery(lead.values("department__name")[:1]))
    if whole:
        rows = rows.annotate(may_open=Exists(visible_incoming(user).filter(pk=OuterRef("pk"))))
    rows = list(rows.order_by("registered_at", "pk"))
    by_due = sorted((d for d in rows if d.status in OPEN and d.deadline is not None), key=lambda d: (d.deadline, d.pk))
    sections = {
        DUE_SOON: [d for d in by_due if day <= d.deadline <= day + timedelta(days=3)],
        OVERDUE: [d for d in by_due if d.deadline < day],
    }
    if limit is not None:  # a file registered lately may be in a section below its first ``limit`` lines
        sections = {name: lines[:limit] for name, lines in sections.items()}
    received = [d for d in rows if start <= d.registered_at < end]
    for name, lines in sections.items():
        totals.setdefault(f"{name}_total", len(lines))
    phone = IncomingDocument.Kind.PHONE
    return {
        "incoming": [_line(d) for d in received if d.kind != phone],
        "calls": [_line(d) for d in received if d.kind == phone],
        "due_soon": [_line(d) for d in sections[DUE_SOON]],
        "overdue": [_line(d) for d in sections[OVERDUE]],
        **totals,
    }
