"""Trigram search indexes (FTS5 on SQLite, pg_trgm on PostgreSQL): see township_office/search.py."""

from django.db import migrations

from township_office.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("reception", "0001_initial")]

    operations = [
        CreateSearchIndex("reception", ["visiting_unit", "purpose", "letter_number"]),
    ]
