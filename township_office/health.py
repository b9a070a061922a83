"""/healthz: what a monitor (or nginx, or a person) needs to know, without settings or paths.

200 when everything answers; 503 with the failing checks otherwise. Each check says only
``ok`` and a short Chinese reason: no host names, URLs, paths or exception messages."""

import logging
import shutil

from django.conf import settings
from django.contrib.auth.decorators import login_not_required
from django.db import connection
from django.http import JsonResponse
from django.utils import timezone
from django.views.decorators.cache import never_cache

logger = logging.getLogger(__name__)

# /healthz checks the newest events of the audit chain; the whole chain is checked by the
# nightly backup, by restore and by manage.py verify_audit_log.
AUDIT_TAIL = 500
# A heartbeat this far ahead of the clock is tolerated (beat on another host whose clock is slightly ahead); more
# means the clock was turned back, and a beat from the future says nothing about whether the schedule runs now.
HEARTBEAT_SKEW_SECONDS = 10


def check_database():
    try:
        connection.ensure_connection()
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
            cursor.fetchone()
    except Exception as exc:
        logger.warning("healthz: database: %s", exc.__class__.__name__)
        return {"ok": False, "error": "数据库无法连接"}
    return {"ok": True}


def broker_configured():
    return bool(settings.CELERY_BROKER_URL)


def check_broker():
    """Connect to the broker, giving up within its 2 s timeout."""
    from .outbox import broker_answers

    if broker_answers():
        return {"ok": True}
    return {"ok": False, "error": "任务队列（Redis）无法连接"}


def check_disk():
    free_mb = shutil.disk_usage(settings.DATA_DIR).free // (1024 * 1024)
    if free_mb < settings.HEALTH_MIN_FREE_MB:
        return {"ok": False, "free_mb": free_mb, "error": f"数据目录剩余空间不足 {settings.HEALTH_MIN_FREE_MB} MB"}
    return {"ok": True, "free_mb": free_mb}


def check_beat():
    from .models import Heartbeat

    beat = Heartbeat.objects.filter(name="beat").first()
    if beat is None:
        return {"ok": False, "error": "定时任务从未运行（请启动 beat 或 run_schedule）"}
    age = int((timezone.now() - beat.at).total_seconds())
    if age < -HEARTBEAT_SKEW_SECONDS:
        return {"ok": False, "age_seconds": age, "error": "定时任务心跳时间晚于当前时间（系统时钟被调整过？）"}
    if age > 2 * settings.BEAT_HEARTBEAT_SECONDS:
        return {"ok": False, "age_seconds": age, "error": "定时任务已停止运行"}
    return {"ok": True, "age_seconds": age}


def check_audit():
    from . import auditchain

    ok, broken, _ = auditchain.verify(tail=AUDIT_TAIL)
    if not ok:
        where = f"于事件 #{broken.event_id}" if broken.event_id is not None else "（链头）"
        return {"ok": False, "error": f"审计日志哈希链断裂{where}"}
    return {"ok": True}


def run_checks():
    checks = {"database": check_database()}
    if broker_configured():
        checks["broker"] = check_broker()
    checks["disk"] = check_disk()
    if checks["database"]["ok"]:
        checks["beat"] = check_beat()
        checks["audit"] = check_audit()
    return checks


@login_not_required
@never_cache
def healthz(request):
    checks = run_checks()
    failed = sorted(name for name, result in checks.items() if not result["ok"])
    body = {
        "status": "fail" if failed else "ok",
        "failed": failed,
        "checks": checks,
        "time": timezone.now().isoformat(),
    }
    return JsonResponse(body, status=503 if failed else 200, json_dumps_params={"ensure_ascii": False})


def record_heartbeat(name="beat", at=None):
    from .models import Heartbeat

    Heartbeat.objects.update_or_create(name=name, defaults={"at": at or timezone.now()})
