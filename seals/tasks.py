from celery import shared_task
from django.utils import timezone

from township_office.notifications import notify

from . import workflow


@shared_task
def chase_overdue_returns():
    """Beat: seals taken out and not back by the expected time; each request chased once a day."""
    today = timezone.localdate().isoformat()
    count = 0
    for request in workflow.overdue_returns().select_related("applicant"):
        people = [request.applicant, *workflow.custodians_of(request)]
        notify(
            people,
            f"印章外带逾期未归还：{request.title}",
            url=request.get_absolute_url(),
            event_key=f"seal-return:{request.code}:{today}",
        )
        count += 1
    return count
