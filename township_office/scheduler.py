"""The schedule on the embedded default: ``manage.py run_schedule`` beside gunicorn.

Why a small process of our own and not huey or django-q2: the schedule already exists as
``CELERY_BEAT_SCHEDULE`` and the jobs as Celery tasks, which run in-process when there is no
broker. Reading the same schedule (with Celery's own ``crontab``/interval arithmetic) and calling
the same tasks in-process needs no second task system, no second schedule to keep in step and
no new dependency; with Redis, ``celery beat`` reads the very same entries.

- Each entry's last run is kept in the database (``Heartbeat`` rows named ``job:<entry>``), so a
  run missed while the PC was off happens once when it starts again, as with beat's schedule file.
- The ``heartbeat`` entry runs like any other and is what /healthz looks at.
- A lock file in DATA_DIR keeps a second scheduler from running the same jobs twice.
- Every job is also ``manage.py run_job <entry>``, for cron or a systemd timer.
"""

import fcntl
import logging
import signal
import time

from celery.schedules import maybe_schedule
from django.conf import settings
from django.db import close_old_connections
from django.utils import timezone

logger = logging.getLogger(__name__)

MAX_SLEEP = 30  # seconds: wake up at least this often


def _app():
    from .celery import app

    app.loader.import_default_modules()  # registers every app's tasks
    return app


def entries(schedule=None):
    """{name: (task name, schedule object, args, kwargs)} from CELERY_BEAT_SCHEDULE."""
    app = _app()
    result = {}
    for name, entry in (schedule if schedule is not None else settings.CELERY_BEAT_SCHEDULE).items():
        result[name] = (
            entry["task"],
            maybe_schedule(entry["schedule"], app=app),
            tuple(entry.get("args", ())),
            dict(entry.get("kwargs", {})),
        )
    return result


def run_job(name, schedule=None):
    """Run one schedule entry in this process now. Returns the task's result; raises on failure."""
    app = _app()
    known = entries(schedule)
    if name not in known:
        raise KeyError(name)
    task_name, _, args, kwargs = known[name]
    return app.tasks[task_name].apply(args=args, kwargs=kwargs, throw=True).get()


class Scheduler:
    """Runs the due entries of the schedule in-process, one tick at a time."""

    def __init__(self, schedule=None):
        self.entries = entries(schedule)
        self.last_run = {}

    def _job_key(self, name):
        return f"job:{name}"[:40]

    def load(self, now):
        """Last runs from the database. An entry never run: an interval (the heartbeat) is due at
        once, a crontab entry at its next time."""
        from celery.schedules import crontab

        from .models import Heartbeat

        stored = {h.name: h.at for h in Heartbeat.objects.filter(name__startswith="job:")}
        for name, (_, schedule, _, _) in self.entries.items():
            first = now if isinstance(schedule, crontab) else now - schedule.run_every
            self.last_run[name] = stored.get(self._job_key(name), first)

    def tick(self, now=None):
        """Run every due entry. Returns (names run, seconds until the next one is due)."""
        from .health import record_heartbeat

        now = now or timezone.now()
        if not self.last_run:
            self.load(now)
        ran, next_in = [], MAX_SLEEP
        for name, (task_name, schedule, _args, _kwargs) in self.entries.items():
            # A last run later than now: the clock was turned back. Counting from it would hold the entry (and the
            # heartbeat /healthz reads) back until the clock catches up; count from now instead.
            self.last_run[name] = min(self.last_run[name], now)
            due, wait = self._is_due(schedule, self.last_run[name], now)
            if due:
                self.last_run[name] = now
                record_heartbeat(self._job_key(name), now)
                try:
                    run_job(name)
                except Exception:
                    logger.exception("scheduled job %s (%s) failed", name, task_name)
                ran.append(name)
                due, wait = self._is_due(schedule, now, now)
            next_in = min(next_in, max(wait, 1))
        return ran, next_in

    @staticmethod
    def _is_due(schedule, last_run, now):
        # Celery's schedules ask their ``nowfun`` for the time; give them ours (tests pass a fixed time).
        original = schedule.nowfun
        schedule.nowfun = lambda: now
        try:
            return schedule.is_due(last_run)
        finally:
            schedule.nowfun = original


class AlreadyRunning(Exception):
    pass


def run_forever(stop=None):
    """The scheduler process: tick, sleep until the next entry is due, survive a database outage."""
    lock_path = settings.DATA_DIR / "scheduler.lock"
    lock = open(lock_path, "w")  # noqa: SIM115 (held for the life of the process)
    try:
        fcntl.flock(lock, fcntl.LOCK_EX | fcntl.LOCK_NB)
    except OSError:
        lock.close()
        raise AlreadyRunning(str(lock_path)) from None
    stopping = {"now": False}

    def _stop(*_):
        stopping["now"] = True

    previous = {sig: signal.signal(sig, _stop) for sig in (signal.SIGTERM, signal.SIGINT)}

    def done():
        return stopping["now"] or bool(stop and stop())

    scheduler = Scheduler()
    try:
        while not done():
            close_old_connections()
            try:
                _, wait = scheduler.tick()
            except Exception:
                logger.exception("scheduler tick failed (database down?); retrying")
                scheduler.last_run = {}
                wait = MAX_SLEEP
            deadline = time.monotonic() + wait
            while time.monotonic() < deadline and not done():
                time.sleep(min(1, max(deadline - time.monotonic(), 0)))
    finally:
        for sig, handler in previous.items():
            signal.signal(sig, handler)
        lock.close()
