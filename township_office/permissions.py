"""The one permission API every app uses (SPEC §1).

Two layers: roles (groups with model permissions) say what kind of action a
person may take; object grants (django-guardian, direct foreign-key tables) say
on which records. Grants go to people or to departments (a department's group,
so every member inherits them). Nobody checks object access any other way.
"""

from django.contrib.auth.models import Group, Permission
from django.core.exceptions import PermissionDenied
from django.db.models import Exists, OuterRef, Q, TextField
from django.db.models.expressions import RawSQL
from django.http import Http404
from guardian.shortcuts import assign_perm, remove_perm
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from .roles import group_ids, has_role

__all__ = [
    "grant",
    "revoke",
    "set_grants",
    "held",
    "visible",
    "granted_ids",
    "has_grant",
    "get_for_user",
    "require",
    "department_ids",
    "has_role",
]


def _codename(model, perm):
    """'view' → 'view_incomingdocument', 'sign_off' → 'sign_off_outgoingdocument'; a full codename is kept."""
    suffix = f"_{model._meta.model_name}"
    return perm if perm.endswith(suffix) else f"{perm}{suffix}"


def _targets(users, departments, groups):
    targets = list(users) + list(groups)
    targets += [d.group for d in departments]
    return targets


def _forget_held(obj):
    obj.__dict__.pop("_held_perms", None)


def grant(obj, perms, *, users=(), departments=(), groups=()):
    """Grant object permissions. ``change`` implies ``view``."""
    _forget_held(obj)
    perms = [perms] if isinstance(perms, str) else list(perms)
    codenames = {_codename(type(obj), p) for p in perms}
    if any(c.startswith("change_") for c in codenames):
        codenames.add(_codename(type(obj), "view"))
    for target in _targets(users, departments, groups):
        for codename in sorted(codenames):
            assign_perm(codename, target, obj)


def revoke(obj, perms, *, users=(), departments=(), groups=()):
    """Take object permissions back. Whoever can no longer open the record afterwards loses the notifications
    about it too (``notifications.forget_lost``)."""
    _forget_held(obj)
    perms = [perms] if isinstance(perms, str) else list(perms)
    targets = _targets(users, departments, groups)
    for target in targets:
        for perm in perms:
            remove_perm(_codename(type(obj), perm), target, obj)
    _forget_notifications(
        obj, {t.pk for t in targets if not isinstance(t, Group)}, {t.pk for t in targets if isinstance(t, Group)}
    )


def _forget_notifications(obj, user_ids, group_ids):
    from . import notifications

    notifications.forget_lost(obj, user_ids=user_ids, group_ids=group_ids)


def holders(obj, perm):
    """(user ids, group ids) holding ``perm`` on ``obj`` by an explicit grant."""
    permission = permission_id(type(obj), perm)
    users = get_user_obj_perms_model(type(obj)).objects.filter(permission=permission, content_object=obj.pk)
    groups = get_group_obj_perms_model(type(obj)).objects.filter(permission=permission, content_object=obj.pk)
    return set(users.values_list("user_id", flat=True)), set(groups.values_list("group_id", flat=True))


def set_grants(obj, perm, *, users=(), departments=(), groups=()):
    """Exactly these people and departments hold ``perm`` on ``obj`` afterwards: the missing are granted, the
    others lose it. For the permission of one step (``instruct``, ``approve``, ``countersign``): whoever
    leaves the step loses what it gave (and, if that was their access, the notifications about the record).
    Returns (users who lost it, groups that lost it)."""
    _forget_held(obj)
    model = type(obj)
    permission = permission_id(model, perm)
    want_users = {u.pk for u in users}
    want_groups = {g.pk for g in groups} | {d.group_id for d in departments}
    have_users, have_groups = holders(obj, perm)
    lost_users, lost_groups = have_users - want_users, have_groups - want_groups
    get_user_obj_perms_model(model).objects.filter(
        permission=permission, content_object=obj.pk, user__in=lost_users
    ).delete()
    get_group_obj_perms_model(model).objects.filter(
        permission=permission, content_object=obj.pk, group__in=lost_groups
    ).delete()
    get_user_obj_perms_model(model).objects.bulk_create(
        [
            get_user_obj_perms_model(model)(permission_id=permission, content_object=obj, user_id=pk)
            for pk in want_users - have_users
        ]
    )
    get_group_obj_perms_model(model).objects.bulk_create(
        [
            get_group_obj_perms_model(model)(permission_id=permission, content_object=obj, group_id=pk)
            for pk in want_groups - have_groups
        ]
    )
    _forget_notifications(obj, lost_users, lost_groups)
    return lost_users, lost_groups


