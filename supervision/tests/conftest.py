from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine

from supervision import workflow
from supervision.models import SupervisionItem
from township_office.models import Department

# 2026-11-26 07:30 in Beijing: still the 25th in UTC.
MORNING = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)
TODAY = date(2026, 11, 26)


def beijing_morning(day):
    """07:30 Beijing time on ``day`` (23:30 UTC the day before)."""
    return datetime(day.year, day.month, day.day, tzinfo=UTC) - timedelta(minutes=30)


@pytest.fixture
def clock():
    """The clock frozen at 07:30 Beijing time on TODAY; ``clock.move_to(day)`` goes to 07:30 of another day."""
    with time_machine.travel(MORNING, tick=False) as traveller:

        def move_to(day):
            traveller.move_to(beijing_morning(day))

        traveller.to_day = move_to
        yield traveller


@pytest.fixture
def agriculture(township):
    return Department.objects.get(name="农业农村办公室")


@pytest.fixture
def make_item(clock, clerk, deputy, agriculture):
    """make(...) → an item opened by the clerk (交办 陈刚, 牵头 农业农村办公室, due in 10 days, two milestones)."""

    def make(*, milestones=None, by=None, source=None, support=(), **fields):
        data = {
            "title": "高标准农田建设进度",
            "requirement": "按月推进",
            "leader": deputy,
            "lead_department": agriculture,
            "deadline": TODAY + timedelta(days=10),
            "source_kind": SupervisionItem.Source.MANUAL,
            "source_note": "镇党委会议纪要",
            **fields,
        }
        if source is not None:
            data.pop("source_kind"), data.pop("source_note")
        if milestones is None:
            milestones = [("完成选址", TODAY + timedelta(days=4)), ("完成招标", TODAY + timedelta(days=8))]
        return workflow.open_item(data, by=by or clerk, milestones=milestones, support=support, source=source)

    return make
