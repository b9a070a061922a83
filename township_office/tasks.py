from celery import shared_task
from django.conf import settings

from . import notifications


@shared_task
def create_notifications(user_ids, title, url="", body="", event_key=""):
    return notifications.create(user_ids, title, url, body, event_key)


@shared_task
def heartbeat():
    """Beat (or run_schedule), every BEAT_HEARTBEAT_SECONDS: /healthz knows the schedule runs."""
    from .health import record_heartbeat

    record_heartbeat("beat")


@shared_task
def relay_outbox():
    """Beat, every 10 s: hand the tasks left in the outbox during a broker outage to the broker;
    forget the messages that ran more than a month ago."""
    from . import outbox

    outbox.prune()
    return outbox.relay()


@shared_task
def nightly_backup():
    """Beat, nightly: one backup archive in BACKUP_DIR, keeping the newest BACKUP_KEEP."""
    from . import backup

    return str(backup.create(keep=settings.BACKUP_KEEP))


@shared_task
def anchor_audit_log():
    """Beat, daily: the audit chain's head into AUDIT_ANCHOR_LOG and the log, where the database owner cannot
    rewrite it (township_office/auditchain.py)."""
    from . import auditchain

    return auditchain.write_anchor()


# The preview conversion is declared beside the code it runs (township_office.preview), under this module's name.
from .preview import convert_preview  # noqa: E402, F401
