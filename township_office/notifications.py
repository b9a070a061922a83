"""In-app notifications: rows written in the step's own transaction.

They need no broker: a step that commits has told its people, and a step that is refused or rolls back has
told nobody. A notification announcing a work item (``worklist.assign(..., notify=...)``) clears itself once
the item is done, by whoever did it."""

from . import worklist
from .models import Notification


def notify(users, title, *, url="", body="", event_key=""):
    """Tell ``users`` (users or user ids) about something. With an ``event_key`` the same
    event reaches each person at most once, however often it is raised."""
    ids = sorted({u if isinstance(u, int) else u.pk for u in users if u is not None})
    if ids:
        worklist.forget_counts(*ids)  # something new may be waiting for them
        create(ids, title, url, body, event_key)


def create(user_ids, title, url="", body="", event_key=""):
    """Create the rows (used by the task). Returns how many were new."""
    rows = [
        Notification(recipient_id=uid, title=title[:200], url=url, body=body, event_key=event_key[:120])
        for uid in user_ids
    ]
    before = Notification.objects.filter(recipient_id__in=user_ids, event_key=event_key).count() if event_key else 0
    Notification.objects.bulk_create(rows, ignore_conflicts=True)
    if event_key:
        return Notification.objects.filter(recipient_id__in=user_ids, event_key=event_key).count() - before
    return len(rows)


def unread_count(user):
    """The navigation badge. For the signed-in person it is the count loaded with them at the start of the request
    (township_office/backends.py): a request that reads notifications redirects before any page shows it."""
    loaded = getattr(user, "unread_notifications_at_load", None)
    if loaded is not None:
        return loaded
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
