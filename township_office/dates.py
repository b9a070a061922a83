"""Local (Beijing) time for everything a person reads, and local calendar days as aware datetime ranges.

Times are stored in UTC. A person reads them in ``settings.TIME_ZONE`` (Asia/Shanghai): 07:30 on the 26th
in Beijing is 23:30 on the 25th in UTC, so a date or hour taken from a stored value without
:func:`local` is a day or eight hours off. Templates get this from ``|date`` (which converts); Python code
that builds a message, a PDF or an export uses the helpers here.

A filter on ``registered_at__date`` cannot use the index on ``registered_at``; the same days as a
``>= start, < end`` range of aware datetimes (:func:`day_range`) can.
"""

from datetime import UTC, date, datetime, time, timedelta

from django.utils import timezone

# Days outside these bounds cannot be turned into aware datetimes and back (UTC+8 moves year 1 into year 0).
FIRST_DAY = date(1, 1, 2)
LAST_DAY = date(9999, 12, 30)


def _clamp(day):
    return min(max(day, FIRST_DAY), LAST_DAY)


def day_range(first, last=None):
    """(start, end): from the beginning of local day ``first`` to the beginning of the day after ``last``.

    Days at the very ends of the calendar (``0001-01-01``, ``9999-12-31``, typed in a filter) are moved in
    by a day, so the range never overflows; no record lies there anyway.
    """
    last = first if last is None else last
    first, last = _clamp(first), _clamp(last)
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end


def local(value):
    """The aware datetime ``value`` in local time (None stays None). A date is returned as it is."""
    if value is None or not isinstance(value, datetime):
        return value
    if timezone.is_naive(value):
        value = value.replace(tzinfo=UTC)  # stored values are UTC
    return timezone.localtime(value)


def local_day(value):
    """The local calendar day of ``value`` (a datetime, or a date returned as it is); None stays None."""
    if isinstance(value, datetime):
        return local(value).date()
    return value


def today():
    """Today's local date (``timezone.localdate``): at 07:30 in Beijing it is already the 26th."""
    return timezone.localdate()


def format_datetime(value, *, year=True):
    """``2026-11-26 07:30`` in local time (``11月26日 07:30`` with ``year=False``, as in rule messages); '' for None."""
    if value is None:
        return ""
    value = local(value)
    if not isinstance(value, datetime):
        return format_date(value, year=year)
    if year:
        return f"{value:%Y-%m-%d %H:%M}"
    return f"{value.month:02d}月{value.day:02d}日 {value:%H:%M}"


def format_date(value, *, year=True):
    """``2026-11-26`` for the local day of ``value`` (``11月26日`` with ``year=False``); '' for None."""
    if value is None:
        return ""
    day = local_day(value)
    if year:
        return day.isoformat()
    return f"{day.month:02d}月{day.day:02d}日"


def format_time(value):
    """``07:30``: the local hour and minute of ``value``; '' for None."""
    if value is None:
        return ""
    return f"{local(value):%H:%M}"


def chinese_date(value):
    """``2026年11月26日`` for the local day of ``value`` (the date line of printouts); '' for None."""
    if value is None:
        return ""
    day = local_day(value)
    return f"{day.year}年{day.month}月{day.day}日"
