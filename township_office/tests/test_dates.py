"""Beijing time helpers: at 07:30 in Beijing (23:30 UTC the day before) the day and hour are the local ones."""

from datetime import UTC, date, datetime

import pytest
import time_machine

from township_office import dates

MORNING_UTC = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 2026-11-26 07:30 in Beijing


def test_local_day_and_time_of_an_early_morning_instant():
    assert dates.local_day(MORNING_UTC) == date(2026, 11, 26)
    assert dates.format_datetime(MORNING_UTC) == "2026-11-26 07:30"
    assert dates.format_datetime(MORNING_UTC, year=False) == "11月26日 07:30"
    assert dates.format_date(MORNING_UTC) == "2026-11-26"
    assert dates.format_date(MORNING_UTC, year=False) == "11月26日"
    assert dates.format_time(MORNING_UTC) == "07:30"
    assert dates.chinese_date(MORNING_UTC) == "2026年11月26日"


def test_naive_values_are_read_as_utc_and_dates_pass_through():
    assert dates.format_datetime(datetime(2026, 11, 25, 23, 30)) == "2026-11-26 07:30"
    assert dates.local_day(date(2026, 1, 2)) == date(2026, 1, 2)
    assert dates.format_datetime(None) == dates.format_date(None) == dates.chinese_date(None) == ""


@time_machine.travel(MORNING_UTC, tick=False)
def test_today_is_the_local_day():
    assert dates.today() == date(2026, 11, 26)


def test_day_range_is_the_local_day():
    start, end = dates.day_range(date(2026, 11, 26))
    assert start == datetime(2026, 11, 25, 16, 0, tzinfo=UTC)
    assert end == datetime(2026, 11, 26, 16, 0, tzinfo=UTC)
    assert start <= MORNING_UTC < end


@pytest.mark.parametrize("day", [date.min, date.max, date(1, 1, 2), date(9999, 12, 30)])
def test_day_range_at_the_ends_of_the_calendar_does_not_overflow(day):
    start, end = dates.day_range(day)
    assert start < end
    start.astimezone(UTC), end.astimezone(UTC)


@pytest.mark.django_db
def test_day_range_filters_at_the_ends_of_the_calendar(clerk):
    from township_office.models import Notification

    Notification.objects.create(recipient=clerk, title="通知")
    for day in (date.min, date.max):
        start, end = dates.day_range(day)
        assert not Notification.objects.filter(created_at__gte=start, created_at__lt=end).exists()
