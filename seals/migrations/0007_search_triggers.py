from django.db import migrations

from township_office.search import RestoreSearchTriggers


class Migration(migrations.Migration):
    """Later migrations rebuilt these tables on SQLite (AddField with a default, AlterField), which dropped the
    triggers of their search index: records added since were not found by the list's search. Restore them and
    refill the index (nothing to do on PostgreSQL)."""

    dependencies = [("seals", "0006_document_sign_off")]

    operations = [
        RestoreSearchTriggers("sealrequest", ["title", "recipient"]),
    ]
