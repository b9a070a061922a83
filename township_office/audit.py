"""The audit helper every transition and sensitive read uses."""

import hashlib
from contextvars import ContextVar

from django.db import transaction

from . import auditchain
from .models import AuditEvent

client_address: ContextVar[str | None] = ContextVar("client_address", default=None)


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
    return event


def fingerprinted(text, label, content):
    """``text`` with "（<label>，SHA-256 <hex>）" appended: the fingerprint of ``content`` (bytes) bound into the audit
    chain for the auditors; the 流转记录 shows "（<label>）" (``AuditEvent.plain_comment``)."""
    return f"{text}（{label}，SHA-256 {hashlib.sha256(bytes(content)).hexdigest()}）"


def history(obj):
    """The timeline (流转记录) of one object, oldest first."""
    return AuditEvent.objects.filter(
        object_type=obj._meta.label_lower, object_code=str(getattr(obj, "code", obj.pk))
    ).order_by("created_at", "pk")


REDACTED = "（无权查看内容）"


def readable(events, user):
    """The events as ``user`` may read them (the audit log page, the admin): that an event happened — who, when,
    which step, on which kind of record and its code — always; the event's object text and comment only when the
    person may open that record, else ``REDACTED``. Each event gets ``kind``, ``shown_repr``, ``shown_comment``
    and ``redacted``. One query per kind of record among the events."""
    from . import visibility

    events = list(events)
    allowed = visibility.openable(user, {(e.object_type, e.object_code) for e in events if e.object_type})
    for event in events:
        hidden = bool(event.object_type) and (event.object_type, event.object_code) not in allowed
        event.kind = visibility.kind_label(event.object_type) if event.object_type else ""
        event.redacted = hidden
        event.shown_repr = REDACTED if hidden else event.object_repr
        event.shown_comment = REDACTED if hidden and event.comment else event.comment
    return events
