"""The schedule runs on the embedded default (no broker): run_schedule and run_job."""

from datetime import datetime, timedelta
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.core.management import call_command
from django.utils import timezone

from documents import services, workflow
from documents.models import IncomingDocument
from township_office.models import Department, Heartbeat, Notification
from township_office.scheduler import Scheduler

SHANGHAI = ZoneInfo("Asia/Shanghai")


@pytest.fixture
def file_due_tomorrow(clerk, office_director, deputy, principal):
    """A 收文 proposed and instructed, led by 农业农村办公室, due tomorrow."""
    document = services.register_incoming(
        by=clerk,
        data={
            "source_org": "县人民政府办公室",
            "source_doc_number": "县政办发〔2026〕15号",
            "title": "关于做好冬季森林防火工作的通知",
            "doc_type": "通知",
            "deadline": timezone.localdate() + timedelta(days=5),
        },
    )
    workflow.propose(
        document,
        by=office_director,
        proposal="拟请陈刚副镇长阅示。",
        leaders=[deputy],
        lead_department=Department.objects.get(name="农业农村办公室"),
        support_departments=[],
        readers=[principal],
    )
    document.refresh_from_db()
    workflow.instruct(document, by=deputy, text="请农业农村办公室办理")
    IncomingDocument.objects.filter(pk=document.pk).update(deadline=timezone.localdate() + timedelta(days=1))
    return document


def at(hour, minute=0, days=0):
    day = timezone.localdate() + timedelta(days=days)
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=SHANGHAI)


def test_file_due_tomorrow_gets_its_reminder_from_the_embedded_scheduler(
    file_due_tomorrow, staff, django_capture_on_commit_callbacks
):
    scheduler = Scheduler()
    with django_capture_on_commit_callbacks(execute=True):
        ran, _ = scheduler.tick(at(7, 0))  # started before the 08:00 run: the heartbeat only
        assert "documents-send-reminders" not in ran and "heartbeat" in ran
        assert not Notification.objects.filter(recipient=staff, title__startswith="即将到期").exists()
        ran, _ = scheduler.tick(at(8, 0, 0) + timedelta(seconds=5))
    assert "documents-send-reminders" in ran
    reminder = Notification.objects.get(recipient=staff, title__startswith="即将到期")
    assert file_due_tomorrow.title in reminder.title
    with django_capture_on_commit_callbacks(execute=True):
        ran, _ = scheduler.tick(at(8, 1))  # not due again until 14:00
    assert "documents-send-reminders" not in ran


def test_a_run_missed_while_the_pc_was_off_happens_at_start(
    file_due_tomorrow, staff, django_capture_on_commit_callbacks
):
    Heartbeat.objects.create(name="job:documents-send-reminders", at=at(14, 0, days=-1))
    with django_capture_on_commit_callbacks(execute=True):
        ran, _ = Scheduler().tick(at(9, 30))  # 08:00 today was missed
    assert "documents-send-reminders" in ran
    assert Notification.objects.filter(recipient=staff, title__startswith="即将到期").count() == 1
    assert Heartbeat.objects.get(name="job:documents-send-reminders").at == at(9, 30)


def test_scheduler_heartbeat_is_what_healthz_reads(db):
    Scheduler().tick(at(10, 0))
    beat = Heartbeat.objects.get(name="beat")
    assert beat.at >= timezone.now() - timedelta(seconds=30)


def test_clock_turned_back_the_heartbeat_resumes_within_a_minute(db):
    """The clock is turned back an hour: the runs recorded in the future do not hold the schedule back for that
    hour (/healthz would show a heartbeat from the future until then); the heartbeat is written again within a
    minute and /healthz reads it as fresh."""
    from township_office import health

    later = at(11, 0)
    Heartbeat.objects.create(name="job:heartbeat", at=later)
    Heartbeat.objects.create(name="beat", at=later)
    now = later - timedelta(hours=1)
    with time_machine.travel(now, tick=False):
        scheduler = Scheduler()
        assert "heartbeat" not in scheduler.tick(now)[0]
        assert health.check_beat()["ok"] is False
    now += timedelta(seconds=61)
    with time_machine.travel(now, tick=False):
        assert "heartbeat" in scheduler.tick(now)[0]
        assert Heartbeat.objects.get(name="beat").at == now
        assert health.check_beat()["ok"] is True


def test_every_scheduled_job_is_a_management_command(
    file_due_tomorrow, staff, capsys, settings, django_capture_on_commit_callbacks
):
    call_command("run_job", "--list")
    listed = capsys.readouterr().out
    for name in settings.CELERY_BEAT_SCHEDULE:
        assert name in listed
    with django_capture_on_commit_callbacks(execute=True):
        call_command("run_job", "documents-send-reminders")
    assert "documents-send-reminders 已运行：1" in capsys.readouterr().out
    assert Notification.objects.filter(recipient=staff, title__startswith="即将到期").count() == 1


# The loop closes stale connections between ticks, as a long-lived process must: no test transaction around it.
@pytest.mark.django_db(transaction=True)
def test_scheduler_process_ticks_until_stopped_and_runs_once_per_data_dir(settings, tmp_path):
    import fcntl

    from township_office import scheduler

    settings.DATA_DIR = tmp_path
    ticks = []
    scheduler.run_forever(stop=lambda: ticks.append(1) or len(ticks) > 1)
    assert Heartbeat.objects.filter(name="beat").exists()  # the first tick ran the heartbeat

    with open(tmp_path / "scheduler.lock", "w") as held:  # another scheduler holds the lock
        fcntl.flock(held, fcntl.LOCK_EX | fcntl.LOCK_NB)
        with pytest.raises(scheduler.AlreadyRunning):
            scheduler.run_forever(stop=lambda: True)
