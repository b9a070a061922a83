"""The task outbox: a broker outage loses no task and hangs no request.

``OutboxTask`` is the Celery app's task class (``township_office/celery.py``), so every project
task's ``delay()`` and ``delay_on_commit()`` go through here, and app code is unchanged:

- Without a broker (``CELERY_BROKER_URL`` empty, the embedded default) the task runs in-process
  as before: ``delay`` at once, ``delay_on_commit`` after the transaction commits.
- With a broker, the call writes an ``OutboxMessage`` row in the caller's transaction: the task
  exists exactly when the step that queued it committed. After the commit, ``relay()`` tries to
  hand it to the broker at once; a broker that does not answer within 2 s leaves it in the outbox,
  and the periodic ``relay_outbox`` task (beat, every 30 s) or ``manage.py relay_outbox`` sends it
  once the broker is back. After a failed attempt, requests stop trying for a while
  (``PAUSE_AFTER_FAILURE``) so that no request waits on a dead broker twice in a row.
- Exactly once: the message is published with its row's ``task_id``; the worker claims the row
  (``started_at``, a conditional update) before running the task, so a message published twice
  (the relay died between publishing and marking the row) still runs once.
"""

import logging
import threading
import time
import uuid

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from django.utils import timezone

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2  # seconds: connecting to the broker gives up after this
PAUSE_AFTER_FAILURE = 15  # seconds during which requests leave messages to the periodic relay
BATCH = 100

_last_failure = 0.0
_lock = threading.Lock()


def _app():
    from .celery import app

    return app


def _connection():
    app = _app()
    return app.connection_for_write(
        app.conf.broker_url,
        connect_timeout=CONNECT_TIMEOUT,
        transport_options={
            **(app.conf.broker_transport_options or {}),
            "socket_connect_timeout": CONNECT_TIMEOUT,
            "socket_timeout": CONNECT_TIMEOUT,
            "max_retries": 0,
        },
    )


def _ensure(conn):
    """Connect now (kombu connects lazily), giving up within CONNECT_TIMEOUT."""
    conn.ensure_connection(max_retries=0, timeout=CONNECT_TIMEOUT)
    channel = conn.default_channel
    client = getattr(channel, "client", None)
    if client is not None:  # redis: the transport only dials on first use
        client.ping()


def broker_answers():
    try:
        with _connection() as conn:
            _ensure(conn)
    except Exception as exc:
        logger.warning("broker does not answer: %s", exc.__class__.__name__)
        return False
    return True


def relay(ids=None, *, limit=None):
    """Publish unsent outbox rows (all, or those in ``ids``), oldest first. Returns how many were sent.

    Never raises for a broker outage: the rows stay and the next run sends them."""
    global _last_failure
    from .models import OutboxMessage

    app = _app()
    if not app.conf.broker_url:
        return 0  # the embedded default: tasks ran in-process, the outbox is not used
    sent = 0
    try:
        with _connection() as conn:
            _ensure(conn)
            while limit is None or sent < limit:
                with transaction.atomic():
                    rows = OutboxMessage.objects.select_for_update(skip_locked=True).filter(sent_at__isnull=True)
                    if ids is not None:
                        rows = rows.filter(pk__in=ids)
                    batch = list(rows.order_by("pk")[:BATCH])
                    if not batch:
                        break
                    for row in batch:
                        # By name: a message whose task this process does not know still goes to the worker.
                        app.send_task(row.task_name, row.args, row.kwargs, task_id=str(row.task_id), connection=conn)
                        OutboxMessage.objects.filter(pk=row.pk).update(
                            sent_at=timezone.now(), attempts=row.attempts + 1, last_error=""
                        )
                        sent += 1
    except Exception as exc:
        with _lock:
            _last_failure = time.monotonic()
        logger.warning("outbox: broker unavailable, messages wait for the next relay: %s", exc.__class__.__name__)
        if ids is not None:
            OutboxMessage.objects.filter(pk__in=ids, sent_at__isnull=True).update(
                last_error=exc.__class__.__name__[:200]
            )
    return sent


def _relay_after_commit(pk):
    if time.monotonic() - _last_failure < PAUSE_AFTER_FAILURE:
        return  # the broker failed a moment ago: the periodic relay sends it
    relay([pk])


KEEP_DAYS = 30  # rows of messages that ran are kept this long as a record, then deleted


def prune(days=KEEP_DAYS):
    """Delete the rows of messages that started more than ``days`` ago. Returns how many."""
    from datetime import timedelta

    from .models import OutboxMessage

    return OutboxMessage.objects.filter(started_at__lt=timezone.now() - timedelta(days=days)).delete()[0]


def pending_count():
    from .models import OutboxMessage

    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


class OutboxTask(DjangoTask):
    """Celery task class of the project: ``delay``/``delay_on_commit`` go through the outbox."""

    def delay(self, *args, **kwargs):
        if self.app.conf.task_always_eager:
            return self.apply_async(args, kwargs)
        return self._write_outbox(args, kwargs)

    def delay_on_commit(self, *args, **kwargs):
        if self.app.conf.task_always_eager:
            transaction.on_commit(lambda: self.apply_async(args, kwargs))
            return None
        return self._write_outbox(args, kwargs)

    def _write_outbox(self, args, kwargs):
        from .models import OutboxMessage

        message = OutboxMessage.objects.create(task_name=self.name, args=list(args), kwargs=dict(kwargs))
        transaction.on_commit(lambda: _relay_after_commit(message.pk))
        return self.AsyncResult(str(message.task_id))

    def __call__(self, *args, **kwargs):
        if not self.request.is_eager and self.request.id and not _claim(self.request.id):
            logger.info("outbox: %s %s already ran, skipped", self.name, self.request.id)
            return None
        return super().__call__(*args, **kwargs)


def _claim(task_id):
    """True when this worker may run the message: it is not from the outbox, or nobody ran it yet."""
    from .models import OutboxMessage

    try:
        key = uuid.UUID(str(task_id))
    except ValueError:
        return True
    if OutboxMessage.objects.filter(task_id=key, started_at__isnull=True).update(started_at=timezone.now()):
        return True
    return not OutboxMessage.objects.filter(task_id=key).exists()
