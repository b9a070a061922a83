"""One real Celery worker consuming a task from Redis and writing to the real database."""

import os
import subprocess
import sys
import time
import uuid

import pytest
from django.db import connection

from township_office.models import Notification

pytestmark = [pytest.mark.redis, pytest.mark.postgres, pytest.mark.django_db(transaction=True)]


def _database_url():
    s = connection.settings_dict
    return f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}"


def test_worker_consumes_notification_task_from_redis(township, clerk):
    from township_office.celery import app
    from township_office.tasks import create_notifications

    queue = f"test-{uuid.uuid4().hex[:8]}"
    env = dict(os.environ, DATABASE_URL=_database_url(), DJANGO_SETTINGS_MODULE="township_office.settings")
    worker = subprocess.Popen(
        [
            sys.executable,
            "-m",
            "celery",
            "-A",
            "township_office",
            "worker",
            "--pool=solo",
            "-Q",
            queue,
            "--without-gossip",
            "--without-mingle",
            "--without-heartbeat",
            "-l",
            "warning",
        ],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
    )
    app.conf.task_always_eager = False  # the suite runs tasks in-process; this test uses the broker
    try:
        assert app.conf.broker_url.startswith("redis://")
        result = create_notifications.apply_async(([clerk.pk], "来自队列的通知"), queue=queue)
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline and not Notification.objects.filter(recipient=clerk).exists():
            assert worker.poll() is None, worker.stdout.read().decode(errors="replace")
            time.sleep(0.3)
        assert Notification.objects.get(recipient=clerk).title == "来自队列的通知"
        assert result.get(timeout=10) == 1
    finally:
        app.conf.task_always_eager = True
        worker.terminate()
        worker.wait(timeout=20)
