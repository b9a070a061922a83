from django.db.models import Q

from township_office import permissions, todo
from township_office.roles import LEADERS, Role, has_role

from .models import Contact, PetitionCase
from .permissions import visible_cases

S = PetitionCase.Status


def _waiting(user):
    """Cases waiting on the user: one query of OR'd branches, each starting from a state (an index lookup of
    the few open cases), the user's part checked per case; no DISTINCT over joined rows."""
    conditions = Q(pk__in=[])
    if has_role(user, Role.OFFICE_DIRECTOR):
        conditions |= Q(status__in=[S.REGISTERED, S.HANDLING])
    if has_role(user, Role.FRONT_DESK):
        conditions |= Q(status=S.REPLIED)
    if has_role(user, *LEADERS):  # instructing and approving an extension require a leader's role
        instruct = permissions.granted_ids(user, PetitionCase, "instruct")
        conditions |= Q(status=S.INSTRUCTING) & instruct
        # an extension is asked for, and approved, while the case is being handled
        conditions |= Q(status=S.HANDLING, extension_requested_days__gt=0, extension_days=0) & instruct
    if has_role(user, Role.DEPARTMENT_STAFF):
        conditions |= Q(status=S.HANDLING) & permissions.granted_ids(user, PetitionCase, "handle")
    return visible_cases(user).filter(conditions)


def _open_contacts(user):
    """Contacts only registered so far: the front desk still answers them or opens a case."""
    if not has_role(user, Role.FRONT_DESK):
        return Contact.objects.none()
    return Contact.objects.filter(status=Contact.Status.OPEN).order_by("received_at", "pk")


KIND = {S.REGISTERED: "待受理", S.INSTRUCTING: "待批示", S.HANDLING: "待办理", S.REPLIED: "待回访办结"}


@todo.register
class PetitionTodo(todo.Provider):
    app_label = "信访"
    order = 20

    def items(self, user, limit=todo.ITEMS_PER_APP):
        items = [
            todo.TodoItem(
                kind="待答复或立案",
                title=f"{contact.get_channel_display()} {contact.name}：{contact.matter[:30]}",
                url=contact.get_absolute_url(),
                since=contact.received_at,
            )
            for contact in _open_contacts(user)[:limit]
        ]
        limit -= len(items)
        for case in _waiting(user).select_related("contact").order_by("deadline", "-pk")[:limit]:
            kind = "待批准延期" if case.extension_requested_days and not case.extension_days else KIND[case.status]
            items.append(
                todo.TodoItem(
                    kind=kind,
                    title=f"{case.number} {case.contact.matter[:30]}",
                    url=case.get_absolute_url(),
                    due=case.effective_deadline,
                    overdue=case.is_overdue(),
                )
            )
        return items

    def count(self, user):
        return todo.upto(_waiting(user)) + todo.upto(_open_contacts(user))
