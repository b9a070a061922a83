"""Backup and restore, end to end: `manage.py backup` on one installation, `manage.py restore` on a new one."""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from pathlib import Path

import pytest
from django.conf import settings
from django.db import connection

from township_office import backup

ROOT = Path(settings.BASE_DIR)
# The seal keeper stamps the demo's approved request: two entries in the hash-chained register.
STAMP = """
from seals import workflow
from seals.models import SealRequest
from township_office.models import User
request = SealRequest.objects.get(title="高标准农田建设项目申报书")
keeper = User.objects.get(username="seal_keeper")
workflow.stamp(request, by=keeper, seal=request.seals.get(), copies=1)
workflow.stamp(request, by=keeper, seal=request.seals.get(), copies=1)
"""
PARTS_TABLES = ["township_office_user", "township_office_auditevent", "township_office_auditlink", "seals_stamping"]


def manage(*args, data_dir, database_url="", check=True):
    env = dict(
        os.environ, DATA_DIR=str(data_dir), DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="township_office.settings"
    )
    for name in ("SECRET_KEY", "SECRET_KEY_FILE", "MEDIA_ROOT", "BACKUP_DIR", "CELERY_BROKER_URL"):
        env.pop(name, None)
    result = subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=env, capture_output=True, text=True, timeout=600
    )
    if check and result.returncode != 0:
        raise AssertionError(f"manage.py {' '.join(args)} failed:\n{result.stdout}\n{result.stderr}")
    return result


def make_installation(data_dir, database_url=""):
    """A migrated installation with the demo township, its audit trail and seal register, and an upload."""
    manage("migrate", "--noinput", data_dir=data_dir, database_url=database_url)
    manage("seed_demo", "--demo", data_dir=data_dir, database_url=database_url)
    manage("shell", "-c", STAMP, data_dir=data_dir, database_url=database_url)
    upload = data_dir / "media" / "documents" / "2026" / "扫描件.pdf"
    upload.parent.mkdir(parents=True, exist_ok=True)
    upload.write_bytes(b"%PDF-1.4\n% scanned\n%%EOF\n")
    result = manage("backup", "--dir", str(data_dir / "backups"), data_dir=data_dir, database_url=database_url)
    archive = Path(result.stdout.strip().split("：", 1)[1])
    assert archive.is_file() and oct(archive.stat().st_mode & 0o777) == "0o600"
    return archive


def manifest_of(archive):
    with tarfile.open(archive, "r:gz") as tar:
        return json.load(tar.extractfile("manifest.json"))


def round_trip(tmp_path, source_url="", target_url=""):
    source, target = tmp_path / "source", tmp_path / "target"
    archive = make_installation(source, source_url)
    manifest = manifest_of(archive)
    for table in PARTS_TABLES:
        assert manifest["counts"][table] > 0, table  # a trail and a register worth checking
    assert set(manifest["sha256"]) >= {"media.tar", "secret_key"}

    result = manage("restore", str(archive), data_dir=target, database_url=target_url)
    out = result.stdout
    assert "行数核对一致" in out and "用印登记簿校验通过" in out and "审计日志校验通过" in out
    assert "migrate --check 通过" in out
    assert (target / "media" / "documents" / "2026" / "扫描件.pdf").read_bytes().startswith(b"%PDF-1.4\n% scanned")
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()

    # The restored installation answers like the original one.
    again = manage("backup", "--dir", str(target / "backups"), data_dir=target, database_url=target_url)
    copy = manifest_of(Path(again.stdout.strip().split("：", 1)[1]))
    assert copy["counts"] == manifest["counts"]

    # A second restore into the now filled installation is refused unless forced.
    refused = manage("restore", str(archive), data_dir=target, database_url=target_url, check=False)
    assert refused.returncode != 0 and "不是空的" in refused.stderr and "--force" in refused.stderr
    forced = manage("restore", str(archive), "--force", data_dir=target, database_url=target_url)
    assert "恢复完成，全部核对通过" in forced.stdout
    return source, target


def test_round_trip_on_sqlite(tmp_path):
    source, target = round_trip(tmp_path)
    counts = {}
    for side in (source, target):
        db = sqlite3.connect(side / "township.sqlite3")
        counts[side] = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in PARTS_TABLES]
        db.close()
    assert counts[source] == counts[target]


@pytest.mark.postgres
def test_round_trip_on_postgres(tmp_path):
    s = connection.settings_dict
    base = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    names = [f"{s['NAME']}_backup_source", f"{s['NAME']}_backup_target"]
    env = dict(os.environ, PGPASSWORD=s.get("PASSWORD") or "")
    host = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"]]
    for name in names:
        subprocess.run(["dropdb", "--if-exists", *host, name], env=env, check=True)
        subprocess.run(["createdb", *host, name], env=env, check=True)
    try:
        round_trip(tmp_path, f"{base}/{names[0]}", f"{base}/{names[1]}")
    finally:
        for name in names:
            subprocess.run(["dropdb", "--if-exists", "--force", *host, name], env=env)


# SQLite's online backup reads the database from outside the test's transaction: these tests commit.
@pytest.mark.django_db(transaction=True)
def test_a_changed_part_is_refused(tmp_path, township):
    settings_media = Path(settings.MEDIA_ROOT)
    settings_media.mkdir(parents=True, exist_ok=True)
    archive = backup.create(tmp_path / "backups")
    unpacked = tmp_path / "unpacked"
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    (unpacked / "media.tar").write_bytes(b"not the uploads")
    forged = tmp_path / "forged.tar.gz"
    with tarfile.open(forged, "w:gz") as tar:
        for part in unpacked.iterdir():
            tar.add(part, arcname=part.name)
    with pytest.raises(backup.BackupError, match="media.tar 与清单中的 SHA-256 不符"):
        backup.read_archive(forged, tmp_path / "check")
    assert backup.read_archive(archive, tmp_path / "check-original")["counts"]["township_office_user"] > 0


@pytest.mark.django_db(transaction=True)
def test_restore_refuses_a_filled_database(tmp_path, township):
    archive = backup.create(tmp_path / "backups")
    with pytest.raises(backup.BackupError, match="目标数据库不是空的"):
        backup.restore(archive)


@pytest.mark.django_db(transaction=True)
def test_nightly_backup_keeps_the_newest_archives(tmp_path, township, settings):
    from township_office.tasks import nightly_backup

    settings.BACKUP_DIR = tmp_path / "nightly"
    settings.BACKUP_KEEP = 2
    made = [Path(nightly_backup()) for _ in range(3)]
    assert backup.archives(tmp_path / "nightly") == made[1:]
    assert not made[0].exists()
