"""Bench settings: the production settings, their own data folder, plus the floor view and a reference admin."""

import os
from pathlib import Path

_BASE = Path(__file__).resolve().parent.parent
# The bench never touches the demo database: its SQLite file lives in data/bench unless DATA_DIR is given.
os.environ.setdefault("DATA_DIR", str(_BASE / "data" / "bench"))

from township_office.settings import *  # noqa: E402,F403
from township_office.settings import ALLOWED_HOSTS  # noqa: E402

ROOT_URLCONF = "bench.urls"
ALLOWED_HOSTS = [*ALLOWED_HOSTS, "testserver"]
# The reference admin and the floor view use the same middleware as every page.
# Password hashing is irrelevant to the figures; the bench logs users in with force_login or a cookie.
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
# Every bench login would otherwise print four lines of django-axes chatter.
LOGGING["loggers"]["axes"] = {"level": "WARNING"}  # noqa: F405
# The preview bench (bench/preview.py) runs its own Celery worker on a queue of its own.
if os.environ.get("BENCH_QUEUE"):
    CELERY_TASK_DEFAULT_QUEUE = os.environ["BENCH_QUEUE"]
# The bench database is disposable (its own DATA_DIR): --reseed empties it, audit log included.
AUDIT_LOG_TEST_FLUSH = True
