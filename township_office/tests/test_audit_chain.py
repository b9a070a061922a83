"""The audit log's hash chain and the triggers that keep the log from being emptied."""

import importlib
from datetime import timedelta

import pytest
import time_machine
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction
from django.utils import timezone

from township_office import audit, auditchain, backup
from township_office.models import AuditEvent, AuditHead, AuditLink


def _raw(sql, params=()):
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def _untriggered(sql, params=()):
    """Tamper as someone with the database file would: without the triggers (rolled back with the test)."""
    if connection.vendor == "postgresql":
        _raw("ALTER TABLE township_office_auditevent DISABLE TRIGGER USER")
        _raw("ALTER TABLE township_office_auditlink DISABLE TRIGGER USER")
    else:
        _raw("DROP TRIGGER IF EXISTS audit_no_update")
        _raw("DROP TRIGGER IF EXISTS audit_no_delete")
        _raw("DROP TRIGGER IF EXISTS audit_link_no_delete")
        _raw("DROP TRIGGER IF EXISTS audit_link_no_update")
    _raw(sql, params)


def test_each_event_carries_the_hash_of_the_one_before(clerk):
    first = audit.record("登记", by=clerk, comment="一")
    second = audit.record("拟办", by=clerk, comment="二")
    one, two = AuditLink.objects.get(event=first), AuditLink.objects.get(event=second)
    assert two.seq == one.seq + 1 and two.prev_hash == one.entry_hash
    assert two.entry_hash == auditchain.keyed_hash(one.entry_hash, AuditEvent.objects.get(pk=second.pk))
    assert AuditHead.objects.get().last_hash == two.entry_hash
    ok, broken, count = auditchain.verify()
    assert (ok, broken, count) == (True, None, 2)


def test_verify_names_the_first_changed_event(clerk):
    events = [audit.record("登记", by=clerk, comment=str(i)) for i in range(4)]
    _untriggered("UPDATE township_office_auditevent SET comment = 'x' WHERE id = %s", [events[1].pk])
    _untriggered("UPDATE township_office_auditevent SET comment = 'y' WHERE id = %s", [events[3].pk])
    ok, broken, _ = auditchain.verify()
    assert not ok and broken.event_id == events[1].pk and "已被改动" in broken.reason
    with pytest.raises(CommandError, match=f"#{events[1].pk}"):
        call_command("verify_audit_log")


def test_verify_finds_a_deleted_event_and_a_forged_one(clerk):
    events = [audit.record("登记", by=clerk, comment=str(i)) for i in range(3)]
    _untriggered("DELETE FROM township_office_auditevent WHERE id = %s", [events[1].pk])
    ok, broken, _ = auditchain.verify()
    assert not ok and broken.event_id == events[1].pk and "已被删除" in broken.reason


def test_verify_finds_an_event_written_around_the_application(clerk):
    audit.record("登记", by=clerk)
    _raw(
        "INSERT INTO township_office_auditevent (created_at, actor_name, action, object_type, object_code,"
        " object_repr, from_state, to_state, comment) VALUES (%s, '伪造', '删除', '', '', '', '', '', '')",
        ["2026-01-01 00:00:00+00:00"],
    )
    ok, broken, _ = auditchain.verify()
    assert not ok and "没有哈希链记录" in broken.reason


def test_verify_finds_the_last_event_deleted(clerk):
    audit.record("登记", by=clerk)
    last = audit.record("拟办", by=clerk)
    _untriggered("DELETE FROM township_office_auditlink WHERE event_id = %s", [last.pk])
    _untriggered("DELETE FROM township_office_auditevent WHERE id = %s", [last.pk])
    ok, broken, _ = auditchain.verify()
    assert not ok and "末尾" in broken.reason


def test_verify_audit_log_command_passes_on_an_intact_log(clerk, capsys):
    audit.record("登记", by=clerk)
    call_command("verify_audit_log")
    assert "校验通过：共 1 条" in capsys.readouterr().out


def test_tail_check_covers_the_last_events_only(clerk):
    events = [audit.record("登记", by=clerk, comment=str(i)) for i in range(5)]
    _untriggered("UPDATE township_office_auditevent SET comment = 'x' WHERE id = %s", [events[0].pk])
    assert auditchain.verify(tail=3)[0] is True
    assert auditchain.verify()[0] is False


def test_database_refuses_raw_delete_of_events(clerk):
    """Outside the test runner (its flush switch off) a raw DELETE is refused on both databases."""
    event = audit.record("登记", by=clerk)
    if connection.vendor == "sqlite":
        connection.connection.create_function("township_audit_flush_allowed", 0, lambda: 0)
    try:
        for table, column in [("township_office_auditevent", "id"), ("township_office_auditlink", "event_id")]:
            with pytest.raises(DatabaseError):
                with transaction.atomic():
                    _raw(f"DELETE FROM {table} WHERE {column} = %s", [event.pk])
    finally:
        if connection.vendor == "sqlite":
            connection.connection.create_function("township_audit_flush_allowed", 0, lambda: 1)
    assert AuditEvent.objects.filter(pk=event.pk).exists()


