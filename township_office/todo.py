"""The 待办 count in the navigation: open work items (``worklist``), to act on and to read.

The list itself is the home page (``views.todo_page``), read from the work items alone.
"""

import logging
import time

from django.core.cache import cache

logger = logging.getLogger(__name__)

# The navigation shows the count on every page; it is kept this many seconds in the shared cache (``CACHES``:
# Redis with a broker, files in DATA_DIR on one PC, the same for every process), and forgotten there as soon as
# the person is given or finishes a work item (see forget()). The 我的待办 page always lists afresh.
TOTAL_SECONDS = 60
# A cache that fails (Redis down) is left alone this long: meanwhile every page counts afresh, none waits.
PAUSE_AFTER_FAILURE = 15
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


def _key(user_id):
    return f"todo-total:{user_id}"


_failed_at = 0.0


def _cached(operation, *args):
    """``cache.<operation>(*args)``, or None when the cache fails (and for PAUSE_AFTER_FAILURE after that)."""
    global _failed_at
    if time.monotonic() - _failed_at < PAUSE_AFTER_FAILURE:
        return None
    try:
        return getattr(cache, operation)(*args)
    except Exception as exc:  # noqa: BLE001 - a cache outage must not turn every page into an error
        _failed_at = time.monotonic()
        logger.warning("todo: cache unavailable, counting afresh: %s", exc.__class__.__name__)
        return None


def forget(*user_ids):
    _cached("delete_many", [_key(uid) for uid in user_ids])


def total(user):
    """The number shown in the navigation (cached briefly, see TOTAL_SECONDS): open items to act on or read."""
    value = _cached("get", _key(user.pk))
    if value is None:
        from . import worklist

        value = min(upto(worklist.waiting_all(user)), COUNT_CAP + 1)
        _cached("set", _key(user.pk), value, TOTAL_SECONDS)
    return value
