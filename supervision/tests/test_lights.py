"""The lights, a pure function of (item, today), at every boundary; and stored by the morning job."""

from datetime import date, timedelta

import pytest

from supervision import lights, services
from supervision.models import Light, Milestone, SupervisionItem

from .conftest import TODAY

S = SupervisionItem.Status
DEADLINE = date(2026, 12, 10)


def item(deadline=DEADLINE, extended=None, status=S.OPEN, applied_on=None):
    return SupervisionItem(deadline=deadline, extended_deadline=extended, status=status, applied_on=applied_on)


def milestone(due, fed=False, title="节点"):
    from django.utils import timezone

    return Milestone(title=title, due=due, fed_at=timezone.now() if fed else None)


def light(it, today, milestones=(), warn=3):
    return lights.light_of(it, today, warn=warn, milestones=milestones)[0]


@pytest.mark.parametrize(
    ("days_left", "expected"),
    [(10, Light.GREEN), (4, Light.GREEN), (3, Light.YELLOW), (1, Light.YELLOW), (0, Light.YELLOW), (-1, Light.RED)],
)
def test_deadline_boundaries(days_left, expected):
    assert light(item(), DEADLINE - timedelta(days=days_left)) == expected


def test_the_warning_days_come_from_the_setting():
    today = DEADLINE - timedelta(days=5)
    assert light(item(), today, warn=3) == Light.GREEN
    assert light(item(), today, warn=5) == Light.YELLOW


@pytest.mark.parametrize(
    ("days_to_milestone", "expected"),
    [(4, Light.GREEN), (3, Light.YELLOW), (0, Light.YELLOW), (-1, Light.YELLOW)],
)
def test_next_milestone_boundaries(days_to_milestone, expected):
    due = date(2026, 11, 30)
    assert light(item(), due - timedelta(days=days_to_milestone), [milestone(due)]) == expected


def test_a_milestone_passed_without_feedback_is_yellow_and_says_which():
    it = item()
    today = date(2026, 12, 1)
    value, note = lights.light_of(it, today, warn=3, milestones=[milestone(date(2026, 11, 30), title="完成选址")])
    assert value == Light.YELLOW and "完成选址" in note and "未反馈" in note
    assert light(it, today, [milestone(date(2026, 11, 30), fed=True)]) == Light.GREEN


def test_an_approved_extension_moves_the_deadline_and_without_one_lateness_counts_from_the_original():
    after = DEADLINE + timedelta(days=1)
    assert light(item(), after) == Light.RED
    assert light(item(extended=DEADLINE + timedelta(days=20)), after) == Light.GREEN
    assert light(item(extended=DEADLINE + timedelta(days=20)), DEADLINE + timedelta(days=21)) == Light.RED
    assert lights.light_of(item(), after + timedelta(days=1), warn=3, milestones=[])[1] == "已逾期2天"


def test_waiting_for_sign_off_is_judged_on_the_day_the_unit_applied():
    assert light(item(status=S.REVIEW, applied_on=DEADLINE), DEADLINE + timedelta(days=9)) == Light.GREEN
    assert light(item(status=S.REVIEW, applied_on=DEADLINE + timedelta(days=1)), DEADLINE) == Light.RED
    assert light(item(status=S.DONE, applied_on=DEADLINE - timedelta(days=2)), DEADLINE + timedelta(days=30)) == (
        Light.GREEN
    )


def test_stored_light_follows_the_clock_at_0730_beijing(make_item, clock):
    """At 07:30 in Beijing (23:30 UTC the day before) the day is already Beijing's: the morning job turns an item
    yellow on the day its milestone is 3 days away, red the day after its deadline."""
    it = make_item(milestones=[("完成选址", TODAY + timedelta(days=5))], deadline=TODAY + timedelta(days=8))
    assert it.light == Light.GREEN
    clock.to_day(TODAY + timedelta(days=1))
    assert services.refresh_lights() == 0
    clock.to_day(TODAY + timedelta(days=2))  # the milestone is 3 days away in Beijing, 4 in UTC
    assert services.refresh_lights() == 1
    it.refresh_from_db()
    assert it.light == Light.YELLOW and it.light_note == "节点「完成选址」还有3天"
    clock.to_day(TODAY + timedelta(days=9))
    services.refresh_lights()
    it.refresh_from_db()
    assert it.light == Light.RED and it.light_note == "已逾期1天"


def test_turning_red_tells_the_leader_and_the_unit_once(make_item, clock, deputy, staff):
    from township_office.models import Notification

    it = make_item(milestones=[], deadline=TODAY)
    clock.to_day(TODAY + timedelta(days=1))
    services.refresh_lights()
    services.refresh_lights()
    for person in (deputy, staff):
        assert (
            Notification.objects.filter(
                recipient=person, title__startswith="督办事项已逾期", url=it.get_absolute_url()
            ).count()
            == 1
        )
