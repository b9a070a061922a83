import pytest
from django.urls import reverse

from township_office.demo import DEMO_LOGINS, DEMO_PASSWORD
from township_office.models import AuditEvent, Notification
from township_office.roles import Role


def test_anonymous_is_sent_to_login(client, db):
    response = client.get(reverse("township_office:todo"))
    assert response.status_code == 302
    assert response.url.startswith(reverse("login"))


def test_login_page_is_chinese(client, db):
    response = client.get(reverse("login"))
    assert "登录" in response.content.decode()
    assert response["Content-Language"] == "zh-hans"


@pytest.mark.parametrize("username", [login[0] for login in DEMO_LOGINS])
def test_every_demo_user_logs_in_and_reaches_todo(client, township, username):
    response = client.post(reverse("login"), {"username": username, "password": DEMO_PASSWORD}, follow=True)
    assert response.status_code == 200
    assert response.resolver_match.view_name == "township_office:todo"
    assert "我的待办" in response.content.decode()


def test_navigation_fits_roles(client_for, auditor, clerk, system_admin):
    page = client_for(auditor).get(reverse("township_office:todo")).content.decode()
    assert "审计日志" in page and "系统管理" not in page
    page = client_for(system_admin).get(reverse("township_office:todo")).content.decode()
    assert "系统管理" in page and "审计日志" not in page
    page = client_for(clerk).get(reverse("township_office:todo")).content.decode()
    assert "审计日志" not in page and "系统管理" not in page


def test_login_is_throttled_after_repeated_failures(client, township, settings):
    url = reverse("login")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(url, {"username": "clerk", "password": "wrong"})
    response = client.post(url, {"username": "clerk", "password": DEMO_PASSWORD})
    assert response.status_code == 429
    assert "登录失败次数过多" in response.content.decode()


def test_logout_requires_post(client_for, clerk):
    client = client_for(clerk)
    assert client.get(reverse("logout")).status_code == 405
    assert client.post(reverse("logout")).status_code == 302


def test_notifications_unread_count_and_open(client_for, clerk, django_capture_on_commit_callbacks):
    from township_office.notifications import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify([clerk], "新收文待登记", url="/todo/", event_key="e1")
        notify([clerk], "新收文待登记", url="/todo/", event_key="e1")  # same event: once
    assert Notification.objects.filter(recipient=clerk).count() == 1
    client = client_for(clerk)
    page = client.get(reverse("township_office:todo")).content.decode()
    assert 'class="bell"' in page and '<span class="badge">1</span>' in page
    note = Notification.objects.get(recipient=clerk)
    assert client.get(note.get_absolute_url()).url == "/todo/"
    note.refresh_from_db()
    assert note.read_at is not None


def test_someone_elses_notification_is_404(client_for, clerk, auditor, django_capture_on_commit_callbacks):
    from township_office.notifications import notify

    with django_capture_on_commit_callbacks(execute=True):
        notify([clerk], "仅文书可见")
    note = Notification.objects.get(recipient=clerk)
    assert client_for(auditor).get(note.get_absolute_url()).status_code == 404


def test_audit_page_only_for_auditor(client_for, auditor, clerk, system_admin, principal):
    url = reverse("township_office:audit_log")
    for user in (clerk, system_admin, principal):
        assert client_for(user).get(url).status_code == 403
    from township_office import audit

    audit.record("测试操作", by=clerk, comment="留痕")
    response = client_for(auditor).get(url, {"q": "留痕"})
    assert response.status_code == 200
    assert "测试操作" in response.content.decode()
    assert AuditEvent.objects.count() == 1


def test_roles_exist(township):
    from django.contrib.auth.models import Group

    assert set(Group.objects.filter(name__in=Role.values).values_list("name", flat=True)) == set(Role.values)


def test_seed_demo_is_idempotent(db):
    from django.core.management import call_command

    from township_office.models import Department, Position, User

    call_command("seed_demo", "--demo", stdout=open("/dev/null", "w"))
    counts = (User.objects.count(), Department.objects.count(), Position.objects.count())
    call_command("seed_demo", "--demo", stdout=open("/dev/null", "w"))
    assert (User.objects.count(), Department.objects.count(), Position.objects.count()) == counts
    deputy = User.objects.get(username="deputy_leader")
    assert set(deputy.position.in_charge_of.values_list("name", flat=True)) >= {"农业农村办公室", "自然资源所"}
    assert deputy.check_password(DEMO_PASSWORD)


def test_office_name_comes_from_township(client_for, clerk, township):
    township.office_name = "柳林镇党政办公室"
    township.save()
    assert "柳林镇党政办公室" in client_for(clerk).get(reverse("township_office:todo")).content.decode()


def test_system_admin_reaches_admin_and_manages_people(client_for, system_admin, clerk):
    client = client_for(system_admin)
    assert client.get(reverse("admin:index")).status_code == 200
    assert client.get(reverse("admin:township_office_department_changelist")).status_code == 200
    assert client.get(reverse("admin:township_office_user_change", args=[clerk.pk])).status_code == 200
    assert client_for(clerk).get(reverse("admin:index")).status_code == 302  # not staff: sent to admin login


def test_static_files_are_served_by_the_application(client, db):
    response = client.get("/static/township_office/css/site.css")
    assert response.status_code == 200


def test_role_change_in_admin_is_audited(client_for, system_admin, staff):
    from django.contrib.auth.models import Group

    client = client_for(system_admin)
    url = reverse("admin:township_office_user_change", args=[staff.pk])
    clerk_group = Group.objects.get(name=Role.CLERK)
    staff_group = Group.objects.get(name=Role.DEPARTMENT_STAFF)
    data = {
        "username": staff.username,
        "full_name": staff.full_name,
        "phone": staff.phone,
        "department": staff.department_id,
        "groups": [clerk_group.pk, staff_group.pk],
        "is_active": "on",
        "position-TOTAL_FORMS": "1",
        "position-INITIAL_FORMS": "1",
        "position-MIN_NUM_FORMS": "0",
        "position-MAX_NUM_FORMS": "1",
        "position-0-id": staff.position.pk,
        "position-0-user": staff.pk,
        "position-0-title": staff.position.title,
        "position-0-rank": staff.position.rank,
    }
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    staff.refresh_from_db()
    expected = {Role.CLERK, Role.DEPARTMENT_STAFF, "部门:农业农村办公室"}
    assert set(staff.groups.values_list("name", flat=True)) == expected
    event = AuditEvent.objects.get(action="修改人员角色")
    assert event.actor == system_admin and "文书/秘书" in event.comment


def test_navigation_count_is_cached_and_forgotten_on_notification(
    client_for, clerk, django_assert_max_num_queries, django_capture_on_commit_callbacks
):
    from township_office import todo
    from township_office.notifications import notify

    client = client_for(clerk)
    client.get(reverse("township_office:notifications"))
    assert cache_has_total(clerk)
    with django_capture_on_commit_callbacks(execute=True):
        notify([clerk], "有新事项")
    assert not cache_has_total(clerk)
    todo.total(clerk)
    assert cache_has_total(clerk)


def cache_has_total(user):
    from django.core.cache import cache

    return cache.get(f"todo-total:{user.pk}") is not None


def test_only_the_current_section_is_marked_active(client_for, front_desk):
    page = client_for(front_desk).get("/visitors/cases/").content.decode()
    assert page.count('aria-current="page"') == 1
    assert 'href="/visitors/cases/" class="active"' in page
