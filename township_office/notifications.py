"""In-app notifications: ``notify`` queues a Celery task after the transaction commits."""

from .models import Notification


def notify(users, title, *, url="", body="", event_key=""):
    """Tell ``users`` (users or user ids) about something. With an ``event_key`` the same
    event reaches each person at most once, however often it is raised."""
    from .tasks import create_notifications

    ids = sorted({u if isinstance(u, int) else u.pk for u in users if u is not None})
    if ids:
        from . import todo

        todo.forget(*ids)  # something new may be waiting for them
        create_notifications.delay_on_commit(ids, title, url, body, event_key)


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
    return Notification.objects.filter(recipient=user, read_at__isnull=True).count()
