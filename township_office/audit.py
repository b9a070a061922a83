"""The audit helper every transition and sensitive read uses."""

from contextvars import ContextVar

from django.db import transaction

from . import auditchain
from .models import AuditEvent

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)
# Inside a declared step: the events it wrote (the step writes one itself when its body wrote none).
step_events: ContextVar[list | None] = ContextVar("step_events", default=None)


def record(action, *, by, obj=None, from_state="", to_state="", comment="", object_type=None):
    """Append one audit event: who, when, what, on which object, from which address."""
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_code = str(getattr(obj, "code", obj.pk))
        object_repr = str(obj)[:200]
    else:
        object_code = object_repr = ""
    actor = by if getattr(by, "is_authenticated", False) else None
    with transaction.atomic():
        # Lock the chain's head first, so that events get their ids in the order of the chain.
        head = auditchain.lock_head()
        event = AuditEvent.objects.create(
            actor=actor,
            actor_name=(actor.get_full_name() if actor else "系统")[:60],
            action=action,
            object_type=object_type or "",
            object_code=object_code,
            object_repr=object_repr,
            from_state=from_state or "",
            to_state=to_state or "",
            comment=comment or "",
            client_address=client_address.get(),
        )
        auditchain.append(head, event)  # each event carries the hash of the one before it
    written = step_events.get()
    if written is not None:
        written.append(event)
    return event


def history(obj):
    """The timeline (流转记录) of one object, oldest first."""
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_code=str(getattr(obj, "code", obj.pk))
    ).order_by("created_at", "pk")
