"""Backup and restore of one installation: the database, uploaded files and the secret key.

One archive (``township-YYYYmmdd-HHMMSS.tar.gz`` in ``BACKUP_DIR``) holds:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the system runs) or
  ``database.pgdump`` (``pg_dump -Fc``, taken in the same snapshot as the row counts);
- ``media.tar``: every uploaded file (``MEDIA_ROOT``);
- ``secret_key``: the generated key in ``DATA_DIR``, when the installation uses one;
- ``manifest.json``: the row count of every table and the SHA-256 of every part.

``restore()`` checks every part against the manifest, fills an empty database and data folder
(a non-empty one only with ``force``), then verifies the row counts, the seal register chain,
the audit log chain and that no migration is missing.
"""

import hashlib
import io
import json
import os
import shutil
import sqlite3
import subprocess
import tarfile
import tempfile
from datetime import datetime
from pathlib import Path

from django.conf import settings
from django.core.management import call_command
from django.db import connection, connections, transaction
from django.utils import timezone

FORMAT = 1
PREFIX = "township-"
SUFFIX = ".tar.gz"


class BackupError(Exception):
    """A backup or restore that cannot go on; the message is for the operator, in Chinese."""


def backup_dir():
    return Path(settings.BACKUP_DIR)


def _sha256(path):
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _tables(conn):
    """The tables of the project's models (and their many-to-many tables), sorted."""
    with conn.cursor() as cursor:
        existing = set(conn.introspection.table_names(cursor))
    return sorted(t for t in conn.introspection.django_table_names(only_existing=False) if t in existing)


def _count(cursor, tables, quote):
    counts = {}
    for table in tables:
        cursor.execute(f"SELECT COUNT(*) FROM {quote(table)}")
        counts[table] = cursor.fetchone()[0]
    return counts


def _pg_env(conn):
    s = conn.settings_dict
    env = dict(os.environ)
    if s.get("PASSWORD"):
        env["PGPASSWORD"] = s["PASSWORD"]
    args = []
    if s.get("HOST"):
        args += ["-h", s["HOST"]]
    if s.get("PORT"):
        args += ["-p", str(s["PORT"])]
    if s.get("USER"):
        args += ["-U", s["USER"]]
    return env, args, s["NAME"]


def _run(command, env=None):
    result = subprocess.run(command, env=env, capture_output=True, text=True)
    if result.returncode != 0:
        raise BackupError(f"{command[0]} 执行失败：{result.stderr.strip()[:500]}")
    return result


def _dump_database(workdir):
    """(part file name, row counts), both from one consistent snapshot."""
    connection.ensure_connection()
    tables = _tables(connection)
    if connection.vendor == "sqlite":
        target = workdir / "database.sqlite3"
        destination = sqlite3.connect(target)
        try:
            connection.connection.backup(destination)  # the online backup API
        finally:
            destination.close()
        copy = sqlite3.connect(target)
        try:
            counts = _count(copy.cursor(), tables, lambda t: f'"{t}"')
        finally:
            copy.close()
        return target.name, counts
    if connection.vendor == "postgresql":
        target = workdir / "database.pgdump"
        env, args, name = _pg_env(connection)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, tables, connection.ops.quote_name)
            _run(
                [
                    "pg_dump",
                    "-Fc",
                    "--no-owner",
                    "--no-privileges",
                    f"--snapshot={snapshot}",
                    "-f",
                    str(target),
                    *args,
                    name,
                ],
                env,
            )
        return target.name, counts
    raise BackupError(f"不支持的数据库：{connection.vendor}")


def _secret_key_file():
    path = Path(settings.DATA_DIR) / "secret_key"
    return path if path.exists() else None


def create(directory=None, keep=None):
    """Write one archive; with ``keep``, delete all but the newest ``keep`` archives. Returns its path."""
    directory = Path(directory or backup_dir())
    directory.mkdir(parents=True, exist_ok=True)
    os.chmod(directory, 0o700)
    stamp = timezone.localtime().strftime("%Y%m%d-%H%M%S")
    archive = directory / f"{PREFIX}{stamp}{SUFFIX}"
    n = 1
    while archive.exists():
        n += 1
        archive = directory / f"{PREFIX}{stamp}-{n}{SUFFIX}"
    with tempfile.TemporaryDirectory(prefix="township-backup-") as tmp:
        workdir = Path(tmp)
        database_part, counts = _dump_database(workdir)
        parts = [database_part]
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(workdir / "media.tar", "w") as tar:
            if media.exists():
                for path in sorted(media.rglob("*")):
                    if path.is_file():
                        tar.add(path, arcname=str(path.relative_to(media)))
        parts.append("media.tar")
        key = _secret_key_file()
        if key is not None:
            shutil.copyfile(key, workdir / "secret_key")
            parts.append("secret_key")
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "counts": counts,
            "sha256": {part: _sha256(workdir / part) for part in parts},
        }
        partial = archive.with_name(archive.name + ".part")
        fd = os.open(partial, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "wb") as raw, tarfile.open(fileobj=raw, mode="w:gz") as tar:
            data = json.dumps(manifest, ensure_ascii=False, indent=2).encode()
            info = tarfile.TarInfo("manifest.json")
            info.size, info.mtime = len(data), int(datetime.now().timestamp())
            tar.addfile(info, io.BytesIO(data))
            for part in parts:
                tar.add(workdir / part, arcname=part)
        partial.rename(archive)  # a half-written archive never looks like a finished one
    if keep:
        prune(directory, keep)
    return archive


def archives(directory=None):
    directory = Path(directory or backup_dir())
    return sorted(directory.glob(f"{PREFIX}*{SUFFIX}"), key=lambda p: p.stat().st_mtime)


