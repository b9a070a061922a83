"""Services a test starts for itself: a Redis on a spare port (never the shared one on 6379)."""

import shutil
import socket
import subprocess
import time

import pytest


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def real_clock_env():
    """The environment without libfaketime (``make test-future`` preloads it): redis-server aborts under it,
    and a server keeps the machine's clock whatever date the suite pretends."""
    import os

    return {
        k: v for k, v in os.environ.items() if k not in ("LD_PRELOAD", "FAKETIME") and not k.startswith("FAKETIME_")
    }


class OwnRedis:
    """redis-server on a spare port, without persistence, stopped and started at will."""

    def __init__(self):
        self.port = free_port()
        self.url = f"redis://127.0.0.1:{self.port}/0"
        self.process = None

    def start(self):
        self.process = subprocess.Popen(
            ["redis-server", "--port", str(self.port), "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL,
            env=real_clock_env(),
        )
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=0.2).close()
                return
            except OSError:
                time.sleep(0.05)
        raise RuntimeError("redis-server did not start")

    def stop(self):
        if self.process is not None and self.process.poll() is None:
            self.process.terminate()
            self.process.wait(timeout=10)


needs_redis_server = pytest.mark.skipif(shutil.which("redis-server") is None, reason="needs redis-server")


@pytest.fixture
def own_redis():
    redis = OwnRedis()
    redis.start()
    yield redis
    redis.stop()


@pytest.fixture
def broker(own_redis, settings, monkeypatch):
    """The Celery app pointed at the test's own Redis (tasks still eager unless a test says otherwise)."""
    from township_office.celery import app

    # Celery reads CELERY_BROKER_URL from the environment before its configuration: hide the shared one.
    monkeypatch.delenv("CELERY_BROKER_URL", raising=False)
    before = app.conf.broker_url
    settings.CELERY_BROKER_URL = own_redis.url
    app.conf.broker_url = own_redis.url
    yield own_redis
    app.conf.broker_url = before
