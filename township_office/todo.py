"""我的待办: each app implements one small provider; the page and the navigation
counts collect them. Apps register in ``<app>/todo.py`` (autodiscovered)::

    from township_office import todo

    @todo.register
    class DocumentTodo(todo.Provider):
        app_label = "公文"
        def items(self, user, limit): ...   # list of TodoItem, at most `limit`
        def count(self, user): ...   # COUNT queries, each through todo.upto()
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.core.cache import cache

# The navigation shows the count on every page; it is kept this many seconds, and forgotten as soon as the
# person is notified of something or completes a step (see forget()). The 我的待办 page always counts afresh.
TOTAL_SECONDS = 60
# Counts stop here: the badge says "99+" like every phone does, and no count reads ten years of records.
COUNT_CAP = 99

_providers = []


@dataclass
class TodoItem:
    kind: str  # what is waiting, e.g. "待批示"
    title: str
    url: str
    due: date | None = None
    urgent: bool = False
    overdue: bool = False
    since: datetime | None = None
    detail: str = ""
    app: str = field(default="")


class Provider:
    app_label = ""
    order = 100

    def items(self, user, limit=None):
        raise NotImplementedError

    def count(self, user):
        raise NotImplementedError


def upto(queryset):
    """How many rows ``queryset`` has, counting no further than COUNT_CAP + 1."""
    return queryset.order_by()[: COUNT_CAP + 1].count()


def label(count):
    """The count as shown: "99+" past the cap, nothing for none."""
    if not count:
        return ""
    return f"{COUNT_CAP}+" if count > COUNT_CAP else str(count)


def register(provider_class):
    if not any(type(p) is provider_class for p in _providers):
        _providers.append(provider_class())
        _providers.sort(key=lambda p: p.order)
    return provider_class


def providers():
    return list(_providers)


def _key(user_id):
    return f"todo-total:{user_id}"


def forget(*user_ids):
    cache.delete_many([_key(uid) for uid in user_ids])


# Items shown per app on 我的待办 (a phone screen or two); the rest are in each app's lists.
ITEMS_PER_APP = 20


def collect(user, limit=None):
    """[(app_label, [TodoItem…], count), …] for every app with something waiting (count capped, see label())."""
    limit = limit or ITEMS_PER_APP
    sections = []
    for provider in _providers:
        items = provider.items(user, limit=limit)
        if not items:
            continue
        count = len(items)
        if count == limit:  # fewer items than asked for are all there is: only a full list is counted
            count = min(max(provider.count(user), count), COUNT_CAP + 1)
        for item in items:
            item.app = provider.app_label
        sections.append((provider.app_label, items, count))
    return sections


def total(user):
    """The number shown in the navigation (cached briefly, see TOTAL_SECONDS)."""
    value = cache.get(_key(user.pk))
    if value is None:
        from . import worklist

        waiting = upto(worklist.waiting(user)) + upto(worklist.read_items(user).filter(done_at__isnull=True))
        value = min(waiting + sum(p.count(user) for p in _providers), COUNT_CAP + 1)
        cache.set(_key(user.pk), value, TOTAL_SECONDS)
    return value
