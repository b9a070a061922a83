"""Celery beat's scheduler (``CELERY_BEAT_SCHEDULER``): the schedule, plus the outbox relay run in beat itself.

Beat's ``outbox-relay`` entry only publishes a ``relay_outbox`` task; a worker has to take it from the broker.
After a long outage the worker reconnects with a growing pause (kombu's 2, 4, … up to 30 s between attempts),
so the relay it would run could come more than 30 s after the broker's return. Beat publishes afresh at every
tick, so here, every ``outbox.RELAY_SECONDS``, it also relays in-process: the rows queued during the outage are
handed to the broker within ``RELAY_SECONDS + LEASE_SECONDS`` of its return whatever the worker is doing. Two
relays at once (beat's and a worker's) are harmless: each row is claimed by one of them (``outbox``).
"""

import logging
import time

from celery.beat import PersistentScheduler

logger = logging.getLogger(__name__)

_clock = time.monotonic


class Scheduler(PersistentScheduler):
    _next_relay = 0.0

    def tick(self, *args, **kwargs):
        wait = super().tick(*args, **kwargs)
        return min(wait, self.relay_if_due())

    def relay_if_due(self):
        """Relay now if RELAY_SECONDS have passed since the last time; the seconds until the next one."""
        from . import outbox

        now = _clock()
        if now >= self._next_relay:
            self._next_relay = now + outbox.RELAY_SECONDS
            try:
                import django
                from django.apps import apps
                from django.db import close_old_connections

                if not apps.ready:  # celery's Django fixup has set it up; a second setup() would redo the logging
                    django.setup()
                close_old_connections()  # a connection the database dropped meanwhile is not reused
                sent = outbox.relay()
                if sent:
                    logger.info("beat: outbox relay sent %d task(s)", sent)
            except Exception:  # noqa: BLE001 - beat keeps the rest of the schedule going
                logger.exception("beat: outbox relay failed")
        return max(self._next_relay - _clock(), 0.1)
