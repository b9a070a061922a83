"""Navigation entries; each app registers its own in its AppConfig.ready()."""

from dataclasses import dataclass

from django.urls import NoReverseMatch, reverse

from .roles import roles_of


@dataclass(frozen=True)
class NavEntry:
    label: str
    url_name: str
    roles: tuple  # shown to holders of any of these roles
    order: int = 100


_entries = []


def register(label, url_name, roles, order=100):
    entry = NavEntry(label, url_name, tuple(roles), order)
    if entry not in _entries:
        _entries.append(entry)
        _entries.sort(key=lambda e: e.order)


def entries_for(user, path=""):
    """[(label, url, active)] for the entries the user's roles may see; the active one is the entry whose URL is
    the longest prefix of ``path`` (so /visitors/cases/… marks 信访事项, not 来访登记 at /visitors/)."""
    held = roles_of(user)
    result = []
    for entry in _entries:
        if held.intersection(entry.roles):
            try:
                result.append((entry.label, reverse(entry.url_name)))
            except NoReverseMatch:
                continue
    matches = [url for _, url in result if path.startswith(url) and url != "/"]
    active = max(matches, key=len) if matches else None
    return [(label, url, url == active) for label, url in result]


# --- Quick-create buttons on the home page (登记收文, 登记来访, 申请用印, 新建接待, 拟稿) ---------------------------

_quick = []


def register_quick(label, url_name, roles, order=100):
    """A button on 我的待办 that starts a new record, shown to holders of any of ``roles``."""
    entry = NavEntry(label, url_name, tuple(roles), order)
    if entry not in _quick:
        _quick.append(entry)
        _quick.sort(key=lambda e: e.order)


def quick_for(user):
    """[(label, url)] of the quick-create buttons the user's roles may use."""
    held = roles_of(user)
    result = []
    for entry in _quick:
        if held.intersection(entry.roles):
            try:
                result.append((entry.label, reverse(entry.url_name)))
            except NoReverseMatch:
                continue
    return result
