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


@pytest.fixture
def instructed(clock, clerk, office_director, deputy, principal):
    """A 收文 proposed to 陈刚 (主办 农业农村办公室, 协办 自然资源所) and instructed by him: ``make(secrecy=…)``."""
    from documents import services as documents
    from documents import workflow as incoming

    def make(secrecy="none", title="关于开展秸秆禁烧督查的通知"):
        document = documents.register_incoming(
            by=clerk,
            data={
                "source_org": "县人民政府办公室",
                "source_doc_number": "县政办发〔2026〕21号",
                "title": title,
                "doc_type": "通知",
                "secrecy": secrecy,
                "deadline": TODAY + timedelta(days=12),
            },
        )
        incoming.propose(
            document,
            by=office_director,
            proposal="拟请陈刚副镇长阅示。",
            leaders=[deputy],
            lead_department=Department.objects.get(name="农业农村办公室"),
            support_departments=[Department.objects.get(name="自然资源所")],
        )
        document.refresh_from_db()
        incoming.instruct(document, by=deputy, text="请农业农村办公室牵头落实，列入督办。")
        document.refresh_from_db()
        return document

    return make
