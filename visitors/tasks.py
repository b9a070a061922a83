from celery import shared_task
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from township_office.models import User
from township_office.notifications import notify
from township_office.roles import Role, role_users

from . import pdf, services
from .models import CaseReminder, DailyReport, PetitionCase


@shared_task
def send_daily_report():
    """Beat, each morning: render the daily report as PDF and notify each principal leader."""
    today = timezone.localdate()
    report = services.daily_report(today)
    content = pdf.daily_report(report)
    daily, _ = DailyReport.objects.get_or_create(date=today)
    daily.file.save(f"daily-{today:%Y%m%d}.pdf", ContentFile(content), save=True)
    counts = (
        f"来文{len(report['incoming'])}件、来电{len(report['calls'])}次、来访{len(report['visits'])}批、"
        f"新增信访{len(report['new_cases'])}件、三日内到期{len(report['due_soon'])}项、逾期{len(report['overdue'])}项"
    )
    notify(
        role_users(Role.PRINCIPAL_LEADER),
        f"{today:%m月%d日}每日来文来电来访汇报",
        url=reverse("visitors:daily_report_pdf", args=[daily.pk]),
        body=counts,
        event_key=f"daily:{today}",
    )
    return daily.pk


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
        word = "已逾期" if kind == "overdue" else "即将到期"
        notify(
            people, f"信访事项{word}：{case.number}（时限 {due:%m月%d日}）", url=case.get_absolute_url(), event_key=key
        )
        sent += 1
    return sent