@pytest.mark.postgres
def test_postgres_refuses_truncate_outside_the_test_runner(clerk):
    audit.record("登记", by=clerk)
    _raw("SET township.audit_flush = 'off'")
    try:
        for table in ["township_office_auditevent", "township_office_auditlink"]:
            with pytest.raises(DatabaseError, match="审计日志不可清空"):
                with transaction.atomic():
                    _raw(f"TRUNCATE {table} CASCADE")
    finally:
        _raw("SET township.audit_flush = 'on'")
    assert AuditEvent.objects.count() == 1


# --- Anchored outside the database: a database owner's rewrite is detected -------------------------------


def _rechain_from(seq, *, keyed_from=None):
    """What someone holding the database (not the key) does after changing an event: recompute every link from
    ``seq`` on with the published algorithm, then move the head to the new last link."""
    head = AuditHead.objects.get()
    previous = AuditLink.objects.get(seq=seq - 1).entry_hash if seq > 1 else auditchain.GENESIS
    for link in AuditLink.objects.filter(seq__gte=seq).order_by("seq"):
        entry = auditchain.event_hash(previous, AuditEvent.objects.get(pk=link.event_id))
        _untriggered(
            "UPDATE township_office_auditlink SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [previous, entry, link.seq],
        )
        previous = entry
    _raw(
        "UPDATE township_office_audithead SET last_hash = %s, keyed_from_seq = %s WHERE id = 1",
        [previous, keyed_from if keyed_from is not None else head.keyed_from_seq],
    )


@pytest.mark.parametrize("downgrade", [False, True], ids=["recomputed", "recomputed-as-unkeyed"])
def test_an_edited_event_with_the_chain_recomputed_is_detected(clerk, downgrade):
    """Triggers off, one event changed, every following hash recomputed and the head moved (also claiming the
    chain was never keyed): without the key the links and the head cannot be made to match."""
    events = [audit.record("登记", by=clerk, comment=str(i)) for i in range(4)]
    _untriggered("UPDATE township_office_auditevent SET comment = '改过' WHERE id = %s", [events[1].pk])
    seq = AuditLink.objects.get(event=events[1]).seq
    if downgrade:  # every link as plain SHA-256, the head saying the key starts after the last event
        _rechain_from(1, keyed_from=AuditHead.objects.get().last_seq + 1)
    else:
        _rechain_from(seq)
    ok, broken, _ = auditchain.verify()
    assert not ok
    if downgrade:
        assert "链头的密钥校验值不符" in broken.reason
    else:
        assert broken.event_id == events[1].pk and "已被改动" in broken.reason
    with pytest.raises(CommandError, match="审计日志校验失败"):
        call_command("verify_audit_log")


def test_a_deleted_tail_with_the_head_rewound_is_detected(clerk):
    events = [audit.record("登记", by=clerk, comment=str(i)) for i in range(4)]
    keep = AuditLink.objects.get(event=events[1])
    for event in events[2:]:
        _untriggered("DELETE FROM township_office_auditlink WHERE event_id = %s", [event.pk])
        _untriggered("DELETE FROM township_office_auditevent WHERE id = %s", [event.pk])
    _raw("UPDATE township_office_audithead SET last_seq = %s, last_hash = %s", [keep.seq, keep.entry_hash])
    ok, broken, _ = auditchain.verify()
    assert not ok and "链头的密钥校验值不符" in broken.reason


@time_machine.travel("2026-03-09 23:30:00+00:00", tick=False)
def test_a_deleted_tail_with_an_old_head_replayed_is_caught_by_the_anchors(clerk, settings, tmp_path, capsys):
    """The head row saved from an earlier copy of the database carries a valid MAC: the daily anchor line (outside
    the database) says the chain was already longer."""
    settings.AUDIT_ANCHOR_LOG = tmp_path / "audit-anchors.log"
    settings.BACKUP_DIR = tmp_path / "backups"
    first = [audit.record("登记", by=clerk, comment=str(i)) for i in range(2)]
    saved = AuditHead.objects.values("last_seq", "last_hash", "mac").get()
    later = [audit.record("拟办", by=clerk, comment=str(i)) for i in range(3)]
    from township_office.tasks import anchor_audit_log

    line = anchor_audit_log()
    assert line.startswith("2026-03-10T07:30:00+08:00 anchor seq=5 hash=")
    call_command("verify_audit_log")
    assert "与 1 个链外锚点一致" in capsys.readouterr().out

    for event in later:
        _untriggered("DELETE FROM township_office_auditlink WHERE event_id = %s", [event.pk])
        _untriggered("DELETE FROM township_office_auditevent WHERE id = %s", [event.pk])
    _raw(
        "UPDATE township_office_audithead SET last_seq = %s, last_hash = %s, mac = %s",
        [saved["last_seq"], saved["last_hash"], saved["mac"]],
    )
    assert auditchain.verify()[0] is True  # inside the database everything matches
    ok, broken, _ = auditchain.verify(anchors=backup.anchors_outside_database())
    assert not ok and "日志末尾的事件已被删除" in broken.reason and "已有 5 条，现在只有 2 条" in broken.reason
    with pytest.raises(CommandError, match="2026-03-10 07:30 时已有 5 条"):
        call_command("verify_audit_log")
    assert AuditEvent.objects.filter(pk__in=[e.pk for e in first]).count() == 2


