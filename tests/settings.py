"""Test settings: the real settings plus a tiny app that exercises the permission API."""

import tempfile
from pathlib import Path

from township_office.settings import *  # noqa: F403
from township_office.settings import INSTALLED_APPS

INSTALLED_APPS = [*INSTALLED_APPS, "tests.testapp"]
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
MEDIA_ROOT = tempfile.mkdtemp(prefix="township-test-media-")
PREVIEW_ROOT = tempfile.mkdtemp(prefix="township-test-previews-")
# Backups and the audit chain's anchors of the suite: never the checkout's data folder.
BACKUP_DIR = Path(tempfile.mkdtemp(prefix="township-test-backups-"))
AUDIT_ANCHOR_LOG = Path(tempfile.mkdtemp(prefix="township-test-anchors-")) / "audit-anchors.log"
WHITENOISE_AUTOREFRESH = True
WHITENOISE_USE_FINDERS = True
ROOT_URLCONF = "tests.urls"
# Tasks run in-process in the suite, whatever broker is configured; the worker test
# (township_office/tests/test_celery_worker.py) sends to the real broker explicitly.
CELERY_TASK_ALWAYS_EAGER = True
# The test runner empties tables between transactional tests: let it empty the audit log
# (the triggers refuse it to every other connection; township_office/ops_models.py).
AUDIT_LOG_TEST_FLUSH = True
# The suite makes the morning report itself (visitors.daily.produce); the tests that check the first request
# after the report time turn this on.
DAILY_REPORT_IN_PROCESS = False
# Each test process its own memory cache, emptied before every test (conftest.py): the configured one may be the
# shared Redis, where clear() would empty the broker's database too. test_cache.py runs the real backends.
CACHES = {"default": {"BACKEND": "django.core.cache.backends.locmem.LocMemCache"}}
