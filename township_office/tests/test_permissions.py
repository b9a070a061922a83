"""The one permission API: grants to people and departments, role scopes, secrecy, the accused."""

import pytest
from django.core.exceptions import PermissionDenied

from tests.testapp.models import Dossier
from tests.testapp.views import visible_dossiers
from township_office import permissions
from township_office.models import Department
from township_office.roles import Role, has_role, role_users, roles_of


@pytest.fixture
def agriculture(township):
    return Department.objects.get(name="农业农村办公室")


@pytest.fixture
def resources(township):
    return Department.objects.get(name="自然资源所")


def _dossier(**kwargs):
    return Dossier.objects.create(title=kwargs.pop("title", "关于秋冬季秸秆禁烧的通知"), **kwargs)


ALL_PERSONAS = [
    "principal",
    "deputy",
    "office_director",
    "clerk",
    "seal_keeper",
    "front_desk",
    "staff",
    "system_admin",
    "auditor",
    "stranger",
]


@pytest.mark.parametrize(
    "persona,sees",
    [
        ("principal", False),
        ("deputy", False),
        ("office_director", True),
        ("clerk", True),
        ("seal_keeper", False),
        ("front_desk", False),
        ("staff", False),
        ("system_admin", False),
        ("auditor", False),
        ("stranger", False),
    ],
)
def test_role_scope_without_grant(request, persona, sees):
    user = request.getfixturevalue(persona)
    dossier = _dossier()
    assert visible_dossiers(user).filter(pk=dossier.pk).exists() is sees


@pytest.mark.parametrize("persona", ALL_PERSONAS)
def test_secret_only_by_explicit_grant_whatever_the_role(request, persona):
    user = request.getfixturevalue(persona)
    secret = _dossier(secrecy=Dossier.Secrecy.SECRET)
    assert not visible_dossiers(user).filter(pk=secret.pk).exists()
    permissions.grant(secret, "view", users=[user])
    assert visible_dossiers(user).filter(pk=secret.pk).exists()


def test_department_grant_reaches_members_only(staff, resources_staff, agriculture):
    dossier = _dossier()
    permissions.grant(dossier, "handle", departments=[agriculture])
    assert permissions.has_grant(staff, dossier, "handle")
    assert not permissions.has_grant(resources_staff, dossier, "handle")
    assert not visible_dossiers(resources_staff).exists()
    assert not visible_dossiers(staff).exists()  # handle alone does not imply view
    permissions.grant(dossier, "change", departments=[agriculture])  # change implies view
    assert visible_dossiers(staff).filter(pk=dossier.pk).exists()


def test_revoke_takes_the_grant_away(deputy):
    dossier = _dossier()
    permissions.grant(dossier, "view", users=[deputy])
    permissions.revoke(dossier, "view", users=[deputy])
    assert not visible_dossiers(deputy).exists()


def test_changing_department_moves_grants_with_membership(staff, agriculture, resources):
    dossier = _dossier()
    permissions.grant(dossier, "view", departments=[agriculture])
    assert visible_dossiers(staff).exists()
    staff.department = resources
    staff.save()
    staff.refresh_from_db()
    assert not visible_dossiers(staff).exists()


def test_hidden_from_accused_department_even_with_grant(staff, clerk, agriculture):
    accusation = _dossier(title="检举某站所干部", accused_department=agriculture)
    permissions.grant(accusation, "view", departments=[agriculture])
    assert not visible_dossiers(staff).filter(pk=accusation.pk).exists()
    assert visible_dossiers(clerk).filter(pk=accusation.pk).exists()


def test_inactive_user_sees_nothing(deputy):
    dossier = _dossier()
    permissions.grant(dossier, "view", users=[deputy])
    deputy.is_active = False
    assert not visible_dossiers(deputy).exists()
    assert not permissions.has_grant(deputy, dossier, "view")


def test_require_checks_role_and_grant(deputy, staff):
    dossier = _dossier()
    with pytest.raises(PermissionDenied):
        permissions.require(deputy, roles=[Role.PRINCIPAL_LEADER])
    with pytest.raises(PermissionDenied):
        permissions.require(deputy, roles=[Role.DEPUTY_LEADER], obj=dossier, perm="handle")
    permissions.grant(dossier, "handle", users=[deputy])
    permissions.require(deputy, roles=[Role.DEPUTY_LEADER], obj=dossier, perm="handle")
    with pytest.raises(PermissionDenied):
        permissions.require(staff, obj=dossier, perm="handle")


def test_guessed_url_is_404_and_granted_url_is_200(client_for, deputy, stranger, system_admin):
    dossier = _dossier()
    url = f"/testapp/{dossier.code}/"
    for user in (deputy, stranger, system_admin):
        assert client_for(user).get(url).status_code == 404
    permissions.grant(dossier, "view", users=[deputy])
    assert client_for(deputy).get(url).status_code == 200


def test_missing_record_looks_the_same_as_hidden(client_for, clerk):
    import uuid

    assert client_for(clerk).get(f"/testapp/{uuid.uuid4()}/").status_code == 404


@pytest.mark.parametrize("rows", [1, 20])
def test_list_query_count_does_not_grow_with_rows(client_for, staff, agriculture, rows, django_assert_num_queries):
    for i in range(rows):
        permissions.grant(_dossier(title=f"文件{i}"), "view", departments=[agriculture])
    client = client_for(staff)
    client.get("/testapp/")  # warm the session
    # session + user (with their groups: township_office/backends.py) + the one filtered list query
    with django_assert_num_queries(3):
        response = client.get("/testapp/")
    assert response.content.decode().count("<p>") == rows


def test_roles_of_and_role_users(principal, mayor, deputy, clerk):
    assert roles_of(principal) == {Role.PRINCIPAL_LEADER}
    assert has_role(clerk, Role.CLERK, Role.OFFICE_DIRECTOR)
    assert not has_role(clerk, Role.PRINCIPAL_LEADER)
    assert list(role_users(Role.PRINCIPAL_LEADER)) == [principal, mayor]  # by rank


def test_a_person_may_hold_several_roles(clerk):
    from django.contrib.auth.models import Group

    clerk.groups.add(Group.objects.get(name=Role.SEAL_KEEPER))
    clerk.__dict__.pop("_role_cache", None)
    assert roles_of(clerk) == {Role.CLERK, Role.SEAL_KEEPER}


def test_short_and_full_permission_names_are_the_same(deputy):
    dossier = _dossier()
    permissions.grant(dossier, "handle", users=[deputy])
    assert permissions.has_grant(deputy, dossier, "handle_dossier")
    assert permissions.has_grant(deputy, dossier, "handle")