def held(user, obj):
    """The permissions (short names: ``view``, ``instruct`` …) ``user`` holds on ``obj`` by explicit grant, own
    or through a group: one query, kept on the record until a grant on it changes."""
    cache = obj.__dict__.setdefault("_held_perms", {})
    if user.pk not in cache:
        if not user.is_authenticated or not user.is_active:
            return frozenset()
        model = type(obj)
        own = get_user_obj_perms_model(model).objects.filter(user=user.pk, content_object=obj.pk)
        own = own.values_list("permission__codename", flat=True)
        groups = group_ids(user)
        if groups:  # the person's grants and their groups' in the one statement
            through = get_group_obj_perms_model(model).objects.filter(group__in=groups, content_object=obj.pk)
            own = own.union(through.values_list("permission__codename", flat=True))
        codenames = set(own)
        suffix = f"_{model._meta.model_name}"
        cache[user.pk] = frozenset(c.removesuffix(suffix) for c in codenames)
    return cache[user.pk]


_permission_ids = {}


def load_permission_ids(**kwargs):
    """(Re)load every permission's pk: after migrate or flush (post_migrate), or on first use in a process."""
    rows = Permission.objects.values_list("pk", "content_type__app_label", "codename")
    _permission_ids.clear()
    _permission_ids.update({(app_label, codename): pk for pk, app_label, codename in rows})


def permission_id(model, perm):
    key = (model._meta.app_label, _codename(model, perm))
    if key not in _permission_ids:
        load_permission_ids()
    return _permission_ids.get(key)


def granted_ids(user, model, perm="view"):
    """A Q: the user holds ``perm`` on the row, directly or through one of their groups.

    Written as a correlated EXISTS probing the grant tables' unique indexes (user or group, permission,
    object) rather than ``pk IN (every granted pk)``: a leader holds grants on most of ten years of files, and
    an IN list would be built from all of them for every query, where a probe costs the same whatever the
    number of grants and lets a list walk its ordering index and stop at the end of the page. The permission
    and the user's groups are plain values (cached), so the query is small to build and to plan; an unknown
    permission is ``None``, which matches no grant.
    """
    permission = permission_id(model, perm)
    own = get_user_obj_perms_model(model).objects.filter(
        user=user.pk, permission=permission, content_object=OuterRef("pk")
    )
    groups = group_ids(user)
    if not groups:
        return Q(Exists(own))
    through_group = get_group_obj_perms_model(model).objects.filter(
        group__in=groups, permission=permission, content_object=OuterRef("pk")
    )
    # One EXISTS over both tables, not two OR'd: PostgreSQL turns OR'd EXISTS into hashed subplans that read
    # every grant the user holds; a single correlated subquery it probes per row, as SQLite does either way.
    return Q(Exists(own.values("pk").union(through_group.values("pk"), all=True)))


def visible(user, queryset, perm="view", *, role_scope=None, hidden=None):
    """The records of ``queryset`` the user may see, filtered in the database.

    ``role_scope``: a Q of records the user's role alone unlocks (e.g. the office
    sees every non-secret file); explicit grants are always added to it.
    ``hidden``: a Q of records the user must never see, whatever the grants
    (e.g. an accusation naming the user's department).
    """
    if not user.is_authenticated or not user.is_active:
        return queryset.none()
    condition = granted_ids(user, queryset.model, perm)
    if role_scope is not None:
        condition = role_scope | condition  # the cheap column test first: it decides most rows without a probe
    queryset = queryset.filter(condition)
    if hidden is not None:
        queryset = queryset.exclude(hidden)
    return queryset


