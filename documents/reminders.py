"""催办: due-soon and overdue reminders, escalation to the deputy leader in charge."""

from datetime import timedelta

from django.conf import settings
from django.db import IntegrityError, transaction
from django.utils import timezone

from township_office import audit
from township_office.notifications import notify

from . import workflow
from .models import IncomingDocument, Reminder

OPEN = [IncomingDocument.Status.INSTRUCTING, IncomingDocument.Status.HANDLING]


def send_due_reminders(today=None):
    """One Reminder row per (file, kind, deadline): the unique event key makes a second run a no-op."""
    today = today or timezone.localdate()
    horizon = today + timedelta(days=settings.REMINDER_DAYS_BEFORE)
    sent = 0
    due = IncomingDocument.objects.filter(status__in=OPEN, deadline__isnull=False, deadline__lte=horizon)
    for document in due.prefetch_related("assignments__department"):
        overdue = document.deadline < today
        kind = Reminder.Kind.OVERDUE if overdue else Reminder.Kind.DUE_SOON
        key = f"{kind}:{document.code}:{document.deadline.isoformat()}"
        try:
            with transaction.atomic():
                Reminder.objects.create(document=document, kind=kind, event_key=key)
                audit.record(Reminder.Kind(kind).label, by=None, obj=document, comment=f"时限 {document.deadline}")
        except IntegrityError:
            continue  # already reminded for this due event
        url = document.get_absolute_url()
        if overdue:
            title = f"已逾期：{document.title}（时限 {document.deadline:%m月%d日}）"
            notify(workflow._chase_targets(document), title, url=url, event_key=key)
            notify(
                workflow.escalation_targets(document),
                f"分管部门文件逾期：{document.title}",
                url=url,
                event_key=f"{key}:escalate",
            )
        else:
            title = f"即将到期：{document.title}（时限 {document.deadline:%m月%d日}）"
            notify(workflow._chase_targets(document), title, url=url, event_key=key)
        sent += 1
    return sent
