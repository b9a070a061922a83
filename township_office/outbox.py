"""The task outbox: a broker outage loses no task and hangs no request.

``OutboxTask`` is the Celery app's task class (``township_office/celery.py``), so every project
task's ``delay()`` and ``delay_on_commit()`` go through here, and app code is unchanged:

- Without a broker (``CELERY_BROKER_URL`` empty, the embedded default) the task runs in-process
  as before: ``delay`` at once, ``delay_on_commit`` after the transaction commits.
- With a broker, the call writes an ``OutboxMessage`` row in the caller's transaction: the task
  exists exactly when the step that queued it committed. After the commit, ``relay()`` tries to
  hand it to the broker at once; a broker that does not answer within 2 s leaves it in the outbox,
  and the periodic ``relay_outbox`` task (beat, every 10 s) or ``manage.py relay_outbox`` sends it
  once the broker is back. A relay claims rows for a short lease before publishing them and holds no
  row lock while it talks to the broker: one stuck or killed mid-send delays its rows by the lease
  (``LEASE_SECONDS``), never for good. After a failed attempt, requests stop trying for a while
  (``PAUSE_AFTER_FAILURE``) so that no request waits on a dead broker twice in a row.
- Exactly once: the message is published with its row's ``task_id``; the worker claims the row
  (``started_at``, a conditional update) before running the task, so a message published twice
  (the relay died between publishing and marking the row) still runs once.
"""

import logging
import threading
import time
import uuid
from datetime import timedelta

from celery.contrib.django.task import DjangoTask
from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

logger = logging.getLogger(__name__)

CONNECT_TIMEOUT = 2  # seconds: connecting to the broker gives up after this
PAUSE_AFTER_FAILURE = 15  # seconds during which requests leave messages to the periodic relay
BATCH = 100
# Seconds a relay holds the rows it is publishing (a healthy broker takes about a millisecond a row; a stuck
# one fails within the socket timeout). A relay that died mid-send delays its rows this long at most; with the
# relay every RELAY_SECONDS, a task queued during an outage is sent within RELAY_SECONDS + LEASE_SECONDS of the
# broker's return.
LEASE_SECONDS = 10
RELAY_SECONDS = 10  # beat's outbox-relay (settings.CELERY_BEAT_SCHEDULE) and beat's own relay (beat.py)

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


def _claim_batch(ids, size):
    """Claim up to ``size`` unsent rows (of ``ids``, or any) that no other relay holds: each gets a lease of
    LEASE_SECONDS, in a transaction of its own that commits before anything is published. Rows another
    connection has locked are skipped, not waited for."""
    from .models import OutboxMessage

    now = timezone.now()
    with transaction.atomic():
        rows = (
            OutboxMessage.objects.select_for_update(skip_locked=True)
            .filter(sent_at__isnull=True)
            .filter(Q(claimed_until__isnull=True) | Q(claimed_until__lte=now))
        )
        if ids is not None:
            rows = rows.filter(pk__in=ids)
        batch = list(rows.order_by("pk")[:size])
        if batch:
            OutboxMessage.objects.filter(pk__in=[row.pk for row in batch]).update(
                claimed_until=now + timedelta(seconds=LEASE_SECONDS)
            )
    return batch


def relay(ids=None, *, limit=None):
    """Publish unsent outbox rows (all, or those in ``ids``), oldest first. Returns how many were sent.

    Never raises for a broker outage: the rows stay and the next run sends them. No row lock is held while
    publishing (a relay stuck on the broker would stall every other one): rows are claimed for a lease first
    (``_claim_batch``); a relay that dies before marking its rows sent leaves them to be sent again once the
    lease has run out, and the worker runs a message published twice once (``_claim``)."""
    global _last_failure
    from .models import OutboxMessage

    app = _app()
    if not app.conf.broker_url:
        return 0  # the embedded default: tasks ran in-process, the outbox is not used
    sent = 0
    batch = []
    try:
        with _connection() as conn:
            _ensure(conn)
            while limit is None or sent < limit:
                batch = _claim_batch(ids, BATCH if limit is None else min(BATCH, limit - sent))
                if not batch:
                    break
                while batch:
                    row = batch[0]
                    # By name: a message whose task this process does not know still goes to the worker.
                    app.send_task(row.task_name, row.args, row.kwargs, task_id=str(row.task_id), connection=conn)
                    OutboxMessage.objects.filter(pk=row.pk).update(
                        sent_at=timezone.now(), attempts=F("attempts") + 1, last_error="", claimed_until=None
                    )
                    sent += 1
                    batch.pop(0)
    except Exception as exc:
        with _lock:
            _last_failure = time.monotonic()
        logger.warning("outbox: broker unavailable, messages wait for the next relay: %s", exc.__class__.__name__)
        if batch:  # claimed and not sent: free at once for the next relay rather than at the end of the lease
            OutboxMessage.objects.filter(pk__in=[row.pk for row in batch], sent_at__isnull=True).update(
                claimed_until=None
            )
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
    from .models import OutboxMessage

    return OutboxMessage.objects.filter(started_at__lt=timezone.now() - timedelta(days=days)).delete()[0]


def pending_count():
    from .models import OutboxMessage

    return OutboxMessage.objects.filter(sent_at__isnull=True).count()


def held_count():
    """Unsent rows a relay is sending right now (their lease has not run out)."""
    from .models import OutboxMessage

    return OutboxMessage.objects.filter(sent_at__isnull=True, claimed_until__gt=timezone.now()).count()


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
