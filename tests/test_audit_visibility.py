"""The audit log applies the records' own visibility (issue 12 §2): the auditor sees that an event happened — who,
when, which step, on which kind of record and its code — but an event's object text and comment only for a record
the reader may open; the keyword search does not match what would be redacted; the admin shows the same."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from tests.test_read_paths import _restricted_secrecy
from tests.testapp.models import Dossier
from township_office import audit, visibility
from township_office.models import AuditEvent, Department
from township_office.roles import Role

SECRET_TITLE = "关于审计可见性测试的内部通知"
ORDINARY_TITLE = "关于审计可见性测试的普通通知"
PETITIONER = "审计测试来信人"
MATTER = "反映审计测试特别事项子丑寅卯"
REDACTED = audit.REDACTED


@pytest.fixture
def records(people):
    from documents import services as documents_services
    from visitors import workflow as visitors_workflow

    clerk = people["clerk"]
    secret = documents_services.register_incoming(
        by=clerk,
        data={
            "source_org": "县委办公室",
            "title": SECRET_TITLE,
            "secrecy": _restricted_secrecy(),
            "deadline": timezone.localdate(),
        },
    )
    ordinary = documents_services.register_incoming(
        by=clerk, data={"source_org": "县政府办公室", "title": ORDINARY_TITLE, "deadline": None}
    )
    contact = visitors_workflow.register_contact(
        by=people["front_desk"],
        data={
            "channel": "letter",
            "received_at": timezone.now(),
            "name": PETITIONER,
            "id_number": "",
            "phone": "",
            "address": "柳林村",
            "matter": MATTER,
            "category": "other",
        },
    )
    return {"secret": secret, "ordinary": ordinary, "contact": contact}


@pytest.fixture
def auditing_clerk(people):
    """An auditor who is also a clerk: the office sees ordinary files, not a restricted one nor a letter."""
    from township_office.models import User

    user = User.objects.create_user("auditing_clerk", password="x", full_name="审计兼文书")
    user.groups.add(Group.objects.get(name=Role.AUDITOR), Group.objects.get(name=Role.CLERK))
    return user


def _rows(client, **params):
    page = client.get(reverse("township_office:audit_log"), params)
    assert page.status_code == 200
    body = page.content.decode()
    return body[body.index("<tbody>") : body.index("</tbody>")]


def test_auditor_sees_who_did_what_on_which_record_but_no_content(records, people, client_for):
    rows = _rows(client_for(people["auditor"]))
    for hidden in (SECRET_TITLE, ORDINARY_TITLE, PETITIONER, MATTER):
        assert hidden not in rows
    assert REDACTED in rows
    assert str(records["secret"].code) in rows and str(records["contact"].code) in rows
    assert "收文" in rows and "签收登记" in rows and people["clerk"].full_name in rows
    assert people["front_desk"].full_name in rows


def test_a_reader_who_may_open_a_record_sees_its_event_in_full(records, auditing_clerk, client_for):
    rows = _rows(client_for(auditing_clerk))
    assert ORDINARY_TITLE in rows
    assert SECRET_TITLE not in rows and PETITIONER not in rows and MATTER not in rows
    assert str(records["secret"].code) in rows


def test_search_does_not_match_what_the_reader_may_not_read(records, people, auditing_clerk, client_for):
    client = client_for(people["auditor"])
    for word in (PETITIONER, MATTER[:8], SECRET_TITLE[:8], ORDINARY_TITLE):
        assert "没有符合条件的记录" in _rows(client, q=word), word
    by_actor = _rows(client, q=people["front_desk"].full_name)
    assert str(records["contact"].code) in by_actor and REDACTED in by_actor and PETITIONER not in by_actor
    assert str(records["secret"].code) in _rows(client, q=str(records["secret"].code))
    client = client_for(auditing_clerk)
    assert ORDINARY_TITLE in _rows(client, q=ORDINARY_TITLE)
    assert "没有符合条件的记录" in _rows(client, q=SECRET_TITLE)


def test_database_and_page_agree_on_what_is_readable(records, people, auditing_clerk):
    """``readable_refs`` (the search, in SQL: uuid as text on PostgreSQL, without dashes on SQLite) and ``openable``
    (the page) give the same answer for every event."""
    department = Department.objects.first()
    audit.record("系统管理：修改", by=people["system_admin"], obj=department, comment="部门：电话")
    for user in (people["auditor"], auditing_clerk, people["office_director"], people["front_desk"]):
        events = list(AuditEvent.objects.all())
        readable = set(AuditEvent.objects.filter(visibility.readable_refs(user)).values_list("pk", flat=True))
        allowed = visibility.openable(user, {(e.object_type, e.object_code) for e in events})
        assert readable == {e.pk for e in events if (e.object_type, e.object_code) in allowed or not e.object_type}
    assert AuditEvent.objects.filter(visibility.readable_refs(people["auditor"]), object_code=str(department.code))


def test_a_guarded_model_without_a_visibility_function_is_redacted(people, client_for):
    """Fail closed: a record with object permissions whose app declares no ``visible_`` function is never shown;
    people, departments and settings are no one's records and are shown."""
    dossier = Dossier.objects.create(title="无可见性函数的卷宗")
    audit.record("登记", by=people["clerk"], obj=dossier, comment="卷宗说明")
    department = Department.objects.first()
    audit.record("系统管理：修改", by=people["system_admin"], obj=department, comment="部门：电话 1 → 2")
    assert visibility.is_guarded("testapp.dossier") and not visibility.is_guarded("township_office.department")
    rows = _rows(client_for(people["auditor"]))
    assert "无可见性函数的卷宗" not in rows and "卷宗说明" not in rows
    assert str(department) in rows and "部门：电话 1 → 2" in rows


def test_every_app_model_with_a_detail_page_has_its_visibility_found():
    found = set(visibility.functions())
    assert {
        "documents.incomingdocument",
        "documents.outgoingdocument",
        "visitors.contact",
        "visitors.petitioncase",
        "seals.sealrequest",
        "seals.introductionletter",
        "reception.reception",
    } <= found


def test_audit_log_queries_do_not_grow_with_the_kinds_and_rows(records, people, client_for, count_queries):
    client = client_for(people["auditor"])
    url = reverse("township_office:audit_log")
    before = count_queries(client, url)
    for i in range(10):
        audit.record("测试", by=people["clerk"], obj=records["contact"], comment=f"第{i}次")
        audit.record("测试", by=people["clerk"], obj=records["ordinary"], comment=f"第{i}次")
        audit.record("测试", by=people["clerk"], obj=records["secret"], comment=f"第{i}次")
    assert count_queries(client, url) == before


def test_admin_shows_the_same_redaction(records, people, client):
    auditor = people["auditor"]
    auditor.is_staff = True
    auditor.save(update_fields=["is_staff"])
    client.force_login(auditor)
    changelist = client.get(reverse("admin:township_office_auditevent_changelist"))
    assert changelist.status_code == 200
    text = changelist.content.decode()
    assert REDACTED in text and PETITIONER not in text and SECRET_TITLE not in text
    event = AuditEvent.objects.filter(object_code=str(records["contact"].code)).first()
    change = client.get(reverse("admin:township_office_auditevent_change", args=[event.pk]))
    assert change.status_code == 200
    text = change.content.decode()
    assert REDACTED in text and PETITIONER not in text and MATTER not in text and str(records["contact"].code) in text
