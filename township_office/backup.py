"""Backup and restore of one installation: the database, uploaded files and the secret key.

One archive (``township-YYYYmmdd-HHMMSS.tar.gz`` in ``BACKUP_DIR``) holds:

- ``database.sqlite3`` (SQLite's online backup API: a consistent copy while the system runs) or
  ``database.pgdump`` (``pg_dump -Fc``, taken in the same snapshot as the row counts);
- ``media.tar``: every uploaded file (``MEDIA_ROOT``);
- ``secret_key`` and ``audit_key``: the generated keys in ``DATA_DIR``, when the installation uses them;
- ``manifest.json``: the row count of every table, the audit chain's head (an anchor outside the
  database, township_office/auditchain.py) and the SHA-256 of every part.

``restore()`` checks every part against the manifest, then fills an empty database and data folder
(a non-empty one only with ``force``) without destroying what was there before the new data is
proven good: the old data is moved aside (PostgreSQL: schema ``public`` renamed; SQLite: a copy of
the file; uploads: the folder renamed), the archive is restored and verified — row counts, the seal
register chain, the audit chain against the archive's key and head — and only then is the old data
dropped. A restore that fails at any point puts the old data back. Last, the static files are
built when missing and no migration may be missing.
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

from . import auditchain

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


def _audit_head(cursor):
    """The audit chain's head in the snapshot being dumped: {"seq", "hash"}."""
    from .auditchain import GENESIS

    cursor.execute("SELECT last_seq, last_hash FROM township_office_audithead WHERE id = 1")
    row = cursor.fetchone()
    seq, last_hash = row if row else (0, GENESIS)
    return {"seq": seq, "hash": last_hash}


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
    """(part file name, row counts, audit head), all from one consistent snapshot."""
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
            head = _audit_head(copy.cursor())
        finally:
            copy.close()
        return target.name, counts, head
    if connection.vendor == "postgresql":
        target = workdir / "database.pgdump"
        env, args, name = _pg_env(connection)
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY")
            cursor.execute("SELECT pg_export_snapshot()")
            snapshot = cursor.fetchone()[0]
            counts = _count(cursor, tables, connection.ops.quote_name)
            head = _audit_head(cursor)
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
        return target.name, counts, head
    raise BackupError(f"不支持的数据库：{connection.vendor}")


# The generated keys an archive carries: {part name: environment variable that replaces the file}.
KEY_FILES = {"secret_key": "SECRET_KEY", "audit_key": "AUDIT_KEY"}


def _key_in_environment(variable):
    return bool(os.environ.get(variable) or os.environ.get(f"{variable}_FILE"))


