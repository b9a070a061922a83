"""The morning job and the reads other pages share."""

from django.db.models import Prefetch
from django.utils import timezone

from township_office.notifications import notify

from . import lights
from .models import Light, Milestone, SupervisionItem

S = SupervisionItem.Status


def refresh_lights(today=None):
    """Recompute the light of every item not yet 销号 as of ``today`` (Beijing time); tell the 交办 leader and the
    牵头单位 once when an item turns 红 (one notification per item and deadline). Returns how many changed."""
    today = today or timezone.localdate()
    warn = lights.warn_days()
    rows = (
        SupervisionItem.objects.exclude(status=S.DONE)
        .select_related("leader", "lead_department")
        .prefetch_related(Prefetch("milestones", queryset=Milestone.objects.order_by("due", "pk")))
    )
    changed = 0
    for item in rows.iterator(chunk_size=500):
        was = item.light
        if not lights.refresh(item, today, warn=warn):
            continue
        changed += 1
        if item.light == Light.RED and was != Light.RED and item.status == S.OPEN:
            people = [item.leader, *item.lead_department.members.filter(is_active=True)]
            notify(
                people,
                f"督办事项已逾期：{item}（时限 {item.due:%m月%d日}）",
                url=item.get_absolute_url(),
                event_key=f"supervision:{item.code}:red:{item.due}",
            )
    return changed
