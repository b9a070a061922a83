"""The morning PDF of the daily report (每日来文来电来访汇报): one per principal leader, with what that leader may
read, and a notification linking to it.

With a broker, beat runs ``tasks.send_daily_report`` at DAILY_REPORT_HOUR:DAILY_REPORT_MINUTE as before. On the
embedded default (no broker, so no beat either) nothing would ever run it: the first request after the report
hour produces the PDFs in-process (``on_request_started``), and the report page offers 生成今日汇报.

Each line of the PDF links to its record. The links need the address the leaders open the system at: SITE_URL
when set (beat has no request), else the address of the request that made the PDF.
"""

import logging

from django.conf import settings
from django.core.files.base import ContentFile
from django.db import IntegrityError, transaction
from django.urls import reverse
from django.utils import timezone

from township_office.notifications import notify
from township_office.roles import Role, role_users

from . import pdf, services
from .models import DailyReport

logger = logging.getLogger(__name__)


def counts(report):
    """The notification's summary: each section's heading figure (masked and recused lines counted)."""
    n = report["counts"]
    return (
        f"来文{n['incoming']}件、来电{n['calls']}次、来访{n['visits']}批、"
        f"新增信访{n['new_cases']}件、三日内到期{n['due_soon']}项、逾期{n['overdue']}项"
    )


def produce(day=None, *, base_url="", force=False):
    """Render each principal leader's PDF of ``day`` (today, Beijing time) and notify them; a PDF already made is
    kept unless ``force`` (生成今日汇报 makes it afresh). Returns the DailyReports made.

    ``base_url``: the address the readers open the system at, so that each line of the PDF links to its record;
    settings.SITE_URL when none is given (beat has no request to take it from)."""
    day = day or timezone.localdate()
    base_url = (base_url or settings.SITE_URL).rstrip("/")
    made = []
    for leader in role_users(Role.PRINCIPAL_LEADER):
        existing = DailyReport.objects.filter(date=day, recipient=leader).first()
        if existing is not None and not force:
            continue
        report = services.daily_report(day, viewer=leader)
        content = pdf.daily_report(report, base_url=base_url)
        try:
            with transaction.atomic():
                daily = existing or DailyReport.objects.create(date=day, recipient=leader)
                daily.file.save(f"daily-{day:%Y%m%d}-{leader.pk}.pdf", ContentFile(content), save=True)
                notify(
                    [leader],
                    f"{day:%m月%d日}每日来文来电来访汇报",
                    url=reverse("visitors:daily_report_pdf", args=[daily.pk]),
                    body=counts(report),
                    event_key=f"daily:{day}",
                )
        except IntegrityError:  # made at the same moment by another request or the worker
            continue
        made.append(daily)
    return made


def in_process():
    """Whether the first request after the report hour makes the PDFs (DAILY_REPORT_IN_PROCESS: on by default
    when no broker is configured, so no beat runs)."""
    return bool(getattr(settings, "DAILY_REPORT_IN_PROCESS", not settings.CELERY_BROKER_URL))


_checked = {"day": None}  # the local day this process has already made sure of


def due_now(now=None):
    """Today's date once the report hour has passed (Beijing time), else None."""
    now = timezone.localtime(now)
    if (now.hour, now.minute) < (settings.DAILY_REPORT_HOUR, settings.DAILY_REPORT_MINUTE):
        return None
    return now.date()


def make_sure(now=None, environ=None):
    """The first call after the report hour each day makes the day's PDFs (once per process and day; one query
    on later days' first request, nothing at all on the other requests). ``environ``: the request's, whose address
    the PDF's links start with when SITE_URL is not set."""
    day = due_now(now)
    if day is None or _checked["day"] == day:
        return []
    _checked["day"] = day
    try:
        return produce(day, base_url=settings.SITE_URL or request_base_url(environ))
    except Exception:  # the person's request goes on; the page still offers 生成今日汇报
        logger.exception("每日汇报生成失败")
        return []


def request_base_url(environ):
    """The address the request came to, as Django reads it (scheme behind the proxy, host checked against
    ALLOWED_HOSTS): a forged Host header cannot put its address into the leaders' report."""
    from django.core.exceptions import DisallowedHost
    from django.core.handlers.wsgi import WSGIRequest

    if not environ:
        return ""
    try:
        return WSGIRequest(environ).build_absolute_uri("/").rstrip("/")
    except DisallowedHost:
        return ""


def on_request_started(sender, environ=None, **kwargs):
    if in_process():
        make_sure(environ=environ)
