"""我的待办 entries of the documents app."""

from functools import reduce
from operator import or_

from django.db.models import Exists, OuterRef, Q

from township_office import permissions, todo
from township_office.roles import LEADERS, Role, has_role

from .models import Assignment, Circulation, IncomingDocument, Instruction, OutgoingDocument
from .permissions import visible_incoming, visible_outgoing

In = IncomingDocument.Status
Out = OutgoingDocument.Status


def _reading_ids(user):
    """Files whose copy is in the user's hands, not yet read (the partial index of unread copies)."""
    return Circulation.objects.filter(reader=user, sent_at__isnull=False, read_at__isnull=True).values("document_id")


def _incoming_branches(user):
    branches = [Q(pk__in=_reading_ids(user))]
    if has_role(user, Role.OFFICE_DIRECTOR):
        branches.append(Q(status=In.REGISTERED))
    if has_role(user, *LEADERS):
        asked = IncomingDocument.instructing_leaders.through.objects.filter(
            user=user.pk, incomingdocument=OuterRef("pk")
        )
        instructed = Instruction.objects.filter(leader=user.pk, document=OuterRef("pk"))
        branches.append(Q(status=In.INSTRUCTING) & Q(Exists(asked)) & ~Q(Exists(instructed)))
    if has_role(user, Role.CLERK):
        branches.append(Q(status=In.COMPLETED))
    if has_role(user, Role.DEPARTMENT_STAFF) and user.department_id:
        assigned = Assignment.objects.filter(department=user.department_id, document=OuterRef("pk"))
        branches.append(Q(status=In.HANDLING) & Q(Exists(assigned)))
    return branches


ORDER = ("deadline", "pk")  # the most pressing first; the earlier registered among files due the same day


def _first_waiting(user, limit, order=ORDER):
    """Files waiting on the user: the first ``limit`` of each branch (the most pressing ones when ordered).

    A branch starts from what an index finds in a few rows — a state, or the user's unread copies — and
    checks the user's part in the file with a correlated EXISTS on a unique index (a leader is asked on
    thousands of files over the years). Each branch takes its own first ``limit`` and only those are merged:
    a clerk may have tens of thousands of files waiting to be archived, and neither SQLite nor PostgreSQL
    can use an index for an OR of such branches."""
    visible = visible_incoming(user)
    tops = [
        Q(pk__in=visible.filter(branch).order_by(*order).values("pk")[:limit]) for branch in _incoming_branches(user)
    ]
    return IncomingDocument.objects.filter(reduce(or_, tops)).order_by(*order)


def _outgoing_waiting(user):
    conditions = Q(pk__in=[])
    if has_role(user, Role.OFFICE_DIRECTOR):
        conditions |= Q(status=Out.OFFICE_CHECK)
    if has_role(user, Role.CLERK):
        conditions |= Q(status__in=[Out.RECHECK, Out.NUMBERING, Out.SEALING, Out.ISSUING])
    conditions |= Q(status=Out.DRAFT, drafter=user)
    # Only those who may take a step are asked about it (workflow.review_outgoing and sign_off require the role).
    if has_role(user, Role.DEPUTY_LEADER):
        conditions |= Q(status=Out.DEPT_REVIEW) & permissions.granted_ids(user, OutgoingDocument, "review")
    if has_role(user, *LEADERS):
        conditions |= Q(status=Out.SIGN_OFF) & permissions.granted_ids(user, OutgoingDocument, "sign_off")
    if user.department_id:
        conditions |= (
            Q(status=Out.COUNTERSIGN)
            & permissions.granted_ids(user, OutgoingDocument, "countersign")
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

    def items(self, user, limit=todo.ITEMS_PER_APP):
        items = []
        documents = list(_first_waiting(user, limit)[:limit])
        reading = set(
            Circulation.objects.filter(
                document__in=documents, reader=user, sent_at__isnull=False, read_at__isnull=True
            ).values_list("document_id", flat=True)
        )
        for d in documents:
            d.reading = d.pk in reading
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
        return todo.upto(_first_waiting(user, todo.COUNT_CAP + 1, order=())) + todo.upto(_outgoing_waiting(user))
