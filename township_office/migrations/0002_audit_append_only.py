"""The audit log is append-only in the database too.

Triggers refuse UPDATE (both databases) and DELETE of rows (PostgreSQL), so raw SQL
through the application's connection cannot rewrite history. TRUNCATE (PostgreSQL)
and SQLite's DELETE stay possible because the test runner empties tables that way;
the ORM refuses deletes on both (AuditEventQuerySet)."""

from django.db import migrations

SQLITE = [
    """CREATE TRIGGER audit_no_update BEFORE UPDATE ON township_office_auditevent
       BEGIN SELECT RAISE(ABORT, '审计日志不可修改'); END;""",

]
SQLITE_REVERSE = ["DROP TRIGGER IF EXISTS audit_no_update;"]

POSTGRES = [
    """CREATE OR REPLACE FUNCTION audit_refuse_change() RETURNS trigger AS $$
       BEGIN RAISE EXCEPTION '审计日志不可修改或删除'; END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_no_change BEFORE UPDATE OR DELETE ON township_office_auditevent
       FOR EACH ROW EXECUTE FUNCTION audit_refuse_change();""",
]
POSTGRES_REVERSE = [
    "DROP TRIGGER IF EXISTS audit_no_change ON township_office_auditevent;",
    "DROP FUNCTION IF EXISTS audit_refuse_change();",
]


def forwards(apps, schema_editor):
    statements = POSTGRES if schema_editor.connection.vendor == "postgresql" else SQLITE
    for sql in statements:
        schema_editor.execute(sql)


def backwards(apps, schema_editor):
    statements = POSTGRES_REVERSE if schema_editor.connection.vendor == "postgresql" else SQLITE_REVERSE
    for sql in statements:
        schema_editor.execute(sql)


def create_role_groups(apps, schema_editor):
    Group = apps.get_model("auth", "Group")
    for name in [
        "principal_leader",
        "deputy_leader",
        "office_director",
        "clerk",
        "seal_keeper",
        "front_desk",
        "department_staff",
        "system_admin",
        "auditor",
    ]:
        Group.objects.get_or_create(name=name)


class Migration(migrations.Migration):
    dependencies = [("township_office", "0001_initial")]

    operations = [
        migrations.RunPython(forwards, backwards),
        migrations.RunPython(create_role_groups, migrations.RunPython.noop),
    ]
