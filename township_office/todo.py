"""The 待办 count in the navigation: open work items (``worklist``), to act on and to read.

The list itself is the home page (``views.todo_page``), read from the work items alone.
"""

from django.db import connections

from . import worklist

# The navigation shows the count on every page; it is kept this many seconds in the shared cache (``CACHES``:
# Redis with a broker, files in DATA_DIR on one PC, the same for every process), and forgotten there as soon as
# the person is given or finishes a work item (``worklist.forget_counts``). The 我的待办 page always lists afresh.
TOTAL_SECONDS = 60
# Counts stop here: the badge says "99+" like every phone does, and no count reads ten years of records.
COUNT_CAP = 99


def upto(queryset):
    """How many rows ``queryset`` has, counting no further than COUNT_CAP + 1."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def label(count):
    """The count as shown: "99+" past the cap, nothing for none."""
    if not count:
        return ""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def total(user):
    """The number shown in the navigation (cached briefly, see TOTAL_SECONDS): open items to act on or read."""
    value = worklist.cached_count(user.pk)
    if value is None:
        value = min(upto(worklist.waiting_all(user)), COUNT_CAP + 1)
        worklist.keep_count(user.pk, value, TOTAL_SECONDS)
    return value


def tab_counts(user):
    """The counts on 我的待办's tabs — open items to act on, unread items to read, lines of 已办, records started —
    each up to COUNT_CAP + 1, in one query whatever the volume (one capped subquery per tab), as ``label()`` shows
    them."""
    from . import worklist
    from .models import WorkItem

    querysets = {
        "todo": worklist.waiting(user),
        "read": worklist.read_items(user).filter(done_at__isnull=True),
        "done": worklist.done_by(user),
        "started": worklist.started_by(user),
    }
    parts, params = [], []
    for queryset in querysets.values():
        capped = queryset.order_by().values("pk")[: COUNT_CAP + 1]
        sql, part_params = capped.query.get_compiler(queryset.db).as_sql()
        parts.append(f"(SELECT COUNT(*) FROM ({sql}) capped)")
        params.extend(part_params)
    with connections[WorkItem.objects.db].cursor() as cursor:
        cursor.execute("SELECT " + ", ".join(parts), params)
        row = cursor.fetchone()
    return {tab: label(count) for tab, count in zip(querysets, row, strict=True)}
