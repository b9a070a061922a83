"""The lights of a 督办事项, computed from its dates and ``today`` (a Beijing day), never typed.

- 红 (overdue): still open after its deadline — the approved 延期's date, else the original one. An item waiting
  for 销号 or done is judged on the day its 承办单位 applied: red if it applied after the deadline, else green.
- 黄: a milestone whose date has passed without its feedback; or the deadline, or the next milestone still to
  feed back, within ``warn_days`` days (the township's 督办预警天数, 3 by default): on the day itself too.
- 绿 otherwise.

``light_of`` reads only the item's fields and its milestones (``milestones``: the list to judge, else
``item.milestones.all()``): the same answer for the same item and day, whoever asks and whenever.
"""

from datetime import date

from .models import Light, SupervisionItem

DEFAULT_WARN_DAYS = 3


def warn_days():
    """The township's 督办预警天数 (3 when no township is set up)."""
    from township_office.models import Township

    township = Township.current()
    return township.supervision_warn_days if township is not None else DEFAULT_WARN_DAYS


def light_of(item, today: date, *, warn=DEFAULT_WARN_DAYS, milestones=None):
    """(light, note) of ``item`` on ``today``."""
    due = item.due
    if item.status != SupervisionItem.Status.OPEN:
        if item.applied_on and item.applied_on > due:
            return Light.RED, f"逾期{(item.applied_on - due).days}天后申请办结"
        return Light.GREEN, "按期申请办结"
    if today > due:
        return Light.RED, f"已逾期{(today - due).days}天"
    milestones = list(item.milestones.all()) if milestones is None else list(milestones)
    unfed = sorted((m for m in milestones if m.fed_at is None), key=lambda m: (m.due, m.pk or 0))
    missed = [m for m in unfed if m.due < today]
    if missed:
        return Light.YELLOW, f"节点「{missed[0].title}」已过未反馈"
    upcoming = [m for m in unfed if m.due <= due]
    if upcoming and (upcoming[0].due - today).days <= warn:
        left = (upcoming[0].due - today).days
        return Light.YELLOW, f"节点「{upcoming[0].title}」{'今天到期' if left == 0 else f'还有{left}天'}"
    if (due - today).days <= warn:
        left = (due - today).days
        return Light.YELLOW, "今天到期" if left == 0 else f"距时限还有{left}天"
    return Light.GREEN, "按计划推进"


def refresh(item, today=None, *, warn=None):
    """Store the item's light as it is on ``today``; True when it changed."""
    from django.utils import timezone

    today = today or timezone.localdate()
    light, note = light_of(item, today, warn=warn_days() if warn is None else warn)
    if (light, note) == (item.light, item.light_note):
        return False
    SupervisionItem.objects.filter(pk=item.pk).update(light=light, light_note=note)
    item.light, item.light_note = light, note
    return True
