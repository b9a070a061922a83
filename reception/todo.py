from township_office import permissions, todo
from township_office.roles import Role, has_role

from .models import Material, Reception
from .permissions import visible_receptions


def _to_approve(user):
    if not has_role(user, Role.PRINCIPAL_LEADER, Role.OFFICE_DIRECTOR):
        return Reception.objects.none()
    major = has_role(user, Role.PRINCIPAL_LEADER)
    director = has_role(user, Role.OFFICE_DIRECTOR)
    rows = visible_receptions(user).filter(
        permissions.granted_ids(user, Reception, "approve"), status=Reception.Status.PENDING
    )
    if major and not director:
        rows = rows.filter(is_major=True)
    elif director and not major:
        rows = rows.filter(is_major=False)
    return rows


def _materials(user):
    if not user.department_id:
        return Material.objects.none()
    return Material.objects.filter(
        department_id=user.department_id,
        done_at__isnull=True,
        reception__status__in=[Reception.Status.PENDING, Reception.Status.APPROVED],
    )


@todo.register
class ReceptionTodo(todo.Provider):
    app_label = "公务接待"
    order = 40

    def items(self, user, limit=todo.ITEMS_PER_APP):
        items = [
            todo.TodoItem(kind="待审批接待方案", title=str(r), url=r.get_absolute_url(), detail=f"{r.start:%m月%d日}")
            for r in _to_approve(user)[:limit]
        ]
        items += [
            todo.TodoItem(
                kind="待准备材料",
                title=f"{m.title}（{m.reception.visiting_unit}）",
                url=m.reception.get_absolute_url(),
                due=m.deadline,
            )
            for m in _materials(user).select_related("reception")[:limit]
        ]
        return items[:limit]

    def count(self, user):
        return todo.upto(_to_approve(user)) + todo.upto(_materials(user))
