"""The 待办 count in the navigation: open work items (``worklist``), to act on and to read.

The list itself is the home page (``views.todo_page``), read from the work items alone.
"""

from django.core.cache import cache

from . import worklist

# The navigation shows the count on every page; it is kept this many seconds, and forgotten as soon as the
# person is given or finishes a work item (``worklist.forget_counts``). The 我的待办 page always lists afresh.
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
    value = cache.get(worklist.count_key(user.pk))
    if value is None:
        value = min(upto(worklist.waiting_all(user)), COUNT_CAP + 1)
        cache.set(worklist.count_key(user.pk), value, TOTAL_SECONDS)
    return value
