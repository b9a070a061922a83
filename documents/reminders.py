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
            notify(workflow.chase_targets(document), title, url=url, event_key=key)
            notify(
                workflow.escalation_targets(document),
                f"分管部门文件逾期：{document.title}",
                url=url,
                event_key=f"{key}:escalate",
            )
        else:
            title = f"即将到期：{document.title}（时限 {document.deadline:%m月%d日}）"
            notify(workflow.chase_targets(document), title, url=url, event_key=key)
        sent += 1
    return sent


def chase_secret_returns(today=None):
    """密件 copies past their entry's 应退还日期 and neither 清退 nor 销毁: the holder (or the person the copy waits
    for) and the register office are told, once a day per copy, whatever the number of runs. The notification names
    the register number and copy only ("密件" unless the title was registered as not secret)."""
    from .workflow import secret_steps

    today = today or timezone.localdate()
    count = 0
    for copy in secret_steps.overdue_copies(today).select_related("pending_to"):
        where = copy.holder.full_name if copy.holder_id else "办公室"
        notify(
            secret_steps.chase_targets(copy),
            f"密件逾期未退还：{copy.worklist_title()}，应退还日期 {copy.entry.return_by:%m月%d日}，现在{where}",
            url=copy.get_absolute_url(),
            event_key=f"secret-return:{copy.code}:{today.isoformat()}",
        )
        count += 1
    return count
