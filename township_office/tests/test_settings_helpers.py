import pytest
from django.core.exceptions import ImproperlyConfigured

from township_office.settings import env_bool, env_int, env_secret


@pytest.mark.parametrize("raw,value", [("true", True), ("TRUE", True), ("1", True), ("false", False), ("0", False)])
def test_env_bool_accepts_only_booleans(monkeypatch, raw, value):
    monkeypatch.setenv("X_FLAG", raw)
    assert env_bool("X_FLAG") is value


@pytest.mark.parametrize("raw", ["yes", "on", "2", "真"])
def test_env_bool_refuses_anything_else(monkeypatch, raw):
    monkeypatch.setenv("X_FLAG", raw)
    with pytest.raises(ImproperlyConfigured):
        env_bool("X_FLAG")


def test_env_bool_default(monkeypatch):
    monkeypatch.delenv("X_FLAG", raising=False)
    assert env_bool("X_FLAG", True) is True


def test_env_int(monkeypatch):
    monkeypatch.setenv("X_NUM", "15")
    assert env_int("X_NUM", 1) == 15
    monkeypatch.setenv("X_NUM", "fifteen")
    with pytest.raises(ImproperlyConfigured):
        env_int("X_NUM", 1)


def test_env_secret_reads_file_first(monkeypatch, tmp_path):
    secret = tmp_path / "key"
    secret.write_text("from-file\n")
    monkeypatch.setenv("X_SECRET", "from-env")
    monkeypatch.setenv("X_SECRET_FILE", str(secret))
    assert env_secret("X_SECRET") == "from-file"
    monkeypatch.delenv("X_SECRET_FILE")
    assert env_secret("X_SECRET") == "from-env"


def test_env_secret_unreadable_file(monkeypatch, tmp_path):
    monkeypatch.setenv("X_SECRET_FILE", str(tmp_path / "missing"))
    with pytest.raises(ImproperlyConfigured):
        env_secret("X_SECRET")


def test_database_and_broker_follow_environment(tmp_path):
    """Settings are read in a fresh interpreter for each environment."""
    import json
    import os
    import subprocess
    import sys

    def read(env):
        code = (
            "import json; from django.conf import settings as s; "
            "print(json.dumps([s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER, s.DEBUG, s.TIME_ZONE,"
            " s.LANGUAGE_CODE, s.USE_TZ]))"
        )
        full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "DEBUG")}
        full_env.update(env, DJANGO_SETTINGS_MODULE="township_office.settings", DATA_DIR=str(tmp_path))
        out = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True)
        return json.loads(out.stdout)

    assert read({}) == ["django.db.backends.sqlite3", True, False, "Asia/Shanghai", "zh-hans", True]
    postgres = read({"DATABASE_URL": "postgres://u@127.0.0.1/x", "CELERY_BROKER_URL": "redis://127.0.0.1:6379/0"})
    assert postgres[:2] == ["django.db.backends.postgresql", False]
    assert (tmp_path / "secret_key").exists()
    # The audit chain's key: generated beside it, or read from AUDIT_KEY_FILE (never the database).
    generated = (tmp_path / "audit_key").read_text().strip()
    assert len(generated) > 40 and generated != (tmp_path / "secret_key").read_text().strip()
    secret = tmp_path / "audit-key-secret"
    secret.write_text("key from a docker secret\n")
    code = "import json; from django.conf import settings as s; print(json.dumps([s.AUDIT_KEY, str(s.STATIC_ROOT)]))"
    full_env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "CELERY_BROKER_URL", "STATIC_ROOT")}
    full_env.update(
        DJANGO_SETTINGS_MODULE="township_office.settings", DATA_DIR=str(tmp_path), AUDIT_KEY_FILE=str(secret)
    )
    out = subprocess.run([sys.executable, "-c", code], env=full_env, capture_output=True, text=True, check=True)
    key, static_root = json.loads(out.stdout)
    assert key == "key from a docker secret"
    assert not static_root.startswith(str(tmp_path))  # static files are built from the checkout, not data
