"""The narrow interface other apps use.

- ``for_source(user, object_type, object_code, leaders=…)``: what a source record's page shows of its 督办事项 — the
  address of its items in the supervision list and, when ``user`` may, of 「列入督办」 (the instructing leader or the
  office director, once the record has a 批示); no query.
- ``daily_report_items(day, user=)``: the red and yellow items ``user`` may open, for the morning daily report.
"""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from .models import Light, SupervisionItem
from .permissions import titles, visible_items


@dataclass(frozen=True)
class SourcePanel:
    items_url: str  # the 督办事项 of the record, in the supervision list (its own visibility)
    new_url: str = ""  # 「列入督办」, when the person may


def new_item_url(object_type, object_code):
    return f"{reverse('supervision:create_from')}?{urlencode({'type': object_type, 'code': object_code})}"


def items_url(object_type, object_code):
    return f"{reverse('supervision:list')}?{urlencode({'source_type': object_type, 'source_code': object_code})}"


def for_source(user, object_type, object_code, *, leaders):
    """The links a source record's page shows, asking the database nothing: its items (listed by the supervision
    list, which applies the items' visibility) and 「列入督办」 for the leaders who instructed it (``leaders``, read
    by the page already) or the office director. None before any 批示: no item can come from it yet."""
    from .workflow import may_list_from

    if not leaders:
        return None
    new_url = new_item_url(object_type, object_code) if may_list_from(user, leaders) else ""
    return SourcePanel(items_url(object_type, str(object_code)), new_url)


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
