from django.db.models import Exists, OuterRef

from township_office import todo
from township_office.roles import Role, has_role

from .models import ApprovalStep, IntroductionLetter, SealRequest
from .permissions import visible_letters, visible_requests


def _to_approve(user):
    """Pending requests whose current step (the first one still pending) lists the user as approver.

    Driven by the few pending requests (status index), the step checked per request: an approver on ten years
    of requests has tens of thousands of steps behind them."""
    earlier_pending = ApprovalStep.objects.filter(
        request=OuterRef("request"), order__lt=OuterRef("order"), decision=ApprovalStep.Decision.PENDING
    )
    current = ApprovalStep.objects.filter(
        request=OuterRef("pk"), approvers=user.pk, decision=ApprovalStep.Decision.PENDING
    ).exclude(Exists(earlier_pending))
    return visible_requests(user).filter(Exists(current), status=SealRequest.Status.PENDING)


def _to_stamp(user):
    if not has_role(user, Role.SEAL_KEEPER):
        return SealRequest.objects.none()
    kept = SealRequest.seals.through.objects.filter(sealrequest=OuterRef("pk"), seal__custodians=user.pk)
    return visible_requests(user).filter(Exists(kept), status=SealRequest.Status.APPROVED)


def _letters(user):
    from township_office import permissions

    if not has_role(user, Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER):  # workflow.decide_letter requires it
        return IntroductionLetter.objects.none()
    return visible_letters(user).filter(
        permissions.granted_ids(user, IntroductionLetter, "approve"), status=IntroductionLetter.Status.PENDING
    )


@todo.register
class SealTodo(todo.Provider):
    app_label = "印信"
    order = 30

    def items(self, user, limit=todo.ITEMS_PER_APP):
        items = [
            todo.TodoItem(
                kind="待审批用印",
                title=f"{r.number} {r.title}",
                url=r.get_absolute_url(),
                detail=str(r.department),
                urgent=r.use_type == SealRequest.UseType.TAKE_OUT,
            )
            for r in _to_approve(user).select_related("department")[:limit]
        ]
        items += [
            todo.TodoItem(
                kind="待用印",
                title=f"{r.number} {r.title}",
                url=r.get_absolute_url(),
                detail=f"余 {r.remaining_copies} 份",
            )
            for r in _to_stamp(user)[:limit]
        ]
        items += [
            todo.TodoItem(kind="待审批介绍信", title=f"{x.number} {x.recipient_unit}", url=x.get_absolute_url())
            for x in _letters(user)[:limit]
        ]
        return items[:limit]

    def count(self, user):
        return todo.upto(_to_approve(user)) + todo.upto(_to_stamp(user)) + todo.upto(_letters(user))
