import pytest
from django.db import DatabaseError, connection, transaction
from django.urls import reverse

from tests.testapp.models import Dossier
from township_office import audit
from township_office.models import AuditEvent
from township_office.workflow import TransitionNotAllowed, transition


def test_record_keeps_who_what_and_address(client_for, clerk, auditor):
    client = client_for(clerk)
    # The middleware puts the client address into the audit record of a request.
    client.get(reverse("township_office:todo"), REMOTE_ADDR="10.1.2.3")
    token = audit.client_address.set("10.1.2.3")
    try:
        event = audit.record("登记", by=clerk, comment="收文〔2026〕1号")
    finally:
        audit.client_address.reset(token)
    assert (event.actor, event.actor_name, event.client_address) == (clerk, "孙悦", "10.1.2.3")


def test_orm_refuses_update_and_delete(clerk):
    event = audit.record("登记", by=clerk)
    event.comment = "改写历史"
    with pytest.raises(PermissionError):
        event.save()
    with pytest.raises(PermissionError):
        event.delete()
    with pytest.raises(PermissionError):
        AuditEvent.objects.filter(pk=event.pk).update(comment="改写")
    with pytest.raises(PermissionError):
        AuditEvent.objects.all().delete()
    assert AuditEvent.objects.get(pk=event.pk).comment == ""


def test_database_refuses_raw_update(clerk):
    event = audit.record("登记", by=clerk)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("UPDATE township_office_auditevent SET comment = 'x' WHERE id = %s", [event.pk])
    assert AuditEvent.objects.get(pk=event.pk).comment == ""


def test_database_refuses_raw_delete_on_postgres(clerk, is_postgres):
    if not is_postgres:
        pytest.skip("SQLite keeps DELETE possible for the test runner's flush; the ORM refuses it")
    event = audit.record("登记", by=clerk)
    with pytest.raises(DatabaseError):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM township_office_auditevent WHERE id = %s", [event.pk])
    assert AuditEvent.objects.filter(pk=event.pk).exists()


def test_admin_cannot_change_or_delete_events(client, clerk, township):
    from township_office.models import User

    root = User.objects.create_superuser("root", password="x", full_name="超级用户")
    client.force_login(root)
    event = audit.record("登记", by=clerk)
    change_url = reverse("admin:township_office_auditevent_change", args=[event.pk])
    response = client.post(change_url, {"comment": "改写"})
    assert response.status_code in (403, 302, 200)
    assert AuditEvent.objects.get(pk=event.pk).comment == ""
    delete_url = reverse("admin:township_office_auditevent_delete", args=[event.pk])
    assert client.post(delete_url, {"post": "yes"}).status_code == 403
    assert AuditEvent.objects.filter(pk=event.pk).exists()
    assert client.get(reverse("admin:township_office_auditevent_add")).status_code == 403


def test_transition_moves_state_once_and_writes_audit(clerk):
    dossier = Dossier.objects.create(title="文件")
    transition(dossier, by=clerk, action="办结", source=[Dossier.Status.OPEN], target=Dossier.Status.DONE)
    dossier.refresh_from_db()
    assert dossier.status == Dossier.Status.DONE
    event = audit.history(dossier).get()
    assert (event.action, event.from_state, event.to_state) == ("办结", "open", "done")


def test_second_click_loses(clerk):
    dossier = Dossier.objects.create(title="文件")
    stale = Dossier.objects.get(pk=dossier.pk)
    transition(dossier, by=clerk, action="办结", source=[Dossier.Status.OPEN], target=Dossier.Status.DONE)
    # `stale` still believes it is open: the conditional update refuses it.
    with pytest.raises(TransitionNotAllowed) as error:
        transition(stale, by=clerk, action="办结", source=[Dossier.Status.OPEN], target=Dossier.Status.DONE)
    assert "已被他人处理" in error.value.message
    assert audit.history(dossier).count() == 1


def test_wrong_state_is_refused_without_audit(clerk):
    dossier = Dossier.objects.create(title="文件", status=Dossier.Status.DONE)
    with pytest.raises(TransitionNotAllowed):
        transition(dossier, by=clerk, action="办结", source=[Dossier.Status.OPEN], target=Dossier.Status.DONE)
    assert not audit.history(dossier).exists()
