"""归档 work items named after the step that closes them.

Until now the clerks' 归档 item of a 收文 or a 发文 was called "archive", while the step is ``archive_incoming`` /
``archive_outgoing``: taking the step did not close it, and it stayed in the clerks' 我的待办 after the file was
archived. This renames those items, and closes the ones whose file is archived already (by nobody in particular:
the step was taken, its own 已办 line says by whom)."""

from django.db import migrations
from django.utils import timezone


def rename_and_close(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    WorkItem = apps.get_model("township_office", "WorkItem")
    for model_name, step in (("incomingdocument", "archive_incoming"), ("outgoingdocument", "archive_outgoing")):
        content_type = ContentType.objects.filter(app_label="documents", model=model_name).first()
        if content_type is None:
            continue
        items = WorkItem.objects.filter(matter__content_type=content_type, step="archive")
        items.update(step=step)
        archived = apps.get_model("documents", model_name).objects.filter(status="archived").values("pk")
        WorkItem.objects.filter(
            matter__content_type=content_type, matter__object_id__in=archived, step=step, done_at__isnull=True
        ).update(done_at=timezone.now(), decision="已归档")


class Migration(migrations.Migration):
    dependencies = [
        ("documents", "0010_delivery"),
        ("township_office", "0006_work_item_todo_order"),
        ("contenttypes", "0002_remove_content_type_name"),
    ]

    operations = [migrations.RunPython(rename_and_close, migrations.RunPython.noop)]