def prune(directory, keep):
    """Delete all but the newest ``keep`` archives. Returns the deleted paths."""
    old = archives(directory)[:-keep] if keep > 0 else []
    for path in old:
        path.unlink()
    return old


# --- Restore ----------------------------------------------------------------


def read_archive(archive, workdir):
    """Unpack ``archive`` into ``workdir`` and check every part against the manifest."""
    archive = Path(archive)
    if not archive.is_file():
        raise BackupError(f"找不到备份文件：{archive}")
    try:
        with tarfile.open(archive, "r:gz") as tar:
            tar.extractall(workdir, filter="data")
    except (tarfile.TarError, OSError, EOFError) as exc:
        raise BackupError(f"备份文件已损坏，无法解开：{exc}") from exc
    try:
        manifest = json.loads((workdir / "manifest.json").read_text(encoding="utf-8"))
    except (OSError, ValueError) as exc:
        raise BackupError("备份文件中没有可读的清单（manifest.json）。") from exc
    if manifest.get("format") != FORMAT:
        raise BackupError(f"不认识的备份格式：{manifest.get('format')}")
    for part, expected in manifest["sha256"].items():
        path = workdir / part
        if not path.is_file() or _sha256(path) != expected:
            raise BackupError(f"备份文件中的 {part} 与清单中的 SHA-256 不符，备份已损坏或被改动。")
    return manifest


def database_is_empty():
    """True when the target database holds no table of this system yet."""
    with connection.cursor() as cursor:
        return "django_migrations" not in connection.introspection.table_names(cursor)


def media_is_empty():
    media = Path(settings.MEDIA_ROOT)
    return not media.exists() or not any(p.is_file() for p in media.rglob("*"))


def _restore_sqlite(part):
    target = Path(settings.DATABASES["default"]["NAME"])
    connections.close_all()
    source = sqlite3.connect(part)
    destination = sqlite3.connect(target)
    try:
        source.backup(destination)  # replaces every page of the target, WAL included
    finally:
        destination.close()
        source.close()


def _restore_postgres(part, force):
    connection.ensure_connection()
    env, args, name = _pg_env(connection)
    if force:
        with connection.cursor() as cursor:
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute("CREATE SCHEMA public")
    connections.close_all()
    _run(["pg_restore", "--no-owner", "--no-privileges", "--exit-on-error", "-d", name, *args, str(part)], env)


def _restore_media(part, force):
    media = Path(settings.MEDIA_ROOT)
    if force and media.exists():
        shutil.rmtree(media)
    media.mkdir(parents=True, exist_ok=True)
    with tarfile.open(part) as tar:
        tar.extractall(media, filter="data")


def restore(archive, *, force=False, out=None):
    """Restore ``archive`` into the configured database and data folder, then verify it.

    Returns the list of verification lines; raises ``BackupError`` when anything does not match."""
    say = out or (lambda line: None)
    with tempfile.TemporaryDirectory(prefix="township-restore-") as tmp:
        workdir = Path(tmp)
        manifest = read_archive(archive, workdir)
        say(f"备份清单：{manifest['created_at']}，{manifest['database']}，各部分 SHA-256 校验一致。")
        if manifest["database"] != connection.vendor:
            raise BackupError(
                f"这是 {manifest['database']} 数据库的备份，当前配置的是 {connection.vendor}：请用相同种类的数据库恢复。"
            )
        if not force and not database_is_empty():
            raise BackupError("目标数据库不是空的。恢复会覆盖其中全部数据；确认无误请加 --force。")
        if not force and not media_is_empty():
            raise BackupError(f"上传文件目录 {settings.MEDIA_ROOT} 不是空的；确认覆盖请加 --force。")
        if connection.vendor == "sqlite":
            _restore_sqlite(workdir / "database.sqlite3")
        else:
            _restore_postgres(workdir / "database.pgdump", force)
        _restore_media(workdir / "media.tar", force)
        if (
            (workdir / "secret_key").exists()
            and not os.environ.get("SECRET_KEY")
            and not os.environ.get("SECRET_KEY_FILE")
        ):
            key = Path(settings.DATA_DIR) / "secret_key"
            shutil.copyfile(workdir / "secret_key", key)
            key.chmod(0o600)
        say("数据库、上传文件和密钥已恢复。")
    return verify(manifest["counts"], say)


def verify(expected_counts, say):
    """Counts, the seal register, the audit chain and migrations of the restored installation."""
    from django.apps import apps

    from . import auditchain

    connections.close_all()
    with connection.cursor() as cursor:
        actual = _count(cursor, list(expected_counts), connection.ops.quote_name)
    differ = [f"{t}（备份 {n}，恢复后 {actual[t]}）" for t, n in expected_counts.items() if actual[t] != n]
    if differ:
        raise BackupError("行数与备份清单不符：" + "；".join(differ))
    say(f"行数核对一致：{len(expected_counts)} 张表，共 {sum(actual.values())} 行。")
    if apps.is_installed("seals"):
        buffer = io.StringIO()
        try:
            call_command("verify_seal_register", stdout=buffer)
        except Exception as exc:
            raise BackupError(str(exc)) from exc
        say(buffer.getvalue().strip())
    ok, broken, count = auditchain.verify()
    if not ok:
        raise BackupError(f"审计日志校验失败：{broken}")
    say(f"审计日志校验通过：共 {count} 条，哈希链完整。")
    try:
        call_command("migrate", check=True, verbosity=0)
    except SystemExit as exc:
        raise BackupError("备份来自较早的版本，还有数据库迁移未执行：请运行 manage.py migrate。") from exc
    say("数据库结构与当前版本一致（migrate --check 通过）。")
