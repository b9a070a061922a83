from celery import shared_task
from django.core.files.base import ContentFile

from . import pdf, reminders
from .models import BatchPrint, IncomingDocument


@shared_task
def send_reminders():
    """Beat: due-soon and overdue reminders; each due event notifies once, however often this runs."""
    return reminders.send_due_reminders()


@shared_task
def print_slips(batch_pk):
    """Batch printing of routing slips into one PDF, with progress recorded on the batch row."""
    batch = BatchPrint.objects.get(pk=batch_pk)
    BatchPrint.objects.filter(pk=batch.pk).update(status=BatchPrint.Status.RUNNING)
    order = {code: i for i, code in enumerate(batch.document_codes)}
    documents = sorted(IncomingDocument.objects.filter(code__in=batch.document_codes), key=lambda d: order[str(d.code)])

    def progress(done):
        BatchPrint.objects.filter(pk=batch.pk).update(done_count=done)

    try:
        content = pdf.routing_slips(documents, progress=progress)
    except Exception:
        BatchPrint.objects.filter(pk=batch.pk).update(status=BatchPrint.Status.FAILED)
        raise
    batch.file.save(f"slips-{batch.code}.pdf", ContentFile(content), save=False)
    BatchPrint.objects.filter(pk=batch.pk).update(
        file=batch.file.name, status=BatchPrint.Status.DONE, done_count=len(documents)
    )
    return len(documents)


@shared_task
def chase_secret_returns():
    """Beat: paper copies of 密件 not returned by the entry's 应退还日期; each copy chased once a day."""
    return reminders.chase_secret_returns()
