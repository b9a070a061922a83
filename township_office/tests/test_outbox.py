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
