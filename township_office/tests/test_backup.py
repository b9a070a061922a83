"""Backup and restore, end to end: `manage.py backup` on one installation, `manage.py restore` on a new one."""

import json
import os
import sqlite3
import subprocess
import sys
import tarfile
from contextlib import contextmanager
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
# The restored installation answers: the sign-in page, the todo list of a demo person and every static file they
# link (hashed names from the manifest, served by WhiteNoise), with no collectstatic run by hand.
PAGES = """
import re
from django.test import Client
from township_office.models import User
client = Client(HTTP_HOST="127.0.0.1")
pages = [client.get("/accounts/login/")]
client.force_login(User.objects.get(username="clerk"))
pages.append(client.get("/", follow=True))
assets = set()
for page in pages:
    assert page.status_code == 200, page.status_code
    assets |= set(re.findall(r'(?:href|src)="(/static/[^"]+)"', page.content.decode()))
assert any(a.endswith(".css") for a in assets) and any(a.endswith(".js") for a in assets), assets
for asset in sorted(assets):
    response = client.get(asset)
    assert response.status_code == 200, (asset, response.status_code)
    b"".join(response.streaming_content if response.streaming else [response.content])
print("pages and", len(assets), "static files: 200")
"""
PARTS_TABLES = ["township_office_user", "township_office_auditevent", "township_office_auditlink", "seals_stamping"]


def manage(*args, data_dir, database_url="", check=True):
    env = dict(
        os.environ, DATA_DIR=str(data_dir), DATABASE_URL=database_url, DJANGO_SETTINGS_MODULE="township_office.settings"
    )
    # The static files are built from the checkout, outside the data folder: one folder per installation here.
    env["STATIC_ROOT"] = str(data_dir.parent / f"{data_dir.name}-static")
    for name in (
        "SECRET_KEY",
        "SECRET_KEY_FILE",
        "AUDIT_KEY",
        "AUDIT_KEY_FILE",
        "AUDIT_ANCHOR_LOG",
        "MEDIA_ROOT",
        "BACKUP_DIR",
        "CELERY_BROKER_URL",
    ):
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
    assert set(manifest["sha256"]) >= {"media.tar", "secret_key", "audit_key"}
    assert manifest["audit_head"]["seq"] == manifest["counts"]["township_office_auditlink"]

    result = manage("restore", str(archive), data_dir=target, database_url=target_url)
    out = result.stdout
    assert "行数核对一致" in out and "用印登记簿校验通过" in out and "审计日志校验通过" in out
    assert "migrate --check 通过" in out
    assert (target / "media" / "documents" / "2026" / "扫描件.pdf").read_bytes().startswith(b"%PDF-1.4\n% scanned")
    assert (target / "secret_key").read_text() == (source / "secret_key").read_text()
    assert (target / "audit_key").read_text() == (source / "audit_key").read_text()
    assert not list(target.glob("static*")), "static files do not live in the data folder"

    # The restored installation answers like the original one.
    again = manage("backup", "--dir", str(target / "backups"), data_dir=target, database_url=target_url)
    copy = manifest_of(Path(again.stdout.strip().split("：", 1)[1]))
    assert copy["counts"] == manifest["counts"]

    # A second restore into the now filled installation is refused unless forced.
    refused = manage("restore", str(archive), data_dir=target, database_url=target_url, check=False)
    assert refused.returncode != 0 and "不是空的" in refused.stderr and "--force" in refused.stderr
    forced = manage("restore", str(archive), "--force", data_dir=target, database_url=target_url)
    assert "恢复完成，全部核对通过" in forced.stdout
    # Restored into an empty data folder, the site answers at once (pages sign-in and todo, their static files).
    assert "静态文件已生成" in out
    assert "pages and" in manage("shell", "-c", PAGES, data_dir=target, database_url=target_url).stdout
    return source, target


def test_round_trip_on_sqlite(tmp_path):
    source, target = round_trip(tmp_path)
    counts = {}
    for side in (source, target):
        db = sqlite3.connect(side / "township.sqlite3")
        counts[side] = [db.execute(f"SELECT COUNT(*) FROM {t}").fetchone()[0] for t in PARTS_TABLES]
        db.close()
    assert counts[source] == counts[target]


@contextmanager
def postgres_databases(*suffixes):
    """Fresh empty databases beside the test database, dropped afterwards; yields their URLs."""
    s = connection.settings_dict
    base = f"postgres://{s['USER']}@{s['HOST'] or '127.0.0.1'}:{s['PORT'] or 5432}"
    names = [f"{s['NAME']}_{suffix}" for suffix in suffixes]
    env = dict(os.environ, PGPASSWORD=s.get("PASSWORD") or "")
    host = ["-h", s["HOST"] or "127.0.0.1", "-p", str(s["PORT"] or 5432), "-U", s["USER"]]
    for name in names:
        subprocess.run(["dropdb", "--if-exists", *host, name], env=env, check=True)
        subprocess.run(["createdb", *host, name], env=env, check=True)
    try:
        yield [f"{base}/{name}" for name in names]
    finally:
        for name in names:
            subprocess.run(["dropdb", "--if-exists", "--force", *host, name], env=env)


@pytest.mark.postgres
def test_round_trip_on_postgres(tmp_path):
    with postgres_databases("backup_source", "backup_target") as urls:
        round_trip(tmp_path, *urls)


# What a restore must leave alone when it fails: rows of the main tables, the audit chain, the uploads.
STATE = """
import json
from django.db import connection
from township_office import auditchain
tables = ["township_office_user", "township_office_auditevent", "township_office_auditlink", "seals_stamping"]
with connection.cursor() as cursor:
    counts = {}
    for t in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {t}")
        counts[t] = cursor.fetchone()[0]
print(json.dumps({"counts": counts, "audit": auditchain.verify()[0]}))
"""


