import os

from celery import Celery

os.environ.setdefault("DJANGO_SETTINGS_MODULE", "township_office.settings")

# Every task's delay()/delay_on_commit() goes through the outbox (township_office/outbox.py).
app = Celery("township_office", task_cls="township_office.outbox:OutboxTask")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.autodiscover_tasks()
