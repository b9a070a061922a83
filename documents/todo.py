"""我的待办 entries of the documents app."""

from django.db.models import Exists, OuterRef, Q

from township_office import permissions, todo
from township_office.roles import LEADERS, Role, has_role

from .models import Assignment, Circulation, IncomingDocument, Instruction, OutgoingDocument
from .permissions import visible_incoming, visible_outgoing

In = IncomingDocument.Status
Out = OutgoingDocument.Status


def _incoming_waiting(user):
    """Files waiting on the user, as one queryset with a `todo_kind` decided per row in Python."""
    conditions = Q(pk__in=[])
    if has_role(user, Role.OFFICE_DIRECTOR):
        conditions |= Q(status=In.REGISTERED)
    if has_role(user, *LEADERS):
        instructed = Instruction.objects.filter(document=OuterRef("pk"), leader=user)
        asked = IncomingDocument.instructing_leaders.through.objects.filter(user=user).values("incomingdocument_id")
        conditions |= Q(status=In.INSTRUCTING, pk__in=asked) & ~Q(Exists(instructed))
    if has_role(user, Role.CLERK):
        conditions |= Q(status=In.COMPLETED)
    if has_role(user, Role.DEPARTMENT_STAFF) and user.department_id:
        assigned = Assignment.objects.filter(department=user.department_id).values("document_id")
        conditions |= Q(status=In.HANDLING, pk__in=assigned)
    reading = Circulation.objects.filter(
        document=OuterRef("pk"), reader=user, sent_at__isnull=False, read_at__isnull=True
    )
    conditions |= Q(Exists(reading))
    return visible_incoming(user).filter(conditions).annotate(reading=Exists(reading))


def _outgoing_waiting(user):
    conditions = Q(pk__in=[])
    if has_role(user, Role.OFFICE_DIRECTOR):
        conditions |= Q(status=Out.OFFICE_CHECK)
    if has_role(user, Role.CLERK):
        conditions |= Q(status__in=[Out.RECHECK, Out.NUMBERING, Out.SEALING, Out.ISSUING])
    conditions |= Q(status=Out.DRAFT, drafter=user)
    granted_review = permissions.granted_ids(user, OutgoingDocument, "review")
    granted_sign = permissions.granted_ids(user, OutgoingDocument, "sign_off")
    granted_countersign = permissions.granted_ids(user, OutgoingDocument, "countersign")
    conditions |= Q(status=Out.DEPT_REVIEW) & granted_review
    conditions |= Q(status=Out.SIGN_OFF) & granted_sign
    if user.department_id:
        conditions |= (
            Q(status=Out.COUNTERSIGN)
            & granted_countersign
            & ~Q(opinions__step="countersign", opinions__department=user.department_id)
        )
    return visible_outgoing(user).filter(conditions)


INCOMING_KIND = {
    In.REGISTERED: "待拟办",
    In.INSTRUCTING: "待批示",
    In.HANDLING: "待办理",
    In.COMPLETED: "待归档",
}


@todo.register
class DocumentTodo(todo.Provider):
    app_label = "公文"
    order = 10

    def items(self, user, limit=50):
        items = []
        for d in _incoming_waiting(user).order_by("deadline", "-pk")[:limit]:
            kind = (
                "待阅"
                if d.reading and d.status != In.REGISTERED
                else INCOMING_KIND.get(d.status, d.get_status_display())
            )
            items.append(
                todo.TodoItem(
                    kind=kind,
                    title=f"{d.number} {d.title}",
                    url=d.get_absolute_url(),
                    due=d.deadline,
                    urgent=d.urgency != "normal",
                    overdue=d.is_overdue(),
                    detail=d.source_org,
                )
            )
        for d in _outgoing_waiting(user).select_related("drafting_department").order_by("-created_at")[:limit]:
            items.append(
                todo.TodoItem(
                    kind=d.get_status_display(),
                    title=d.title,
                    url=d.get_absolute_url(),
                    urgent=d.urgency != "normal",
                    detail=str(d.drafting_department_id and d.drafting_department),
                )
            )
        return items[:limit]

    def count(self, user):
        return _incoming_waiting(user).count() + _outgoing_waiting(user).count()