def state_of(data_dir, database_url):
    out = manage("shell", "-c", STATE, data_dir=data_dir, database_url=database_url).stdout
    return json.loads(out.strip().splitlines()[-1])


def with_truncated_database(archive, destination, keep=0.6):
    """The archive with its database part cut short (``keep``: the share of its bytes kept, or a function of the
    part returning it) and the manifest's SHA-256 recomputed to match, as a copy damaged before it was checksummed
    would be: only a check of the content can catch it."""
    unpacked = destination.with_suffix(".d")
    with tarfile.open(archive, "r:gz") as tar:
        tar.extractall(unpacked, filter="data")
    manifest = json.loads((unpacked / "manifest.json").read_text(encoding="utf-8"))
    part = unpacked / ("database.pgdump" if manifest["database"] == "postgresql" else "database.sqlite3")
    if callable(keep):
        keep = keep(part)
    data = part.read_bytes()
    part.write_bytes(data[: int(len(data) * keep)])
    manifest["sha256"][part.name] = backup._sha256(part)
    (unpacked / "manifest.json").write_text(json.dumps(manifest), encoding="utf-8")
    with tarfile.open(destination, "w:gz") as tar:
        tar.add(unpacked / "manifest.json", arcname="manifest.json")
        for name in manifest["sha256"]:
            tar.add(unpacked / name, arcname=name)
    return destination


def a_bad_restore_leaves_the_target_intact(tmp_path, source_url="", target_url="", cuts=(0.6,)):
    source, target = tmp_path / "source", tmp_path / "target"
    archive = make_installation(source, source_url)
    manage("restore", str(archive), data_dir=target, database_url=target_url)
    # The target moves on from the archive: one more event in its audit trail.
    moved_on = "from township_office import audit\naudit.record('登记', by=None, comment='恢复之后')"
    manage("shell", "-c", moved_on, data_dir=target, database_url=target_url)
    manage("run_job", "audit-anchor", data_dir=target, database_url=target_url)  # the daily anchor line
    upload = target / "media" / "documents" / "2026" / "恢复后上传.pdf"
    upload.write_bytes(b"%PDF-1.4\n% after\n%%EOF\n")
    before = state_of(target, target_url)
    events = before["counts"]["township_office_auditevent"]
    assert before["audit"] and events == manifest_of(archive)["counts"]["township_office_auditevent"] + 1

    results = []
    for n, keep in enumerate(cuts):
        bad = with_truncated_database(archive, tmp_path / f"truncated-{n}.tar.gz", keep)
        failed = manage("restore", str(bad), "--force", data_dir=target, database_url=target_url, check=False)
        assert failed.returncode != 0 and "恢复失败，原有数据未改动" in failed.stderr, failed.stdout + failed.stderr
        assert state_of(target, target_url) == before
        assert upload.read_bytes().startswith(b"%PDF-1.4\n% after")
        assert (target / "media" / "documents" / "2026" / "扫描件.pdf").is_file()
        assert "校验通过" in manage("verify_audit_log", data_dir=target, database_url=target_url).stdout
        assert not list(target.glob("*.before-restore")) and not list(target.glob(".media-restore-*"))
        results.append(failed)
    # The good archive still restores over it afterwards: the event written after it is gone with the restore, and
    # the anchor naming it no longer counts (the restore line in the anchor log says so).
    assert "恢复完成" in manage("restore", str(archive), "--force", data_dir=target, database_url=target_url).stdout
    assert " restore seq=" in (target / "audit-anchors.log").read_text(encoding="utf-8")
    verified = manage("verify_audit_log", data_dir=target, database_url=target_url).stdout
    assert "校验通过" in verified and "链外锚点一致" in verified
    return results


def _data_cut(part):
    """The largest share (of 99 %, 98 %, …) of a custom-format dump whose table of contents still reads: only its
    data is cut, so ``pg_restore --list`` passes and only restoring it fails."""
    whole = part.read_bytes()
    probe = part.with_suffix(".probe")
    for percent in range(99, 50, -1):
        probe.write_bytes(whole[: len(whole) * percent // 100])
        if subprocess.run(["pg_restore", "--list", str(probe)], capture_output=True).returncode == 0:
            return percent / 100
    raise AssertionError("no cut of the dump keeps its table of contents")


def test_a_truncated_sqlite_database_leaves_the_target_intact(tmp_path):
    a_bad_restore_leaves_the_target_intact(tmp_path)


@pytest.mark.postgres
def test_a_truncated_postgres_dump_leaves_the_target_intact(tmp_path):
    with postgres_databases("bad_source", "bad_target") as (source_url, target_url):
        toc_cut, data_cut = a_bad_restore_leaves_the_target_intact(
            tmp_path, source_url, target_url, cuts=(0.6, _data_cut)
        )
        assert "数据库转储无法读取" in toc_cut.stderr  # refused before anything is touched
        assert "数据库转储可以读取" in data_cut.stdout and "pg_restore 执行失败" in data_cut.stderr
        schemas = manage(
            "shell",
            "-c",
            "from django.db import connection\n"
            "c = connection.cursor()\n"
            "c.execute(\"SELECT nspname FROM pg_namespace WHERE nspname LIKE 'township%%'\")\n"
            "print(c.fetchall())",
            data_dir=tmp_path / "target",
            database_url=target_url,
        )
        assert schemas.stdout.strip().splitlines()[-1] == "[]"


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
