"""Operations tables: the task outbox, heartbeats, the audit hash chain, forced password changes.

Imported at the end of ``township_office/models.py`` so that they belong to this app.
"""

import uuid

from django.conf import settings
from django.db import models
from django.db.backends.signals import connection_created
from django.utils import timezone


class OutboxMessage(models.Model):
    """A Celery task written in the same transaction as the step that queued it.

    The relay (``township_office.outbox.relay``) publishes unsent rows once the broker
    answers: it claims a row for a short lease (``claimed_until``) in a transaction of its own and
    publishes after that commits, so no row lock is held while it talks to the broker, and a relay
    that dies mid-send only delays the row until the lease runs out. The worker runs a message at
    most once (``started_at`` is set by a conditional update keyed on ``task_id``), so a row
    published twice still runs once."""

    task_id = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    task_name = models.CharField("任务", max_length=200)
    args = models.JSONField(default=list)
    kwargs = models.JSONField(default=dict)
    created_at = models.DateTimeField("写入时间", default=timezone.now)
    sent_at = models.DateTimeField("交给队列时间", null=True, blank=True)
    started_at = models.DateTimeField("开始执行时间", null=True, blank=True)
    claimed_until = models.DateTimeField("发送租约到期", null=True, blank=True)
    attempts = models.PositiveIntegerField("发送次数", default=0)
    last_error = models.CharField("最近错误", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "任务发件箱"
        ordering = ["pk"]
        indexes = [models.Index(fields=["sent_at", "id"], name="outbox_unsent")]

    def __str__(self):
        return f"{self.task_name} {self.task_id}"


class Heartbeat(models.Model):
    """Last time a periodic thing ran (``beat``: the scheduler, whichever runs it)."""

    name = models.CharField(max_length=40, unique=True)
    at = models.DateTimeField()

    class Meta:
        verbose_name = verbose_name_plural = "心跳"

    def __str__(self):
        return f"{self.name} {self.at:%Y-%m-%d %H:%M:%S}"


class AuditLink(models.Model):
    """The hash chain over the audit log: one link per event, in the order they were written.

    ``entry_hash`` = HMAC-SHA256 with the chain's key (SHA-256 for the links written before the chain was
    keyed) of the previous link's hash and the event's fields (``township_office.auditchain.link_hash``).
    Append-only, like the events."""

    event = models.OneToOneField(
        "township_office.AuditEvent",
        primary_key=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="link",
    )
    seq = models.PositiveBigIntegerField(unique=True)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    class Meta:
        verbose_name = verbose_name_plural = "审计日志哈希链"
        ordering = ["seq"]
        default_permissions = ()

    def __str__(self):
        return f"{self.seq} {self.entry_hash[:12]}"


class AuditHead(models.Model):
    """One row: the last link of the audit chain, locked while an event is appended.

    ``keyed_from_seq``: the links from this one on are HMACs with the chain's key (the ones before, written
    before migration 0008, plain SHA-256). ``mac``: the head's position under the key
    (``township_office.auditchain.head_mac``)."""

    last_seq = models.PositiveBigIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)
    keyed_from_seq = models.PositiveBigIntegerField(null=True)
    mac = models.CharField(max_length=64, blank=True, default="")

    class Meta:
        default_permissions = ()

    def __str__(self):
        return f"审计日志至第{self.last_seq}条"


class PasswordChangeRequired(models.Model):
    """An account created or reset by an administrator: its next sign-in must set a new password."""

    user = models.OneToOneField(settings.AUTH_USER_MODEL, primary_key=True, on_delete=models.CASCADE, related_name="+")
    since = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "待修改初始密码"
        default_permissions = ()

    def __str__(self):
        return str(self.user)


def _audit_flush_switch(sender, connection, **kwargs):
    """The triggers that refuse emptying the audit log ask this connection whether it is the
    test runner's (``AUDIT_LOG_TEST_FLUSH``, set only in tests/settings.py): the runner empties
    every table between transactional tests. Any other connection is refused."""
    allowed = bool(getattr(settings, "AUDIT_LOG_TEST_FLUSH", False))
    if connection.vendor == "sqlite":
        connection.connection.create_function(
            "township_audit_flush_allowed", 0, lambda: int(allowed), deterministic=True
        )
    elif connection.vendor == "postgresql" and allowed:
        with connection.connection.cursor() as cursor:
            cursor.execute("SET township.audit_flush = 'on'")


connection_created.connect(_audit_flush_switch, dispatch_uid="township_office.audit_flush_switch")
