"""The nine office roles (SPEC §1). A role is a Django group named by its code."""

from django.db import models


class Role(models.TextChoices):
    PRINCIPAL_LEADER = "principal_leader", "主要领导"
    DEPUTY_LEADER = "deputy_leader", "分管领导"
    OFFICE_DIRECTOR = "office_director", "办公室主任"
    CLERK = "clerk", "文书/秘书"
    SEAL_KEEPER = "seal_keeper", "印章管理员"
    FRONT_DESK = "front_desk", "信访接待员"
    DEPARTMENT_STAFF = "department_staff", "站所室经办人"
    SYSTEM_ADMIN = "system_admin", "系统管理员"
    AUDITOR = "auditor", "安全审计员"


LEADERS = (Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER)
OFFICE = (Role.OFFICE_DIRECTOR, Role.CLERK)

# Model permissions of the core itself; each app adds its own in
# ``<app>/permissions.py`` as ROLE_PERMISSIONS (collected by sync_role_permissions).
ROLE_PERMISSIONS = {
    Role.SYSTEM_ADMIN: [
        "township_office.view_township",
        "township_office.change_township",
        "township_office.add_issuercode",
        "township_office.change_issuercode",
        "township_office.view_issuercode",
        "township_office.add_department",
        "township_office.change_department",
        "township_office.view_department",
        "township_office.add_user",
        "township_office.change_user",
        "township_office.view_user",
        "township_office.add_position",
        "township_office.change_position",
        "township_office.delete_position",
        "township_office.view_position",
    ],
    Role.AUDITOR: ["township_office.view_auditevent"],
}


def roles_of(user):
    """The set of role codes a user holds (cached on the user object for the request)."""
    if not user.is_authenticated:
        return frozenset()
    cached = getattr(user, "_role_cache", None)
    if cached is None:
        _load_groups(user)
        cached = user._role_cache
    return cached


def group_ids(user):
    """The pks of all the user's groups (roles and department), cached with the roles."""
    if not user.is_authenticated:
        return []
    if getattr(user, "_group_ids", None) is None:
        _load_groups(user)
    return user._group_ids


def _load_groups(user):
    remember_groups(user, user.groups.values_list("pk", "name"))


def remember_groups(user, groups):
    """Keep the user's groups, ``(pk, name)`` pairs, on the user object for the request (the signed-in person's
    come with them: township_office/backends.py)."""
    groups = list(groups)
    user._group_ids = [pk for pk, _ in groups]
    user._role_cache = frozenset(name for _, name in groups if name in Role.values)


def has_role(user, *roles):
    return bool(roles_of(user).intersection(roles))


def role_users(*roles):
    """Active users holding any of the roles, leaders first by rank."""
    from .models import User

    return User.objects.filter(is_active=True, groups__name__in=roles).distinct().order_by("position__rank", "pk")


def sync_role_permissions(**kwargs):
    """post_migrate: create the role groups and give each the model permissions
    that the core and every installed app declare. Idempotent."""
    from importlib import import_module

    from django.apps import apps
    from django.contrib.auth.models import Group, Permission
    from django.utils.module_loading import module_has_submodule

    app_config = kwargs.get("app_config")
    if app_config is not None and app_config is not list(apps.get_app_configs())[-1]:
        return  # run once, after every app's permissions exist
    declared = {role: set(perms) for role, perms in ROLE_PERMISSIONS.items()}
    for config in apps.get_app_configs():
        if config.name == "township_office" or not module_has_submodule(config.module, "permissions"):
            continue
        module = import_module(f"{config.name}.permissions")
        for role, perms in getattr(module, "ROLE_PERMISSIONS", {}).items():
            declared.setdefault(role, set()).update(perms)

    for role in Role:
        group, _ = Group.objects.get_or_create(name=role.value)
        wanted = declared.get(role, set())
        perm_ids = []
        for dotted in wanted:
            app_label, codename = dotted.split(".", 1)
            perm = Permission.objects.filter(content_type__app_label=app_label, codename=codename).first()
            if perm is not None:
                perm_ids.append(perm.pk)
        group.permissions.set(perm_ids)
