"""The monthly 通报, generated, not typed: items opened, done (销号), overdue and 延期 in the month, by 牵头单位 and by
source, with the red items listed — counted over what the reader may open. Units are ranked only when the
township's settings turn it on (督办通报排名); otherwise they are listed in the organisation's order.

- 新立项: opened in the month; 销号: 销号 in the month; 延期: 延期 approved in the month;
- 逾期: not done by its deadline (the approved 延期's, else the original) and overdue at some day of the month —
  its deadline before the month's last day (before today in the current month), not applied for by then, not
  销号 before the month began. These are the items listed as 红.
"""

import calendar
from dataclasses import dataclass, field
from datetime import date, timedelta

from django.db.models import Q
from django.utils import timezone

from township_office.dates import day_range
from township_office.models import Township

from .models import Extension, SupervisionItem
from .permissions import titles, visible_items


@dataclass
class Row:
    name: str
    opened: int = 0
    done: int = 0
    overdue: int = 0
    extended: int = 0
    order: object = 0


@dataclass
class Monthly:
    first: date
    last: date
    units: list = field(default_factory=list)
    sources: list = field(default_factory=list)
    total: Row = None
    red: list = field(default_factory=list)
    ranked: bool = False


def month_bounds(first):
    last = first.replace(day=calendar.monthrange(first.year, first.month)[1])
    return first, last


def monthly(user, first, today=None):
    today = today or timezone.localdate()
    first, last = month_bounds(first)
    until = min(last, today) - timedelta(days=1)  # the last day an item may have fallen due to be late in the month
    since, end = day_range(first, last)
    visible = visible_items(user)
    opened = Q(created_at__gte=since, created_at__lt=end)
    done = Q(closed_at__gte=since, closed_at__lt=end)
    extended_ids = Extension.objects.filter(
        status=Extension.Status.APPROVED, decided_at__gte=since, decided_at__lt=end
    ).values("item_id")
    late = (
        Q(created_at__lt=end)
        & (Q(extended_deadline__isnull=True, deadline__lte=until) | Q(extended_deadline__lte=until))
        & ~Q(closed_at__lt=since)
    )
    rows = list(
        visible.filter(opened | done | late | Q(pk__in=extended_ids))
        .select_related("lead_department")
        .order_by("year", "serial")
    )
    extended = set(extended_ids.values_list("item_id", flat=True))
    units, kinds = {}, {}
    total = Row("合计")
    red = []
    for item in rows:
        marks = {
            "opened": since <= item.created_at < end,
            "done": item.closed_at is not None and since <= item.closed_at < end,
            "overdue": is_overdue_in(item, until, first),
            "extended": item.pk in extended,
        }
        if not any(marks.values()):
            continue
        department = item.lead_department
        unit = units.setdefault(department.pk, Row(department.name, order=(department.sort_order, department.pk)))
        kind = kinds.setdefault(item.source_kind, Row(item.get_source_kind_display(), order=item.source_kind))
        for row in (unit, kind, total):
            for name, on in marks.items():
                setattr(row, name, getattr(row, name) + int(on))
        if marks["overdue"]:
            red.append(item)
    township = Township.current()
    ranked = bool(township and township.supervision_ranking)
    unit_rows = sorted(units.values(), key=lambda r: r.order)
    if ranked:  # fewest overdue first, then most done
        unit_rows.sort(key=lambda r: (r.overdue, -r.done))
    source_order = list(SupervisionItem.Source.values)
    return Monthly(
        first,
        last,
        units=unit_rows,
        sources=sorted(kinds.values(), key=lambda r: source_order.index(r.order)),
        total=total,
        red=titles(user, red),
        ranked=ranked,
    )


def is_overdue_in(item, until, since):
    """Late at some day of the month: due by ``until`` (the day before the month's last day, or before today), not
    applied for by its deadline and not 销号 before ``since``."""
    due = item.due
    if due > until:
        return False
    if item.closed_at is not None and timezone.localtime(item.closed_at).date() < since:
        return False
    return item.applied_on is None or item.applied_on > due
