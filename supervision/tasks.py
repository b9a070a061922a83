from celery import shared_task

from . import services


@shared_task
def refresh_lights():
    """Beat, each morning before the daily report: every open item's light as of today (Beijing time)."""
    return services.refresh_lights()
