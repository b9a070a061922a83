"""/healthz tells the truth, and a database outage shows the maintenance page instead of a 500."""

import json
import shutil
import time
from collections import namedtuple
from contextlib import contextmanager
from datetime import timedelta

import pytest
import time_machine
from django.db import OperationalError, connection
from django.urls import reverse
from django.utils import timezone

from township_office import audit, health
from township_office.models import Heartbeat
from township_office.tests.services import broker, free_port, needs_redis_server, own_redis  # noqa: F401


@pytest.fixture
def healthy(db, settings):
    settings.HEALTH_MIN_FREE_MB = 1
    health.record_heartbeat("beat")


@contextmanager
def database_down():
    """Every new query fails as when the server refuses connections (undone before the test's rollback)."""

    def refuse(*args, **kwargs):
        raise OperationalError("connection to server failed: Connection refused")

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(connection, "ensure_connection", refuse)
        yield


def _get(client):
    response = client.get("/healthz")
    return response.status_code, json.loads(response.content)


def test_healthz_is_ok_when_everything_answers(client, healthy):
    status, body = _get(client)
    assert status == 200 and body["status"] == "ok" and body["failed"] == []
    assert {"database", "disk", "beat", "audit"} <= set(body["checks"])


def test_healthz_is_public_and_never_cached(client, healthy):
    response = client.get("/healthz")
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]


def test_stale_heartbeat_fails(client, healthy, settings):
    Heartbeat.objects.filter(name="beat").update(
        at=timezone.now() - timedelta(seconds=2 * settings.BEAT_HEARTBEAT_SECONDS + 5)
    )
    status, body = _get(client)
    assert status == 503 and body["failed"] == ["beat"] and body["checks"]["beat"]["error"] == "定时任务已停止运行"


# Frozen at 07:30 Beijing time (23:30 UTC the day before).
@time_machine.travel("2026-03-09 23:30:00+00:00", tick=False)
@pytest.mark.parametrize(
    ("ahead", "ok"),
    [(timedelta(hours=1), False), (timedelta(minutes=5), False), (timedelta(seconds=3), True)],
)
def test_heartbeat_dated_in_the_future_is_a_fault(client, healthy, ahead, ok):
    """A heartbeat ahead of the clock (the clock was turned back, or beat runs on a host whose clock is ahead) says
    nothing about whether the schedule runs now: a fault, not a fresh beat. A few seconds of skew are tolerated."""
    Heartbeat.objects.filter(name="beat").update(at=timezone.now() + ahead)
    status, body = _get(client)
    if ok:
        assert status == 200 and body["checks"]["beat"]["ok"] is True
    else:
        assert status == 503 and body["failed"] == ["beat"]
        assert body["checks"]["beat"]["error"] == "定时任务心跳时间晚于当前时间（系统时钟被调整过？）"
        assert body["checks"]["beat"]["age_seconds"] == -int(ahead.total_seconds())


def test_missing_heartbeat_fails(client, healthy):
    Heartbeat.objects.all().delete()
    assert _get(client)[1]["failed"] == ["beat"]


def test_low_disk_fails(client, healthy, settings, monkeypatch):
    usage = namedtuple("usage", "total used free")
    monkeypatch.setattr(shutil, "disk_usage", lambda path: usage(10 << 30, 10 << 30, 5 << 20))
    settings.HEALTH_MIN_FREE_MB = 100
    status, body = _get(client)
    assert status == 503 and body["failed"] == ["disk"] and body["checks"]["disk"]["free_mb"] == 5


def test_broken_audit_chain_fails(client, healthy, clerk):
    event = audit.record("登记", by=clerk)
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("ALTER TABLE township_office_auditevent DISABLE TRIGGER USER")
        else:
            cursor.execute("DROP TRIGGER audit_no_update")
        cursor.execute("UPDATE township_office_auditevent SET comment = 'x' WHERE id = %s", [event.pk])
    status, body = _get(client)
    assert status == 503 and body["failed"] == ["audit"] and f"#{event.pk}" in body["checks"]["audit"]["error"]


def test_database_down_is_503_without_leaking_settings(client, healthy, settings):
    with database_down():
        status, body = _get(client)
    assert status == 503 and "database" in body["failed"]
    assert body["checks"]["database"] == {"ok": False, "error": "数据库无法连接"}
    text = json.dumps(body, ensure_ascii=False)
    for secret in ["Connection refused", str(settings.DATA_DIR), settings.SECRET_KEY, "sqlite", "postgres"]:
        assert secret not in text


def test_database_down_shows_the_maintenance_page(client, clerk):
    """Signed in, then the database goes away: the next page is the Chinese 503 page, not a 500."""
    client.force_login(clerk)
    with database_down():
        response = client.get(reverse("township_office:todo"))
    assert response.status_code == 503
    page = response.content.decode()
    assert "系统暂时无法使用" in page and "数据库暂时无法连接" in page
    assert response["Retry-After"] == "60"


def test_a_view_losing_the_database_shows_the_maintenance_page(client_for, clerk, monkeypatch):
    client = client_for(clerk)
    from township_office import views

    def lost(*args, **kwargs):
        raise OperationalError("server closed the connection unexpectedly")

    monkeypatch.setattr(views, "paginate", lost)
    response = client.get(reverse("township_office:notifications"))
    assert response.status_code == 503 and "系统暂时无法使用" in response.content.decode()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_postgres_stopped_and_back(client, settings):
    """The database stops answering (its port closes), then returns: 503, then 200 again."""
    settings.HEALTH_MIN_FREE_MB = 1
    health.record_heartbeat("beat")
    assert _get(client)[0] == 200
    port = connection.settings_dict["PORT"]
    connection.close()
    connection.settings_dict["PORT"] = free_port()
    try:
        started = time.monotonic()
        status, body = _get(client)
        assert status == 503 and body["failed"] == ["database"] and time.monotonic() - started < 10
    finally:
        connection.close()
        connection.settings_dict["PORT"] = port
    health.record_heartbeat("beat")
    assert _get(client)[0] == 200


@needs_redis_server
def test_broker_stopped_and_back(client, healthy, broker):  # noqa: F811
    assert _get(client)[1]["checks"]["broker"] == {"ok": True}
    broker.stop()
    started = time.monotonic()
    status, body = _get(client)
    assert status == 503 and body["failed"] == ["broker"] and time.monotonic() - started < 3
    assert body["checks"]["broker"]["error"] == "任务队列（Redis）无法连接"
    broker.start()
    status, body = _get(client)
    assert status == 200 and body["checks"]["broker"] == {"ok": True}


def test_healthz_reports_json_for_a_signed_in_monitor_while_the_database_is_down(client, healthy, clerk):
    client.force_login(clerk)  # a session cookie: loading it needs the database
    with database_down():
        response = client.get("/healthz")
    assert response.status_code == 503 and response["Content-Type"] == "application/json"
    assert "database" in json.loads(response.content)["failed"]
