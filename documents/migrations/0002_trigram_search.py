"""Chinese substring search (`__contains`, i.e. LIKE '%…%') uses trigram GIN indexes on PostgreSQL.

SQLite gets its FTS5 trigram tables in 0003 (township_office.search.CreateSearchIndex, which also creates these
indexes if they are missing)."""

from django.db import migrations

INDEXES = [
    ("documents_incomingdocument", "title"),
    ("documents_incomingdocument", "source_doc_number"),
    ("documents_incomingdocument", "source_org"),
    ("documents_outgoingdocument", "title"),
    ("documents_outgoingdocument", "doc_number"),
]


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    schema_editor.execute("CREATE EXTENSION IF NOT EXISTS pg_trgm")
    for table, column in INDEXES:
        schema_editor.execute(
            f"CREATE INDEX IF NOT EXISTS {table}_{column}_trgm ON {table} USING gin ({column} gin_trgm_ops)"
        )


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for table, column in INDEXES:
        schema_editor.execute(f"DROP INDEX IF EXISTS {table}_{column}_trgm")


class Migration(migrations.Migration):
    dependencies = [("documents", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards)]
