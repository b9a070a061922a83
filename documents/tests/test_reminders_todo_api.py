from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import api, workflow
from documents.models import IncomingDocument, Reminder
from documents.tasks import send_reminders
from township_office import worklist
from township_office.models import Notification


def test_due_soon_and_overdue_reminders_are_sent_once(routed, deputy, staff, django_capture_on_commit_callbacks):
    workflow.instruct(routed, by=deputy, text="办理")
    IncomingDocument.objects.filter(pk=routed.pk).update(deadline=timezone.localdate() + timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        assert send_reminders() == 1
        assert send_reminders() == 0  # the task ran twice: no second reminder
    assert Notification.objects.filter(recipient=staff, title__startswith="即将到期").count() == 1


def test_overdue_escalates_to_deputy_in_charge(routed, deputy, staff, django_capture_on_commit_callbacks):
    workflow.instruct(routed, by=deputy, text="办理")
    IncomingDocument.objects.filter(pk=routed.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    with django_capture_on_commit_callbacks(execute=True):
        send_reminders()
        send_reminders()
    assert Notification.objects.filter(recipient=staff, title__startswith="已逾期").count() == 1
    assert Notification.objects.filter(recipient=deputy, title__startswith="分管部门文件逾期").count() == 1
    assert Reminder.objects.filter(kind=Reminder.Kind.OVERDUE).count() == 1


def test_completed_files_are_not_chased(routed, deputy, staff):
    workflow.instruct(routed, by=deputy, text="办理")
    workflow.complete(routed, by=staff, result="完成")
    IncomingDocument.objects.filter(pk=routed.pk).update(deadline=timezone.localdate() - timedelta(days=3))
    assert send_reminders() == 0


def _kinds(user):
    """What 我的待办 lists for the user: open work items (to act on, and to read)."""
    acting = [(item.label, item.matter.title) for item in worklist.waiting(user)]
    reading = [(item.label, item.matter.title) for item in worklist.read_items(user).filter(done_at__isnull=True)]
    return acting + reading


def test_todo_follows_the_file(register, office_director, deputy, principal, staff, clerk, departments):
    document = register(title="待办测试文件")
    assert ("待拟办", str(document)) in _kinds(office_director)
    workflow.propose(
        document,
        by=office_director,
        proposal="呈批",
        leaders=[deputy],
        lead_department=departments["农业农村办公室"],
        readers=[principal],
    )
    assert not any("待办测试文件" in t for _, t in _kinds(office_director))
    assert ("待批示", str(document)) in _kinds(deputy)
    [item] = worklist.waiting(deputy)
    assert item.due == document.deadline
    assert ("待阅", str(document)) in _kinds(principal)
    assert not _kinds(staff)  # the department acts once the leader has instructed
    workflow.instruct(document, by=deputy, text="办理")
    assert not any("待办测试文件" in t for _, t in _kinds(deputy))
    assert ("待办结", str(document)) in _kinds(staff)
    workflow.complete(document, by=staff, result="完成")
    assert not _kinds(staff)
    assert ("待归档", str(document)) in _kinds(clerk)
    workflow.mark_read(document, by=principal)
    assert not _kinds(principal)


def test_todo_count_in_navigation(client_for, register, office_director):
    register()
    page = client_for(office_director).get(reverse("township_office:todo")).content.decode()
    assert 'data-testid="todo-count">1<' in page


def test_daily_report_items(register, routed, deputy, clerk):
    from documents import services

    today = timezone.localdate()
    IncomingDocument.objects.filter(pk=routed.pk).update(deadline=today - timedelta(days=1))
    services.register_incoming(
        by=clerk,
        data={
            "kind": "phone",
            "source_org": "县应急局",
            "caller": "刘科长",
            "call_time": timezone.now(),
            "title": "寒潮预警",
        },
    )
    items = api.daily_report_items(today, user=clerk)
    assert [line["title"] for line in items["calls"]] == ["寒潮预警"]
    assert routed.title in [line["title"] for line in items["incoming"]]
    assert [line["department"] for line in items["overdue"]] == ["农业农村办公室"]
    assert items["due_soon"] == []


def test_daily_report_items_mark_extra_urgent_files(register, clerk):
    """特急 stands out on the daily report; 加急 and 平件 do not."""
    register(title="森林火险特急通知", urgency="extra_urgent")
    register(title="加急的函", urgency="urgent")
    register(title="平件的通知")
    items = api.daily_report_items(timezone.localdate(), user=clerk)
    assert {line["title"]: line["urgent"] for line in items["incoming"]} == {
        "森林火险特急通知": True,
        "加急的函": False,
        "平件的通知": False,
    }


def test_daily_report_items_query_count(register, clerk, django_assert_num_queries):
    for i in range(5):
        register(title=f"文件{i}")
    api.daily_report_items(timezone.localdate(), user=clerk)  # warm the per-process caches (groups, permission ids)
    with django_assert_num_queries(1):  # every line in one read, however many files
        api.daily_report_items(timezone.localdate(), user=clerk)
    with django_assert_num_queries(2):  # and one count of both totals
        api.daily_report_items(timezone.localdate(), limit=2, user=clerk)


def test_daily_report_items_apply_the_detail_page_visibility(register, office_director, principal, mayor, clerk):
    """A secret file's title is listed only for those who may open it; a leader it was routed to sees it."""
    today = timezone.localdate()
    secret = register(title="关于某项内部工作的通知", secrecy="work_secret", secrecy_term="10年", days=-1)
    plain = register(title="关于做好冬季森林防火工作的通知", days=1)
    workflow.propose(secret, by=office_director, proposal="呈阅", leaders=[mayor])

    def titles(user, **kwargs):
        items = api.daily_report_items(today, user=user, **kwargs)
        return {line["title"] for key in ("incoming", "calls", "due_soon", "overdue") for line in items[key]}, items

    seen, items = titles(principal, limit=5)
    assert secret.title not in seen and plain.title not in seen  # nothing routed to him
    assert items["overdue_total"] == 0
    seen, items = titles(mayor, limit=5)
    assert secret.title in seen and items["overdue_total"] == 1
    seen, _ = titles(clerk)
    assert {secret.title, plain.title} <= seen  # the registering clerk holds the secret file's grant
    with pytest.raises(TypeError):
        api.daily_report_items(today)  # the reader is required


@pytest.mark.parametrize("persona", ["system_admin", "auditor", "front_desk"])
def test_roles_without_documents_have_no_documents_todo(request, register, persona):
    register()
    assert not _kinds(request.getfixturevalue(persona))
