from django.db import migrations

from township_office.search import CreateSearchIndex


class Migration(migrations.Migration):
    dependencies = [("testapp", "0001_initial")]

    operations = [CreateSearchIndex("dossier", ["title"])]