def _generated_key_file(name):
    """The generated key file in DATA_DIR, when the installation uses it (no key from the environment)."""
    path = Path(settings.DATA_DIR) / name
    return path if path.exists() and not _key_in_environment(KEY_FILES[name]) else None


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
        database_part, counts, head = _dump_database(workdir)
        parts = [database_part]
        media = Path(settings.MEDIA_ROOT)
        with tarfile.open(workdir / "media.tar", "w") as tar:
            if media.exists():
                for path in sorted(media.rglob("*")):
                    if path.is_file():
                        tar.add(path, arcname=str(path.relative_to(media)))
        parts.append("media.tar")
        for name in KEY_FILES:
            key = _generated_key_file(name)
            if key is not None:
                shutil.copyfile(key, workdir / name)
                parts.append(name)
        manifest = {
            "format": FORMAT,
            "created_at": timezone.now().isoformat(),
            "database": connection.vendor,
            "counts": counts,
            "audit_head": head,
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
    auditchain.write_anchor(note=f"backup={archive.name}", position=(head["seq"], head["hash"]))
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


# Where the target's data waits while the archive is restored and verified.
ASIDE_SCHEMA = "township_before_restore"
ASIDE_SUFFIX = ".before-restore"


class _SqliteTarget:
    """The SQLite file: a copy of it is kept until the restored one verifies."""

    def __init__(self):
        self.path = Path(settings.DATABASES["default"]["NAME"])
        self.aside = self.path.with_name(self.path.name + ASIDE_SUFFIX)

    def move_aside(self):
        if self.aside.exists():
            raise BackupError(
                f"已有 {self.aside}：上一次恢复没有完成。请先确认其中的数据（它是那次恢复之前的数据库），"
                "再把它移走或改回原名。"
            )
        connections.close_all()
        if self.path.exists():
            _sqlite_copy(self.path, self.aside)

    def restore(self, part):
        connections.close_all()
        _sqlite_copy(part, self.path)  # replaces every page of the target, WAL included

    def put_back(self):
        connections.close_all()
        if self.aside.exists():
            _sqlite_copy(self.aside, self.path)
            self.aside.unlink()
        elif self.path.exists():  # the target was empty: empty again
            _sqlite_copy(None, self.path)

    def drop_aside(self):
        self.aside.unlink(missing_ok=True)


def _sqlite_copy(source, target):
    """Copy one SQLite database over another with the backup API (``None``: an empty database)."""
    src = sqlite3.connect(source if source is not None else ":memory:")
    dst = sqlite3.connect(target)
    try:
        src.backup(dst)
    finally:
        dst.close()
        src.close()


class _PostgresTarget:
    """The PostgreSQL database: schema ``public`` is renamed aside, the archive restored into a new ``public`` in
    one transaction, and the old schema dropped only once the new data verifies."""

    def move_aside(self):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("SELECT 1 FROM pg_namespace WHERE nspname = %s", [ASIDE_SCHEMA])
            if cursor.fetchone():
                raise BackupError(
                    f"数据库中已有模式 {ASIDE_SCHEMA}：上一次恢复没有完成。它保存着那次恢复之前的数据；确认后"
                    f"删除它（DROP SCHEMA {ASIDE_SCHEMA} CASCADE）或改回 public，再恢复。"
                )
            cursor.execute(f"ALTER SCHEMA public RENAME TO {ASIDE_SCHEMA}")
            cursor.execute("CREATE SCHEMA public")
            # Extensions (pg_trgm) belong to the database, not to the tables: they stay in public, where the
            # dump's objects expect them; the old tables keep using them.
            for extension in self._extensions(cursor, ASIDE_SCHEMA):
                cursor.execute(f"ALTER EXTENSION {extension} SET SCHEMA public")
        connections.close_all()

    @staticmethod
    def _extensions(cursor, schema):
        cursor.execute(
            "SELECT e.extname FROM pg_extension e JOIN pg_namespace n ON n.oid = e.extnamespace WHERE n.nspname = %s",
            [schema],
        )
        return [connection.ops.quote_name(row[0]) for row in cursor.fetchall()]

    def restore(self, part):
        env, args, name = _pg_env(connection)
        connections.close_all()
        _run(
            [
                "pg_restore",
                "--no-owner",
                "--no-privileges",
                "--exit-on-error",
                "--single-transaction",
                "-d",
                name,
                *args,
                str(part),
            ],
            env,
        )

    def put_back(self):
        connections.close_all()
        with transaction.atomic(), connection.cursor() as cursor:
            extensions = self._extensions(cursor, "public")
            for extension in extensions:  # out of the schema about to go, with the old tables using them
                cursor.execute(f"ALTER EXTENSION {extension} SET SCHEMA {ASIDE_SCHEMA}")
            cursor.execute("DROP SCHEMA public CASCADE")
            cursor.execute(f"ALTER SCHEMA {ASIDE_SCHEMA} RENAME TO public")
        connections.close_all()

    def drop_aside(self):
        with connection.cursor() as cursor:
            cursor.execute(f"DROP SCHEMA {ASIDE_SCHEMA} CASCADE")


def check_pg_dump(part):
    """A dump pg_restore can read at all: its table of contents lists the tables' data."""
    env, _, _ = _pg_env(connection)
    listing = _run(["pg_restore", "--list", str(part)], env).stdout
    if "TABLE DATA" not in listing:
        raise BackupError("备份中的数据库转储没有任何表数据，备份已损坏。")


class _MediaTarget:
    """The upload folder: the archive's files are unpacked beside it and swapped in once the database verifies."""

    def __init__(self):
        self.path = Path(settings.MEDIA_ROOT)
        self.aside = self.path.with_name(self.path.name + ASIDE_SUFFIX)
        self.staging = None

    def unpack(self, part):
        self.path.parent.mkdir(parents=True, exist_ok=True)
        self.staging = Path(tempfile.mkdtemp(prefix=f".{self.path.name}-restore-", dir=self.path.parent))
        with tarfile.open(part) as tar:
            tar.extractall(self.staging, filter="data")

    def switch(self):
        shutil.rmtree(self.aside, ignore_errors=True)
        try:
            if self.path.exists():
                self.path.rename(self.aside)
            self.staging.rename(self.path)
        except OSError:  # MEDIA_ROOT is a mount point: replace what is inside it
            self.path.mkdir(parents=True, exist_ok=True)
            for child in self.path.iterdir():
                if child.is_dir() and not child.is_symlink():
                    shutil.rmtree(child)
                else:
                    child.unlink()
            for child in self.staging.iterdir():
                shutil.move(child, self.path / child.name)
            shutil.rmtree(self.staging, ignore_errors=True)
        self.staging = None
        shutil.rmtree(self.aside, ignore_errors=True)

    def discard(self):
        if self.staging is not None:
            shutil.rmtree(self.staging, ignore_errors=True)


def _archive_key(workdir, name):
    """The key the restored installation will use: the archive's generated one, unless the environment gives one."""
    if (workdir / name).exists() and not _key_in_environment(KEY_FILES[name]):
        return (workdir / name).read_text(encoding="utf-8").strip()
    return None


def restore(archive, *, force=False, out=None):
    """Restore ``archive`` into the configured database and data folder, then verify it.

    The old data stays until the new data is verified; any failure puts it back and raises ``BackupError``."""
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
            target = _SqliteTarget()
        else:
            try:
                check_pg_dump(workdir / "database.pgdump")
            except BackupError as exc:
                raise BackupError(f"恢复失败，原有数据未改动：备份中的数据库转储无法读取。{exc}") from exc
            say("数据库转储可以读取（pg_restore --list）。")
            target = _PostgresTarget()
        audit_key = _archive_key(workdir, "audit_key")
        anchors = []
        if "audit_head" in manifest:
            head = manifest["audit_head"]
            at = datetime.fromisoformat(manifest["created_at"])
            anchors.append(auditchain.Anchor(at, int(head["seq"]), head["hash"], "备份清单"))
        media = _MediaTarget()
        target.move_aside()
        try:
            media.unpack(workdir / "media.tar")
            target.restore(workdir / ("database.sqlite3" if connection.vendor == "sqlite" else "database.pgdump"))
            lines = verify_data(manifest["counts"], say, audit_key=audit_key, anchors=anchors)
        except Exception as exc:
            media.discard()
            target.put_back()
            connections.close_all()
            reason = str(exc) if isinstance(exc, BackupError) else f"{exc.__class__.__name__}: {exc}"[:500]
            raise BackupError(f"恢复失败，原有数据未改动：{reason}") from exc
        target.drop_aside()
        media.switch()
        for name in KEY_FILES:
            if _archive_key(workdir, name) is not None:
                key = Path(settings.DATA_DIR) / name
                shutil.copyfile(workdir / name, key)
                key.chmod(0o600)
        if audit_key is not None:
            settings.AUDIT_KEY = audit_key  # this process goes on with the restored installation's key
        say("数据库、上传文件和密钥已恢复，原有数据已替换。")
    line = auditchain.write_anchor(kind="restore", note=f"archive={Path(archive).name}")
    say(f"审计日志链头已记入锚点文件：{line}")
    lines += _ensure_static(say)
    lines += check_migrations(say)
    return lines


def verify_data(expected_counts, say, *, audit_key=None, anchors=()):
    """Counts, the seal register and the audit chain (keyed with ``audit_key``, holding ``anchors``) of the
    restored database. Returns the lines said; raises ``BackupError``."""
    from django.apps import apps

    lines = []

    def tell(line):
        lines.append(line)
        say(line)

    connections.close_all()
    with connection.cursor() as cursor:
        existing = set(connection.introspection.table_names(cursor))
        missing = [t for t in expected_counts if t not in existing]
        if missing:
            raise BackupError("恢复后缺少数据表：" + "、".join(missing[:10]))
        actual = _count(cursor, list(expected_counts), connection.ops.quote_name)
    differ = [f"{t}（备份 {n}，恢复后 {actual[t]}）" for t, n in expected_counts.items() if actual[t] != n]
    if differ:
        raise BackupError("行数与备份清单不符：" + "；".join(differ))
    tell(f"行数核对一致：{len(expected_counts)} 张表，共 {sum(actual.values())} 行。")
    if apps.is_installed("seals"):
        buffer = io.StringIO()
        try:
            call_command("verify_seal_register", stdout=buffer)
        except Exception as exc:
            raise BackupError(str(exc)) from exc
        tell(buffer.getvalue().strip())
    secret = audit_key.encode() if audit_key else None
    ok, broken, count = auditchain.verify(anchors=anchors, secret=secret)
    if not ok:
        raise BackupError(f"审计日志校验失败：{broken}")
    tell(f"审计日志校验通过：共 {count} 条，哈希链完整" + ("，与备份清单记录的链头一致。" if anchors else "。"))
    return lines


def _ensure_static(say):
    """The static files the pages need (STATIC_ROOT, outside DATA_DIR): built when the manifest is missing, so a
    restored installation answers every page at once."""
    from django.contrib.staticfiles.storage import ManifestFilesMixin
    from django.core.files.storage import storages

    storage = storages["staticfiles"]
    if not isinstance(storage, ManifestFilesMixin) or storage.read_manifest() is not None:
        return []
    call_command("collectstatic", interactive=False, verbosity=0)
    line = f"静态文件已生成（collectstatic → {settings.STATIC_ROOT}）。"
    say(line)
    return [line]


def check_migrations(say):
    try:
        call_command("migrate", check=True, verbosity=0)
    except SystemExit as exc:
        raise BackupError("备份来自较早的版本，还有数据库迁移未执行：请运行 manage.py migrate。") from exc
    line = "数据库结构与当前版本一致（migrate --check 通过）。"
    say(line)
    return [line]


# --- The audit chain's anchors kept in the backups (verify_audit_log reads them with the anchor log) ----------


def read_backup_anchors(directory):
    """The head recorded in the manifest of every backup archive in ``directory``."""
    anchors = []
    for archive in archives(directory) if Path(directory).is_dir() else []:
        try:
            with tarfile.open(archive, "r:gz") as tar:
                manifest = json.load(tar.extractfile("manifest.json"))
            head = manifest["audit_head"]
            at = datetime.fromisoformat(manifest["created_at"])
            anchors.append(auditchain.Anchor(at, int(head["seq"]), head["hash"], f"备份 {archive.name} 的清单"))
        except (OSError, tarfile.TarError, EOFError, KeyError, TypeError, ValueError, AttributeError):
            continue  # not readable, or from before the manifests carried the head
    return anchors


def anchors_outside_database(anchor_logs=None, backup_dirs=None):
    """Every anchor this installation wrote: its anchor log and its backups (or the ones given)."""
    anchors = []
    for path in anchor_logs if anchor_logs is not None else [settings.AUDIT_ANCHOR_LOG]:
        anchors += auditchain.read_anchor_log(path)
    for directory in backup_dirs if backup_dirs is not None else [settings.BACKUP_DIR]:
        anchors += read_backup_anchors(directory)
    return anchors
