"""Trigram search indexes (FTS5 on SQLite, pg_trgm on PostgreSQL): see township_office/search.py."""

from django.db import migrations

from township_office.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("seals", "0002_stamped_at_index")]

    operations = [
        CreateSearchIndex("sealrequest", ["title", "recipient"]),
        CreateSearchIndex("introductionletter", ["recipient_unit", "persons", "purpose"]),
    ]
