"""The cache is one for every process: two "gunicorn workers" show the same 待办 count after a change.

Each worker is a real process (``cache_worker.py``) with the real settings, so ``CACHES`` is what the environment
makes of it: files in DATA_DIR on one PC, Redis when a broker (or CACHE_URL) is configured. With a per-process
cache (Django's default when CACHES is not set) the second worker keeps showing the count it cached.
"""

import json
import os
import shutil
import subprocess
import sys
import threading

import pytest
from django.conf import settings

from township_office.tests.services import needs_redis_server, own_redis  # noqa: F401

CLEARED = ("DATABASE_URL", "CELERY_BROKER_URL", "CELERY_RESULT_BACKEND", "CACHE_URL", "DATA_DIR", "MEDIA_ROOT")


def _env(data_dir, **extra):
    env = {k: v for k, v in os.environ.items() if k not in CLEARED}
    return {**env, "DJANGO_SETTINGS_MODULE": "township_office.settings", "DATA_DIR": str(data_dir), **extra}


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A migrated SQLite file (made once; each test works on a copy)."""
    data_dir = tmp_path_factory.mktemp("cache-template")
    subprocess.run(
        [sys.executable, "manage.py", "migrate", "--noinput", "-v0"],
        env=_env(data_dir),
        cwd=settings.BASE_DIR,
        check=True,
        capture_output=True,
        timeout=300,
    )
    return data_dir / "township.sqlite3"


class Worker:
    def __init__(self, env):
        self.process = subprocess.Popen(
            [sys.executable, "-m", "township_office.tests.cache_worker"],
            env=env,
            cwd=settings.BASE_DIR,
            stdin=subprocess.PIPE,
            stdout=subprocess.PIPE,
            text=True,
        )
        self.timer = threading.Timer(120, self.process.kill)  # a hung worker fails the test, not the suite
        self.timer.start()

    def ask(self, command):
        self.process.stdin.write(command + "\n")
        self.process.stdin.flush()
        return self.process.stdout.readline().strip()

    def stop(self):
        self.timer.cancel()
        self.process.stdin.close()
        self.process.wait(timeout=30)


@pytest.fixture
def workers(migrated, tmp_path):
    """workers(**env) → two worker processes on one database (a copy of ``migrated``) and that environment."""
    started = []

    def start(**extra):
        shutil.copyfile(migrated, tmp_path / "township.sqlite3")
        env = _env(tmp_path, **extra)
        started.extend([Worker(env), Worker(env)])
        return started

    yield start
    for worker in started:
        worker.stop()


def _same_count_after_a_change(first, second):
    assert first.ask("setup") == "ok"
    assert first.ask("count") == "3"
    assert second.ask("count") == "3"  # both have the count cached now
    assert first.ask("assign") == "ok"  # a step in the first worker gives one more 待办
    assert first.ask("count") == "4"
    assert second.ask("count") == "4"  # forgotten in the shared cache, not only in the first worker's memory


def test_on_one_pc_the_workers_share_a_file_cache(workers, tmp_path):
    first, second = workers()
    assert first.ask("backend") == "FileBasedCache"
    _same_count_after_a_change(first, second)
    assert any((tmp_path / "cache").iterdir())  # DATA_DIR/cache


@needs_redis_server
def test_with_a_broker_the_workers_share_its_redis(workers, own_redis, tmp_path):  # noqa: F811
    # CELERY_BROKER_URL alone: the cache follows the broker's Redis.
    first, second = workers(CELERY_BROKER_URL=own_redis.url)
    assert first.ask("backend") == "RedisCache"
    _same_count_after_a_change(first, second)
    assert not (tmp_path / "cache").exists()


def _caches(env, tmp_path):
    code = "import json; from django.conf import settings as s; print(json.dumps(s.CACHES['default'], default=str))"
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=_env(tmp_path, **env),
        cwd=settings.BASE_DIR,
        capture_output=True,
        text=True,
        timeout=60,
    )
    return json.loads(done.stdout) if done.returncode == 0 else done.stderr


def test_cache_settings_follow_the_environment(tmp_path):
    on_a_pc = _caches({}, tmp_path)
    assert on_a_pc["BACKEND"] == "django.core.cache.backends.filebased.FileBasedCache"
    assert on_a_pc["LOCATION"] == str(tmp_path / "cache")
    broker = _caches({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/0"}, tmp_path)
    assert broker["BACKEND"] == "django.core.cache.backends.redis.RedisCache"
    assert broker["LOCATION"] == "redis://10.0.0.5:6379/0"
    own = _caches({"CELERY_BROKER_URL": "redis://10.0.0.5:6379/0", "CACHE_URL": "redis://10.0.0.6:6379/1"}, tmp_path)
    assert own["LOCATION"] == "redis://10.0.0.6:6379/1"
    assert "CACHE_URL must be a Redis URL" in _caches({"CACHE_URL": "memcached://10.0.0.6:11211"}, tmp_path)


def test_a_cache_that_fails_costs_no_page(client_for, clerk, monkeypatch):
    """Redis down: the badge is counted afresh and every page still answers; the cache is left alone a while."""
    from django.urls import reverse

    from township_office import worklist

    calls = []

    class Down:
        def __getattr__(self, name):
            def fail(*args, **kwargs):
                calls.append(name)
                raise ConnectionError("redis down")

            return fail

    monkeypatch.setattr(worklist, "_failed_at", 0.0)
    monkeypatch.setattr(worklist, "cache", Down())
    client = client_for(clerk)
    page = client.get(reverse("township_office:todo"))
    assert page.status_code == 200
    assert calls == ["get"]  # tried once, then paused
    assert client.get(reverse("township_office:todo")).status_code == 200
    worklist.forget_counts(clerk.pk)
    assert calls == ["get"]
    monkeypatch.setattr(worklist, "_failed_at", 0.0)  # the pause is over
    worklist.forget_counts(clerk.pk)
    assert calls == ["get", "delete_many"]
