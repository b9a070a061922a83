from celery import shared_task

from . import notifications


@shared_task
def create_notifications(user_ids, title, url="", body="", event_key=""):
    return notifications.create(user_ids, title, url, body, event_key)
