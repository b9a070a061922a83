"""The audit log's hash chain and the triggers that keep the log from being emptied."""

import pytest
from django.core.management import CommandError, call_command
from django.db import DatabaseError, connection, transaction

from township_office import audit, auditchain
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
    _raw(sql, params)


def test_each_event_carries_the_hash_of_the_one_before(clerk):
    first = audit.record("登记", by=clerk, comment="一")
    second = audit.record("拟办", by=clerk, comment="二")
    one, two = AuditLink.objects.get(event=first), AuditLink.objects.get(event=second)
    assert two.seq == one.seq + 1 and two.prev_hash == one.entry_hash
    assert two.entry_hash == auditchain.event_hash(one.entry_hash, AuditEvent.objects.get(pk=second.pk))
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
