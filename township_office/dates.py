"""Local calendar days as aware datetime ranges.

A filter on ``registered_at__date`` cannot use the index on ``registered_at``; the same days as a
``>= start, < end`` range of aware datetimes can.
"""

from datetime import datetime, time, timedelta

from django.utils import timezone


def day_range(first, last=None):
    """(start, end): from the beginning of local day ``first`` to the beginning of the day after ``last``."""
    last = first if last is None else last
    start = timezone.make_aware(datetime.combine(first, time.min))
    end = timezone.make_aware(datetime.combine(last + timedelta(days=1), time.min))
    return start, end
