"""May this person open these records? Asked in bulk, by pages that show records of every app (the audit log).

Each app already has one visibility function per model: ``visible_<models>(user)`` in its ``permissions.py``, the
queryset its detail page reads through (a record outside it answers 404). This module finds them — no app
registers anything, and a model added later with its ``visible_`` function is covered — and answers for a page
of references at once, with one query per kind of record on the page:

    allowed = visibility.openable(user, [("documents.incomingdocument", "3f2c…"), ("visitors.contact", "…")])

References are ``(model label, code)``, as the audit log stores them: the record's public ``code``, or its pk
for a model without one. ``readable_refs(user)`` is the same rule as a condition on such a reference's two
columns, for a search that must not match what the person may not read.

A model guarded by object permissions (it has guardian's direct permission tables) without a ``visible_``
function is never openable here: what is not known to be visible is treated as hidden. Other models (people,
departments, seals, settings) are not records of anyone's work and are always readable.
"""

import functools
from importlib import import_module

from django.apps import apps
from django.contrib.auth.models import AnonymousUser
from django.db import connection
from django.db.models import CharField, F, Q, Value
from django.db.models.functions import Cast, Replace
from django.db.models.lookups import In
from django.utils.module_loading import module_has_submodule
from guardian.models import UserObjectPermissionBase

__all__ = ["can_open", "functions", "guarded", "is_guarded", "kind_label", "openable", "readable_refs"]


@functools.cache
def functions():
    """{model label: visible_<models> function} over every installed app's ``permissions`` module."""
    found = {}
    for config in apps.get_app_configs():
        if not module_has_submodule(config.module, "permissions"):
            continue
        module = import_module(f"{config.name}.permissions")
        for name in sorted(vars(module)):
            function = getattr(module, name)
            if not name.startswith("visible_") or not callable(function) or function.__module__ != module.__name__:
                continue
            try:
                model = function(AnonymousUser()).model  # nobody signed in: an empty queryset of the model
            except Exception:  # not a visibility function of one model: its model stays guarded if it has grants
                continue
            found.setdefault(model._meta.label_lower, function)
    return found


@functools.cache
def guarded():
    """Labels of the models whose records need a grant or a role to be read (they have object permission tables),
    and of every model with a ``visible_`` function."""
    labels = set(functions())
    for model in apps.get_models():
        if issubclass(model, UserObjectPermissionBase) and "content_object" in {f.name for f in model._meta.fields}:
            labels.add(model._meta.get_field("content_object").related_model._meta.label_lower)
    return frozenset(labels)


def is_guarded(label):
    return label in guarded()


def kind_label(label):
    """The Chinese name of a model label ("documents.incomingdocument" → its verbose name), or the label itself."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _uses_code(model):
    return any(f.name == "code" for f in model._meta.concrete_fields)


def _keys(model, codes):
    """The stored references as lookup values (invalid ones, which match nothing, left out)."""
    field = model._meta.get_field("code") if _uses_code(model) else model._meta.pk
    keys = {}
    for code in codes:
        try:
            keys[field.to_python(code)] = code
        except Exception:  # a malformed reference: no record has it
            continue
    return keys


def openable(user, refs):
    """The ``(label, code)`` references of ``refs`` whose record ``user`` may open, and every reference of a model
    that is not guarded. One query per guarded model among the references."""
    by_label = {}
    for label, code in refs:
        by_label.setdefault(label, set()).add(code)
    allowed = set()
    for label, codes in by_label.items():
        if not is_guarded(label):
            allowed |= {(label, code) for code in codes}
            continue
        function = functions().get(label)
        if function is None:
            continue
        model = apps.get_model(label)
        keys = _keys(model, codes)
        if not keys:
            continue
        column = "code" if _uses_code(model) else "pk"
        found = function(user).filter(**{f"{column}__in": list(keys)}).values_list(column, flat=True)
        allowed |= {(label, keys[key]) for key in found}
    return allowed


def can_open(user, obj):
    """May ``user`` open ``obj`` (the same rule as its detail page)? One query for a guarded record."""
    label = obj._meta.label_lower
    ref = str(obj.code) if _uses_code(type(obj)) else str(obj.pk)
    return (label, ref) in openable(user, [(label, ref)])


def readable_refs(user, *, type_field="object_type", code_field="object_code"):
    """A Q on a row holding a reference in ``type_field``/``code_field``: true where ``user`` may open the record
    (or its model is not guarded). One subquery per guarded model, evaluated by the database."""
    condition = ~Q(**{f"{type_field}__in": sorted(guarded())})
    for label, function in functions().items():
        model = apps.get_model(label)
        rows = function(user)
        reference = F(code_field)
        if not _uses_code(model):
            rows = rows.annotate(_ref=Cast("pk", CharField())).values("_ref")
        elif connection.features.has_native_uuid_field:  # PostgreSQL: uuid as text is the dashed form we store
            rows = rows.annotate(_ref=Cast("code", CharField())).values("_ref")
        else:  # SQLite stores a uuid as 32 hex digits: compare the stored reference without its dashes
            rows = rows.values("code")
            reference = Replace(F(code_field), Value("-"), Value(""))
        condition |= Q(**{type_field: label}) & Q(In(reference, rows))
    return condition
