"""In-app notifications: rows written in the step's own transaction.

They need no broker: a step that commits has told its people, and a step that is refused or rolls back has
told nobody. A notification announcing a work item (``worklist.assign(..., notify=...)``) clears itself once
the item is done, by whoever did it.

Notifications follow access: once a person can no longer open a record (a grant revoked or replaced, a step
reassigned, a 撤回), the notifications to them about it are deleted (``forget_lost``, called by
``permissions.revoke`` and ``set_grants``). Deleted rather than blanked: a notification is only a pointer to the
record, and a blanked one would still count in the badge and lead to a 404; what happened stays in the audit
log. A notification is about a record when it points at the record's page or announces one of its work items."""

import functools
import logging

from django.db import transaction
from django.db.models import Q

from . import worklist
from .models import Notification

log = logging.getLogger(__name__)


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


def about(obj):
    """A Q: the notifications about ``obj`` (its page, or one of its work items)."""
    from django.contrib.contenttypes.models import ContentType

    content_type = ContentType.objects.get_for_model(type(obj))
    condition = Q(work_item__matter__content_type=content_type, work_item__matter__object_id=obj.pk)
    url = obj.get_absolute_url() if hasattr(obj, "get_absolute_url") else ""
    if url:
        condition |= Q(url=url)
    return condition


def forget_lost(obj, *, user_ids=(), group_ids=()):
    """Once the transaction commits: the notifications about ``obj`` of those of these people (and of the members
    of these groups) who can no longer open it are deleted. Checked after the commit, against the record as the
    whole step left it: a person given the record back later in the same step keeps what they were told, and a
    step that rolls back takes nothing."""
    user_ids, group_ids = frozenset(user_ids), frozenset(group_ids)
    if user_ids or group_ids:
        forget = functools.partial(_forget_lost, type(obj), obj.pk, user_ids, group_ids)
        transaction.on_commit(forget, robust=True)


def _forget_lost(model, pk, user_ids, group_ids):
    from . import visibility
    from .models import User

    obj = model._default_manager.filter(pk=pk).first()
    if obj is None:
        return
    people = Q(recipient__in=user_ids) | Q(recipient__groups__in=group_ids)
    told = set(Notification.objects.filter(about(obj) & people).values_list("recipient_id", flat=True))
    lost = [user.pk for user in User.objects.filter(pk__in=told) if not visibility.can_open(user, obj)]
    if lost:
        with transaction.atomic():
            gone, _ = Notification.objects.filter(about(obj), recipient__in=lost).delete()
        log.info("%s notifications about %s %s deleted: access lost", gone, model._meta.label, pk)
