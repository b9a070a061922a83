# The audit chain keyed from here on (township_office/auditchain.py): the links written before
# stay plain SHA-256 and verifiable; every link after the current head is an HMAC with
# settings.AUDIT_KEY, and the head carries the MAC of its position. The first keyed link covers
# the hash of the last plain one, so the old events are protected from here on too.

from django.db import migrations, models

from township_office.auditchain import GENESIS, head_mac


def key_the_chain(apps, schema_editor):
    AuditHead = apps.get_model("township_office", "AuditHead")
    AuditLink = apps.get_model("township_office", "AuditLink")
    head = AuditHead.objects.filter(pk=1).first()
    if head is None:  # a chain that never had a head (emptied by a test runner): from its last link
        last = AuditLink.objects.order_by("-seq").first()
        head = AuditHead(pk=1, last_seq=last.seq if last else 0, last_hash=last.entry_hash if last else GENESIS)
    head.keyed_from_seq = head.last_seq + 1
    head.mac = head_mac(head.last_seq, head.last_hash, head.keyed_from_seq)
    head.save()


class Migration(migrations.Migration):

    dependencies = [
        ('township_office', '0007_user_phrases'),
    ]

    operations = [
        migrations.AddField(
            model_name='audithead',
            name='keyed_from_seq',
            field=models.PositiveBigIntegerField(null=True),
        ),
        migrations.AddField(
            model_name='audithead',
            name='mac',
            field=models.CharField(blank=True, default='', max_length=64),
        ),
        migrations.RunPython(key_the_chain, migrations.RunPython.noop),
    ]
