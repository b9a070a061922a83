"""A broker outage loses no task and hangs no request: the outbox, its relay, and exactly-once runs."""

import time
from datetime import timedelta

import pytest
from django.db import connection, transaction
from django.urls import reverse
from django.utils import timezone

from documents import services, workflow
from documents.models import BatchPrint
from township_office import outbox
from township_office.models import Heartbeat, Notification, OutboxMessage
from township_office.tasks import heartbeat
from township_office.tests.services import broker, needs_redis_server, own_redis  # noqa: F401


@pytest.fixture
def queued(broker):  # noqa: F811
    """Tasks go to the broker (not in-process) while the test runs."""
    from township_office.celery import app

    app.conf.task_always_eager = False
    outbox._last_failure = 0.0
    yield broker
    app.conf.task_always_eager = True


def test_embedded_default_runs_tasks_in_process_without_outbox(db, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        heartbeat.delay_on_commit()
    assert Heartbeat.objects.filter(name="beat").exists()
    assert not OutboxMessage.objects.exists()


@needs_redis_server
def test_task_is_written_in_the_callers_transaction(db, queued):
    with transaction.atomic():
        heartbeat.delay_on_commit()
        assert OutboxMessage.objects.filter(task_name="township_office.tasks.heartbeat").count() == 1
        transaction.set_rollback(True)  # the step failed: its task never existed
    assert not OutboxMessage.objects.exists()


@needs_redis_server
def test_broker_down_gives_up_within_two_seconds_and_keeps_the_task(db, queued, django_capture_on_commit_callbacks):
    queued.stop()
    started = time.monotonic()
    with django_capture_on_commit_callbacks(execute=True):
        heartbeat.delay_on_commit()
    assert time.monotonic() - started < 3
    message = OutboxMessage.objects.get()
    assert message.sent_at is None
    assert outbox.relay() == 0 and OutboxMessage.objects.get().sent_at is None


@pytest.mark.postgres
@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_steps_taken_while_the_broker_is_down_run_once_when_it_returns(
    queued, client_for, clerk, office_director, deputy, monkeypatch
):
    from celery.contrib.testing.worker import start_worker

    from documents import pdf
    from township_office.celery import app

    documents = [
        services.register_incoming(
            by=clerk,
            data={
                "source_org": "县人民政府办公室",
                "source_doc_number": f"县政办发〔2026〕{i}号",
                "title": f"批量打印{i}",
                "doc_type": "通知",
                "deadline": timezone.localdate() + timedelta(days=5),
            },
        )
        for i in range(2)
    ]
    printed = []
    real = pdf.routing_slips
    monkeypatch.setattr(pdf, "routing_slips", lambda docs, **kw: printed.append(len(docs)) or real(docs, **kw))

    queued.stop()
    client = client_for(clerk)
    started = time.monotonic()
    response = client.post(reverse("documents:batch_print"), {"codes": [str(d.code) for d in documents]})
    assert response.status_code == 302 and time.monotonic() - started < 3  # the step succeeds, nothing hangs
    heartbeat.delay()  # a second, direct .delay() while the broker is down
    # A workflow step (拟办) while the broker is down: it succeeds and its notification is there at once.
    workflow.propose(documents[0], by=office_director, proposal="拟请陈刚副镇长阅示。", leaders=[deputy])
    assert Notification.objects.filter(recipient=deputy).exists()
    batch = BatchPrint.objects.get()
    assert batch.status == BatchPrint.Status.PENDING
    waiting = OutboxMessage.objects.filter(sent_at__isnull=True)
    assert sorted(waiting.values_list("task_name", flat=True)) == [
        "documents.tasks.print_slips",
        "township_office.tasks.heartbeat",
    ]

    queued.start()
    assert outbox.relay() == 2
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()
    # The relay died after publishing and before marking: the print is published a second time.
    OutboxMessage.objects.filter(task_name="documents.tasks.print_slips").update(sent_at=None)
    assert outbox.relay() == 1

    max_age = connection.settings_dict["CONN_MAX_AGE"]
    connection.settings_dict["CONN_MAX_AGE"] = 0  # the worker thread closes its connection after each task
    try:
        with start_worker(app, pool="solo", perform_ping_check=False, shutdown_timeout=30):
            deadline = time.monotonic() + 60
            while time.monotonic() < deadline:
                pending = OutboxMessage.objects.filter(started_at__isnull=True).exists()
                if not pending and BatchPrint.objects.get().status == BatchPrint.Status.DONE:
                    break
                time.sleep(0.3)
            time.sleep(2)  # room for the duplicate to be received (and skipped)
    finally:
        connection.settings_dict["CONN_MAX_AGE"] = max_age
        with connection.cursor() as cursor:  # the stopped worker thread's connection, left open by its thread
            cursor.execute(
                "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
                " WHERE datname = current_database() AND pid <> pg_backend_pid()"
            )
    assert BatchPrint.objects.get().status == BatchPrint.Status.DONE
    assert printed == [2]  # printed once, although published twice
    assert Heartbeat.objects.filter(name="beat").exists()
    assert not OutboxMessage.objects.filter(started_at__isnull=True).exists()


def test_rows_of_messages_that_ran_are_kept_a_month(db):
    old = OutboxMessage.objects.create(task_name="t", started_at=timezone.now() - timedelta(days=31))
    recent = OutboxMessage.objects.create(task_name="t", started_at=timezone.now() - timedelta(days=2))
    waiting = OutboxMessage.objects.create(task_name="t", created_at=timezone.now() - timedelta(days=90))
    assert outbox.prune() == 1
    assert set(OutboxMessage.objects.values_list("pk", flat=True)) == {recent.pk, waiting.pk}
    assert not OutboxMessage.objects.filter(pk=old.pk).exists()


# --- The relay after an outage: leases, not row locks held while publishing (issue: a task queued during an
# outage stayed unsent for half an hour after the broker returned, the relay saying 「已交给队列 0 个任务，仍待发送
# 1 个」 each time: its row was locked by a sender stuck in publishing, and every other relay skipped it).


def _waiting(n=1):
    return [OutboxMessage.objects.create(task_name="township_office.tasks.heartbeat") for _ in range(n)]


def test_relay_schedule_and_lease_send_within_30_seconds_of_the_brokers_return():
    from django.conf import settings

    assert settings.CELERY_BEAT_SCHEDULE["outbox-relay"]["schedule"] == outbox.RELAY_SECONDS
    # The next relay after the broker's return, plus a lease left by a sender that died, plus connecting.
    assert outbox.RELAY_SECONDS + outbox.LEASE_SECONDS + outbox.CONNECT_TIMEOUT <= 30


@needs_redis_server
def test_a_relay_that_died_mid_send_delays_its_rows_only_until_the_lease_runs_out(db, queued):
    import time_machine

    [row] = _waiting()
    outbox._claim_batch(None, outbox.BATCH)  # a relay claimed it and died before publishing or marking it
    assert OutboxMessage.objects.get().claimed_until is not None
    assert outbox.relay() == 0  # within the lease: the other relay may still be sending it
    assert outbox.held_count() == 1
    with time_machine.travel(timezone.now() + timedelta(seconds=outbox.LEASE_SECONDS + 1)):
        assert outbox.held_count() == 0
        assert outbox.relay() == 1
    row.refresh_from_db()
    assert row.sent_at is not None and row.claimed_until is None and row.attempts == 1


@needs_redis_server
def test_a_publish_that_fails_frees_the_rows_at_once(db, queued, monkeypatch):
    from township_office.celery import app

    _waiting(2)
    real = app.send_task
    monkeypatch.setattr(app, "send_task", lambda *a, **kw: (_ for _ in ()).throw(ConnectionError("gone")))
    assert outbox.relay() == 0
    assert not OutboxMessage.objects.filter(claimed_until__isnull=False).exists()  # not left to the lease
    monkeypatch.setattr(app, "send_task", real)
    assert outbox.relay() == 2


@needs_redis_server
def test_relay_command_says_what_another_relay_holds(db, queued):
    from io import StringIO

    from django.core.management import call_command

    _waiting(2)
    outbox._claim_batch(None, 1)
    out = StringIO()
    call_command("relay_outbox", stdout=out)
    assert out.getvalue().strip() == (
        f"已交给队列 1 个任务，仍待发送 1 个（其中 1 个正由另一发送进程发送，{outbox.LEASE_SECONDS} 秒内未发出则重新发送）。"
    )


def _other_connection():
    import psycopg2

    s = connection.settings_dict
    return psycopg2.connect(dbname=s["NAME"], user=s["USER"], host=s["HOST"] or "127.0.0.1", port=s["PORT"] or 5432)


def _terminate_other_backends():
    with connection.cursor() as cursor:  # a thread's connection, left open by its thread
        cursor.execute(
            "SELECT pg_terminate_backend(pid) FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )


@pytest.mark.postgres
@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_a_sender_stuck_in_publishing_holds_no_lock_and_stalls_no_relay(queued, monkeypatch):
    """The incident: a sender hangs while publishing. It must not hold its row locked (every other relay would
    skip it for as long as it hangs); once its lease has run out, the next relay sends the row."""
    import threading

    import time_machine
    from psycopg2 import errors

    from township_office.celery import app

    [row] = _waiting()
    inside, release = threading.Event(), threading.Event()
    real = app.send_task

    def stuck(*args, **kwargs):
        if threading.current_thread() is not threading.main_thread():
            inside.set()
            release.wait(30)  # hangs on the broker
            raise ConnectionError("timed out")
        return real(*args, **kwargs)

    monkeypatch.setattr(app, "send_task", stuck)
    sender = threading.Thread(target=outbox.relay)
    sender.start()
    try:
        assert inside.wait(10)
        other = _other_connection()
        try:
            with other.cursor() as cursor:  # the row is not locked while the sender publishes it
                cursor.execute("SELECT id FROM township_office_outboxmessage WHERE id = %s FOR UPDATE NOWAIT", [row.pk])
            other.rollback()
        except errors.LockNotAvailable:
            pytest.fail("the sender holds the row locked while it publishes")
        finally:
            other.close()
        assert outbox.relay() == 0  # within its lease the sender may still get it out
        with time_machine.travel(timezone.now() + timedelta(seconds=outbox.LEASE_SECONDS + 1)):
            assert outbox.relay() == 1  # the lease ran out: sent, though the sender still hangs
        assert OutboxMessage.objects.get().sent_at is not None
    finally:
        release.set()
        sender.join(30)
        _terminate_other_backends()
    # The stuck sender gave up afterwards: it leaves the row sent (freeing only rows still unsent).
    row.refresh_from_db()
    assert row.sent_at is not None and row.claimed_until is None


@pytest.mark.postgres
@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_a_row_locked_by_another_connection_is_skipped_without_waiting(queued):
    """Whatever else holds a row locked (an admin's open transaction), the relay does not wait for it: it sends
    the other rows now and that one at the first run after the lock is gone."""
    locked, free = _waiting(2)
    other = _other_connection()
    try:
        with other.cursor() as cursor:
            cursor.execute("SELECT id FROM township_office_outboxmessage WHERE id = %s FOR UPDATE", [locked.pk])
        started = time.monotonic()
        assert outbox.relay() == 1
        assert time.monotonic() - started < 2
        assert list(OutboxMessage.objects.filter(sent_at__isnull=True).values_list("pk", flat=True)) == [locked.pk]
    finally:
        other.rollback()
        other.close()
    assert outbox.relay() == 1
    assert not OutboxMessage.objects.filter(sent_at__isnull=True).exists()


@pytest.mark.postgres
@needs_redis_server
@pytest.mark.django_db(transaction=True)
def test_a_relay_process_killed_mid_send_is_followed_by_one_that_sends(queued):
    """A real process claims the row, is killed (SIGKILL) while publishing, and never marks it: after the lease
    the next relay sends it, and the worker's claim on task_id makes a second publication harmless."""
    import os
    import subprocess
    import sys

    import time_machine
    from django.conf import settings

    [row] = _waiting()
    s = connection.settings_dict
    env = {
        **os.environ,
        "DJANGO_SETTINGS_MODULE": "township_office.settings",
        "DATABASE_URL": f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}/{s['NAME']}",
        "CELERY_BROKER_URL": queued.url,
    }
    script = (
        "import os, signal, django; django.setup()\n"
        "from township_office import outbox\n"
        "from township_office.celery import app\n"
        "app.send_task = lambda *a, **kw: os.kill(os.getpid(), signal.SIGKILL)\n"
        "outbox.relay()\n"
    )
    done = subprocess.run([sys.executable, "-c", script], env=env, cwd=settings.BASE_DIR, timeout=60, check=False)
    assert done.returncode == -9
    row.refresh_from_db()
    assert row.sent_at is None and row.claimed_until is not None  # claimed, never marked
    assert outbox.relay() == 0
    with time_machine.travel(timezone.now() + timedelta(seconds=outbox.LEASE_SECONDS + 1)):
        assert outbox.relay() == 1
    row.refresh_from_db()
    assert row.sent_at is not None


def test_beat_relays_in_process_every_relay_seconds(monkeypatch, tmp_path):
    """Beat relays itself (township_office/beat.py), not only through a worker that may still be reconnecting
    with a pause of up to 30 s after a long outage."""
    from django.conf import settings

    from township_office import beat
    from township_office.celery import app

    assert settings.CELERY_BEAT_SCHEDULER == "township_office.beat:Scheduler"
    now = [1000.0]
    relays = []
    monkeypatch.setattr(beat, "_clock", lambda: now[0])
    monkeypatch.setattr("django.db.close_old_connections", lambda: None)  # no database in this test
    monkeypatch.setattr(outbox, "relay", lambda: relays.append(now[0]) or 0)
    monkeypatch.setattr(beat.PersistentScheduler, "tick", lambda self, *a, **kw: 300.0)  # nothing else is due
    scheduler = beat.Scheduler(app, schedule_filename=str(tmp_path / "celerybeat-schedule"), lazy=True)
    assert scheduler.tick() == outbox.RELAY_SECONDS  # relayed, and beat wakes again for the next relay
    now[0] += 4
    assert scheduler.tick() == outbox.RELAY_SECONDS - 4
    now[0] += 6
    scheduler.tick()
    assert relays == [1000.0, 1010.0]


def test_a_relay_that_fails_in_beat_does_not_stop_the_schedule(monkeypatch, tmp_path):
    from township_office import beat
    from township_office.celery import app

    def broken():
        raise RuntimeError("database gone")

    monkeypatch.setattr(outbox, "relay", broken)
    monkeypatch.setattr(beat.PersistentScheduler, "tick", lambda self, *a, **kw: 300.0)
    scheduler = beat.Scheduler(app, schedule_filename=str(tmp_path / "celerybeat-schedule"), lazy=True)
    assert scheduler.tick() == pytest.approx(outbox.RELAY_SECONDS, abs=1)
