"""The narrow interface other apps use.

- ``for_source(user, object_type, object_code)``: what a source record's page shows of its 督办事项 — the items
  linked to it that ``user`` may open (titles masked as their lists mask them) and, when ``user`` may, the address
  of 「列入督办」 (the instructing leader or the office director, once the record has a 批示).
- ``daily_report_items(day, user=)``: the red and yellow items ``user`` may open, for the morning daily report.
"""

from dataclasses import dataclass, field
from urllib.parse import urlencode

from django.http import Http404
from django.urls import reverse

from .models import Light, SupervisionItem
from .permissions import titles, visible_items


@dataclass(frozen=True)
class ItemSummary:
    number: str
    title: str
    status_label: str
    light: str
    light_label: str
    light_note: str
    due: object
    url: str


@dataclass
class SourcePanel:
    items: list = field(default_factory=list)
    new_url: str = ""


def _summary(item):
    return ItemSummary(
        item.number,
        item.shown_title,
        item.get_status_display(),
        item.light,
        item.get_light_display(),
        item.light_note,
        item.due,
        item.get_absolute_url(),
    )


def new_item_url(object_type, object_code):
    return f"{reverse('supervision:create_from')}?{urlencode({'type': object_type, 'code': object_code})}"


def for_source(user, object_type, object_code):
    from . import sources, workflow

    rows = visible_items(user).filter(source_type=object_type, source_code=str(object_code)).order_by("year", "serial")
    panel = SourcePanel(items=[_summary(i) for i in titles(user, rows)])
    try:
        source = sources.read(user, object_type, str(object_code))
    except Http404:
        return panel
    if workflow.from_source_refusal(user, source) is None:
        panel.new_url = new_item_url(object_type, object_code)
    return panel


def daily_report_items(day, *, user):
    """{"overdue": [...], "warning": [...]}: lines (number, title, department, deadline, url, note) of the items
    ``user`` may open that are red or yellow, in their deadline order; a fixed number of queries."""
    rows = (
        visible_items(user)
        .filter(status=SupervisionItem.Status.OPEN, light__in=[Light.RED, Light.YELLOW])
        .select_related("lead_department")
        .order_by("deadline", "pk")
    )
    out = {"overdue": [], "warning": [], "count": 0}
    for item in titles(user, rows):
        line = {
            "number": item.number,
            "title": item.shown_title,
            "department": item.lead_department.name,
            "deadline": item.due,
            "url": item.get_absolute_url(),
            "note": item.light_note,
        }
        out["overdue" if item.light == Light.RED else "warning"].append(line)
    out["count"] = len(out["overdue"]) + len(out["warning"])
    return out
