from celery import shared_task

from . import notifications


@shared_task
def create_notifications(user_ids, title, url="", body="", event_key=""):
    return notifications.create(user_ids, title, url, body, event_key)


@shared_task
def convert_preview(storage_name, fmt, sha256):
    """Office or OFD file → the cached PDF of its preview (township_office.preview)."""
    from . import preview

    return preview.convert(storage_name, fmt, sha256)["state"]
