"""我的待办: each app implements one small provider; the page and the navigation
counts collect them. Apps register in ``<app>/todo.py`` (autodiscovered)::

    from township_office import todo

    @todo.register
    class DocumentTodo(todo.Provider):
        app_label = "公文"
        def items(self, user): ...   # list of TodoItem, at most `limit`
        def count(self, user): ...   # one COUNT query
"""

from dataclasses import dataclass, field
from datetime import date, datetime

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

    def items(self, user, limit=50):
        raise NotImplementedError

    def count(self, user):
        raise NotImplementedError


def register(provider_class):
    if not any(type(p) is provider_class for p in _providers):
        _providers.append(provider_class())
        _providers.sort(key=lambda p: p.order)
    return provider_class


def providers():
    return list(_providers)


def collect(user, limit=50):
    """[(app_label, [TodoItem…], count), …] for every app with something waiting."""
    sections = []
    for provider in _providers:
        count = provider.count(user)
        if count:
            items = provider.items(user, limit=limit)
            for item in items:
                item.app = provider.app_label
            sections.append((provider.app_label, items, count))
    return sections


def total(user):
    return sum(p.count(user) for p in _providers)