def test_an_anchor_catches_an_edit_even_with_the_key(clerk, settings, tmp_path):
    """Whoever also had the key and rewrote the keyed chain: the anchored hash no longer matches."""
    settings.AUDIT_ANCHOR_LOG = tmp_path / "audit-anchors.log"
    events = [audit.record("登记", by=clerk, comment=str(i)) for i in range(3)]
    auditchain.write_anchor()
    _untriggered("UPDATE township_office_auditevent SET comment = '改过' WHERE id = %s", [events[0].pk])
    head = AuditHead.objects.get()
    previous = auditchain.GENESIS
    for link in AuditLink.objects.order_by("seq"):
        entry = auditchain.keyed_hash(previous, AuditEvent.objects.get(pk=link.event_id))
        _untriggered(
            "UPDATE township_office_auditlink SET prev_hash = %s, entry_hash = %s WHERE seq = %s",
            [previous, entry, link.seq],
        )
        previous = entry
    mac = auditchain.head_mac(head.last_seq, previous, head.keyed_from_seq)
    _raw("UPDATE township_office_audithead SET last_hash = %s, mac = %s", [previous, mac])
    assert auditchain.verify()[0] is True
    ok, broken, _ = auditchain.verify(anchors=auditchain.read_anchor_log(settings.AUDIT_ANCHOR_LOG))
    assert not ok and "第 3 条事件的哈希与锚点文件 audit-anchors.log" in broken.reason and "已被改写" in broken.reason


def test_another_key_does_not_verify(clerk, settings):
    audit.record("登记", by=clerk)
    settings.AUDIT_KEY = "another installation's key"
    ok, broken, _ = auditchain.verify()
    assert not ok and "已被改动" in broken.reason


def test_a_restore_line_retires_the_anchors_of_the_lost_timeline(clerk):
    """After a restore of an older archive, the anchors written before it beyond the archive's head belong to the
    events the restore gave up; the ones within it, and every later one, still count."""
    now = timezone.now()
    anchors = [
        auditchain.Anchor(now - timedelta(days=3), 10, "a" * 64, "锚点"),
        auditchain.Anchor(now - timedelta(days=1), 30, "b" * 64, "锚点"),
        auditchain.Anchor(now - timedelta(hours=2), 20, "c" * 64, "锚点", kind="restore"),
        auditchain.Anchor(now, 25, "d" * 64, "锚点"),
    ]
    assert [a.seq for a in auditchain.applicable(anchors)] == [10, 20, 25]


def test_the_anchor_log_skips_a_line_cut_short(tmp_path):
    log = tmp_path / "audit-anchors.log"
    log.write_text(
        f"2026-03-10T00:05:00+08:00 anchor seq=7 hash={'e' * 64}\n2026-03-11T00:05:00+08:00 anchor seq=9 ha",
        encoding="utf-8",
    )
    anchors = auditchain.read_anchor_log(log)
    assert [(a.seq, a.hash, a.kind) for a in anchors] == [(7, "e" * 64, "anchor")]


def test_an_existing_chain_is_keyed_by_the_migration(clerk):
    """A chain written before the key (plain SHA-256 links, a head without MAC): the migration keys it from the next
    event on; the old events stay verifiable, and an edit of one of them is caught by the first keyed link."""
    migration = importlib.import_module("township_office.migrations.0008_audit_chain_keyed")
    previous = auditchain.GENESIS
    events = []
    for i in range(3):  # written as before the migration: plain links
        event = AuditEvent.objects.create(actor=clerk, actor_name="王芳", action="登记", comment=str(i))
        seq = len(events) + 1
        entry = auditchain.event_hash(previous, event)
        AuditLink.objects.create(event=event, seq=seq, prev_hash=previous, entry_hash=entry)
        previous = entry
        events.append(event)
    AuditHead.objects.update_or_create(
        pk=1, defaults={"last_seq": 3, "last_hash": previous, "keyed_from_seq": None, "mac": ""}
    )
    assert auditchain.verify()[0] is False  # no MAC on the head yet

    from django.apps import apps

    migration.key_the_chain(apps, None)
    head = AuditHead.objects.get()
    assert head.keyed_from_seq == 4
    assert auditchain.verify() == (True, None, 3)
    new = audit.record("拟办", by=clerk)
    link = AuditLink.objects.get(event=new)
    assert link.seq == 4 and link.entry_hash == auditchain.keyed_hash(previous, AuditEvent.objects.get(pk=new.pk))
    assert auditchain.verify() == (True, None, 4)

    _untriggered("UPDATE township_office_auditevent SET comment = '改过' WHERE id = %s", [events[0].pk])
    _rechain_from(1)  # the plain links can be recomputed, the first keyed one cannot
    ok, broken, _ = auditchain.verify()
    assert not ok and broken.event_id == new.pk  # the first keyed link: its hash cannot be recomputed
