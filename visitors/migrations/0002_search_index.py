"""Trigram search indexes (FTS5 on SQLite, pg_trgm on PostgreSQL): see township_office/search.py."""

from django.db import migrations

from township_office.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("visitors", "0001_initial")]

    operations = [
        CreateSearchIndex("contact", ["name", "phone", "matter"]),
    ]
