from celery import shared_task
from django.db import IntegrityError, transaction
from django.utils import timezone

from township_office.models import User
from township_office.notifications import notify
from township_office.roles import Role, role_users

from . import daily, rules, services
from .models import CaseReminder, PetitionCase


@shared_task
def send_daily_report():
    """Beat, each morning: render each principal leader's daily report as PDF and notify them."""
    return [report.pk for report in daily.produce()]


@shared_task
def send_reminders():
    """Beat: notice and handling deadlines within 3 days and overdue; each due event once."""
    today = timezone.localdate()
    sent = 0
    for case in PetitionCase.objects.filter(status__in=services.OPEN).select_related("lead_department"):
        due = case.notice_due if case.status == PetitionCase.Status.REGISTERED else case.effective_deadline
        if due is None or (due - today).days > 3:
            continue
        kind = "overdue" if due < today else "due"
        key = f"case:{case.code}:{case.status}:{kind}:{due}"
        try:
            with transaction.atomic():
                CaseReminder.objects.create(case=case, event_key=key)
        except IntegrityError:
            continue
        people = list(role_users(Role.OFFICE_DIRECTOR))
        if case.lead_department_id:
            people += list(User.objects.filter(department_id=case.lead_department_id, is_active=True))
        people = [p for p in people if not rules.is_accused(case, p)]  # an accusation never reaches the accused
        word = "已逾期" if kind == "overdue" else "即将到期"
        notify(
            people, f"信访事项{word}：{case.number}（时限 {due:%m月%d日}）", url=case.get_absolute_url(), event_key=key
        )
        sent += 1
    return sent
