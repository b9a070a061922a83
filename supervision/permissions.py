"""Who sees which 督办事项.

The office (办公室主任, 文书) and the principal leaders (书记, 镇长: 督办 is done in their name) see every item; a
deputy leader the items he 交办'd; the 牵头单位 and 协办单位 theirs (a grant
given when the item is opened). An item from an accusation (信访 检举控告) is never shown to the accused person, the
members of the accused department or the leaders in charge of it (分管), whatever the grants. Its title is shown
only to those who may open its source when the source is 内部/工作秘密 (``titles``).
"""

from django.db.models import Q

from township_office import permissions
from township_office.models import Department
from township_office.roles import OFFICE, Role, has_role

from . import sources
from .models import SupervisionItem

MASKED_TITLE = "内部事项（请向办公室调阅来源文件）"


def sees_all(user):
    return has_role(user, *OFFICE, Role.PRINCIPAL_LEADER)


def accused_scope(user):
    """The departments whose accusations ``user`` must never see: their own and those they are in charge of."""
    cached = getattr(user, "_supervision_accused_scope", None)
    if cached is None:
        cached = set(Department.objects.filter(leaders_in_charge__user=user.pk).values_list("pk", flat=True))
        if getattr(user, "department_id", None):
            cached.add(user.department_id)
        user._supervision_accused_scope = cached
    return cached


def hidden_items(user):
    return Q(accused_person=user.pk) | Q(accused_department__in=sorted(accused_scope(user)))


def visible_items(user):
    if not getattr(user, "is_authenticated", False):
        return SupervisionItem.objects.none()
    scope = Q(pk__isnull=False) if sees_all(user) else None
    return permissions.visible(user, SupervisionItem.objects.all(), "view", role_scope=scope, hidden=hidden_items(user))


def get_item_for_user(user, code):
    items = visible_items(user).select_related("leader", "lead_department", "created_by")
    return permissions.get_for_user(user, items, code=code)


def titles(user, items):
    """Set ``shown_title`` on each item: its title, or the mask when its source is restricted and ``user`` may not
    open the source. One query per kind of restricted source among ``items``."""
    items = list(items)
    restricted = [i for i in items if i.source_restricted]
    allowed = sources.openable(user, restricted) if restricted else set()
    for item in items:
        masked = item.source_restricted and (item.source_type, item.source_code) not in allowed
        item.shown_title = MASKED_TITLE if masked else item.title
        item.title_masked = masked
    return items