def has_grant(user, obj, perm):
    """Does the user hold ``perm`` on ``obj`` by an explicit grant (own or department's)?"""
    if not user.is_authenticated or not user.is_active:
        return False
    return type(obj)._default_manager.filter(granted_ids(user, type(obj), perm), pk=obj.pk).exists()


def get_for_user(user, queryset, **lookup):
    """Fetch one record from an already permission-filtered queryset, or 404.

    Invisible and non-existent records look the same: existence is not leaked.
    """
    model = queryset.model
    perms = _object_perms(model) if user.is_authenticated and user.is_active else {}
    if perms:  # what ``held()`` would ask next, read in the same row: the ids of the permissions held on it
        queryset = queryset.annotate(**_held_columns(model, user))
    try:
        obj = queryset.get(**lookup)
    except (model.DoesNotExist, ValueError):
        raise Http404("未找到该记录") from None
    if perms:
        ids = set()
        for column in ("_held_own", "_held_group"):
            ids.update(int(pk) for pk in str(obj.__dict__.pop(column, None) or "").split(",") if pk)
        held_now = frozenset(name for name, pk in perms.items() if pk in ids)
        obj.__dict__.setdefault("_held_perms", {})[user.pk] = held_now
    return obj


def _held_columns(model, user):
    """Two correlated subqueries listing the permission ids the user holds on the row, directly and through
    their groups ("3,7,9"). Written as SQL: the ORM would build (and the database plan) one EXISTS per
    permission, which cost more than the rest of a detail page's query."""
    from django.db import connection

    quote = connection.ops.quote_name
    outer = f"{quote(model._meta.db_table)}.{quote(model._meta.pk.column)}"
    concat = "STRING_AGG(CAST({} AS text), ',')" if connection.vendor == "postgresql" else "GROUP_CONCAT({})"

    def listed(grants, who, values):
        opts = grants._meta
        permission = quote(opts.get_field("permission").column)
        target = quote(opts.get_field("content_object").column)
        holder = quote(opts.get_field(who).column)
        marks = ", ".join(["%s"] * len(values))
        sql = (
            f"SELECT {concat.format(permission)} FROM {quote(opts.db_table)} "
            f"WHERE {holder} IN ({marks}) AND {target} = {outer}"
        )
        return RawSQL(sql, list(values), output_field=TextField())

    columns = {"_held_own": listed(get_user_obj_perms_model(model), "user", [user.pk])}
    groups = list(group_ids(user))
    if groups:
        columns["_held_group"] = listed(get_group_obj_perms_model(model), "group", groups)
    return columns


_direct_grants = {}


def _object_perms(model):
    """{short name: permission pk} of the object permissions ``held()`` can report on ``model``; empty when its
    grants are not kept in the direct grant tables."""
    if model not in _direct_grants:
        try:
            own_model, group_model = get_user_obj_perms_model(model), get_group_obj_perms_model(model)
            direct = all(m._meta.get_field("content_object").related_model is model for m in (own_model, group_model))
        except Exception:  # noqa: BLE001  (no grant tables of its own: the generic ones, or none)
            direct = False
        _direct_grants[model] = direct
    if not _direct_grants[model]:
        return {}
    opts = model._meta
    names = [
        *opts.default_permissions,
        *(codename.removesuffix(f"_{opts.model_name}") for codename, _ in opts.permissions),
    ]
    ids = {name: permission_id(model, name) for name in dict.fromkeys(names)}
    return {name: pk for name, pk in ids.items() if pk is not None}


def require(user, *, roles=(), obj=None, perm=None, message="您没有权限执行此操作。"):
    """Raise PermissionDenied unless the user holds one of ``roles`` (if given) and
    ``perm`` on ``obj`` (if given)."""
    if roles and not has_role(user, *roles):
        raise PermissionDenied(message)
    if obj is not None and perm is not None and not has_grant(user, obj, perm):
        raise PermissionDenied(message)


def department_ids(user):
    """The departments the user belongs to (a list, usually of one)."""
    return [user.department_id] if getattr(user, "department_id", None) else []
