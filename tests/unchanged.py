"""The one test helper that proves a refused step changed nothing: the record, its grants, its work items, the
notifications, the audit log — every row of the project's tables.

    before = database_state()
    with pytest.raises(Refused):
        workflow.approve(request, by=stranger)
    assert_unchanged(before)

A digest per table, so that a failure names the tables that changed. Sessions, login attempts, the admin's log
and Django's own permission tables are left out (signing in writes them); so is the audit log when
``audit=False`` (a page shown again after a refusal may record a sensitive read).
"""

import hashlib

from django.apps import apps

EXCLUDED = {"sessions", "axes", "admin", "contenttypes", "auth"}


def database_state(*, audit=True):
    """{table label: digest of its rows}."""
    state = {}
    for model in sorted(apps.get_models(include_auto_created=True), key=lambda m: m._meta.label):
        if model._meta.app_label in EXCLUDED or (not audit and "audit" in model._meta.model_name):
            continue
        digest = hashlib.sha256()
        columns = [f.attname for f in model._meta.concrete_fields if f.attname != "last_login"]  # signing in
        for row in model._default_manager.order_by("pk").values_list(*columns):
            # PostgreSQL gives binary columns (a 批示's 手写签名) as memoryview, whose repr is its address
            row = tuple(bytes(value) if isinstance(value, memoryview) else value for value in row)
            digest.update(repr(row).encode())
        state[model._meta.label] = digest.hexdigest()
    return state


def changed_tables(before, after):
    return sorted(label for label in before.keys() | after.keys() if before.get(label) != after.get(label))


def changes(before, *, audit=True):
    """The tables whose rows differ from ``before`` now (an allowed step's: its record, the audit log, the items)."""
    return changed_tables(before, database_state(audit=audit))


AUDIT = "township_office.AuditEvent"
WORK_ITEMS = "township_office.WorkItem"


def assert_unchanged(before, *, audit=True):
    changed = changes(before, audit=audit)
    assert not changed, f"a refused step changed {', '.join(changed)}"
