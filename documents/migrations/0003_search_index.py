"""Trigram search indexes (FTS5 on SQLite, pg_trgm on PostgreSQL): see township_office/search.py."""

from django.db import migrations

from township_office.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("documents", "0002_trigram_search")]

    operations = [
        CreateSearchIndex("incomingdocument", ["title", "source_doc_number", "source_org"]),
        CreateSearchIndex("outgoingdocument", ["title", "doc_number"]),
    ]
