"""The signed-in person is loaded with their groups and unread count in one query (township_office/backends.py),
and the office director's 转交 forms read their candidates in one query (forms.reassign_candidates)."""

import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from township_office import notifications
from township_office.forms import departments_with_accounts, reassign_candidates
from township_office.models import User
from township_office.roles import Role, role_users, roles_of


def _get(client, url):
    with CaptureQueriesContext(connection) as context:
        response = client.get(url)
    return response, [q["sql"] for q in context.captured_queries]


def test_roles_and_unread_badge_come_with_the_user_in_one_query(client_for, clerk, deputy):
    notifications.notify([clerk], "来文待登记")
    notifications.notify([clerk], "会议通知")
    notifications.notify([deputy], "别人的通知")
    client = client_for(clerk)
    response, sql = _get(client, reverse("township_office:todo"))
    badge = re.search(r'class="bell"[^>]*>通知 <span class="badge">(\d+)</span>', response.content.decode())
    assert badge and badge.group(1) == "2"
    assert not [s for s in sql if s.startswith('SELECT "auth_group"')]
    assert not [s for s in sql if 'FROM "township_office_notification"' in s and "township_office_user" not in s]
    assert response.wsgi_request.user.is_authenticated
    assert roles_of(response.wsgi_request.user) == {Role.CLERK}


def test_the_badge_counts_only_unread_notifications_and_follows_reading(client_for, clerk):
    notifications.notify([clerk], "来文待登记")
    client = client_for(clerk)
    client.post(reverse("township_office:notifications_read_all"))
    response = client.get(reverse("township_office:todo"))
    assert 'class="badge"' not in response.content.decode().split('class="bell"')[1].split("</a>")[0]


def test_a_person_in_several_groups_is_one_user_with_every_role(client_for, office_director):
    from django.contrib.auth.models import Group

    office_director.groups.add(Group.objects.get(name=Role.CLERK))
    response = client_for(office_director).get(reverse("township_office:todo"))
    user = response.wsgi_request.user
    assert user.pk == office_director.pk
    assert roles_of(user) == {Role.OFFICE_DIRECTOR, Role.CLERK}
    assert set(user._group_ids) == set(office_director.groups.values_list("pk", flat=True))


def test_a_person_with_no_group_still_signs_in(client_for, stranger):
    response = client_for(stranger).get(reverse("township_office:todo"))
    assert response.wsgi_request.user.pk == stranger.pk
    assert roles_of(response.wsgi_request.user) == frozenset()


def test_a_deactivated_account_is_signed_out(client_for, clerk):
    client = client_for(clerk)
    User.objects.filter(pk=clerk.pk).update(is_active=False)
    response = client.get(reverse("township_office:todo"))
    assert response.status_code == 302 and "login" in response["Location"]


@pytest.mark.parametrize("roles", [(Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER), (Role.CLERK,), ()])
def test_reassign_candidates_are_those_role_users_and_departments_give(township, roles):
    from township_office.forms import _by_rank

    with CaptureQueriesContext(connection) as context:
        candidates = reassign_candidates()
    assert len(context.captured_queries) == 1
    if roles:
        chosen = sorted((u for u, held in candidates["people"] if held & set(roles)), key=_by_rank)
        assert [u.pk for u in chosen] == list(role_users(*roles).values_list("pk", flat=True))
    else:
        assert sorted(u.pk for u, _ in candidates["people"]) == list(
            User.objects.filter(is_active=True).order_by("pk").values_list("pk", flat=True)
        )
    expected = list(departments_with_accounts().filter(has_accounts=True).values_list("pk", flat=True))
    assert [d.pk for d in candidates["departments"]] == expected
