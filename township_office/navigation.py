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


def entries_for(user):
    held = roles_of(user)
    result = []
    for entry in _entries:
        if held.intersection(entry.roles):
            try:
                result.append((entry.label, reverse(entry.url_name), entry.url_name.split(":")[0]))
            except NoReverseMatch:
                continue
    return result
