"""The shared state-change primitive: a conditional update that only one click can win."""

from django.db import transaction

from . import audit


class TransitionNotAllowed(Exception):
    """The record is not in a state that allows this step (or someone else moved it first)."""

    def __init__(self, message="该事项的状态已经变化（可能已被他人处理），请刷新页面后再试。"):
        super().__init__(message)
        self.message = message


def transition(obj, *, by, action, source, target, comment="", audit_action=None, on_event=None, **fields):
    """Move ``obj.status`` from one of ``source`` to ``target`` and write the audit event.

    ``filter(pk, status__in=source).update(...)`` changes exactly one row or none,
    so two people pressing at once can never both succeed. Extra ``fields`` are
    written in the same update. Call inside the workflow function, after the
    role/grant checks. ``on_event(event)`` is handed the audit event written (a step's ``run`` keeps it).
    """
    source = (source,) if isinstance(source, str) else tuple(source)
    if obj.status not in source:
        raise TransitionNotAllowed()
    model = type(obj)
    with transaction.atomic():
        changed = model._default_manager.filter(pk=obj.pk, status__in=source).update(status=target, **fields)
        if changed != 1:
            raise TransitionNotAllowed()
        from_state = obj.status
        obj.status = target
        for name, value in fields.items():
            setattr(obj, name, value)
        event = audit.record(
            audit_action or action, by=by, obj=obj, from_state=from_state, to_state=target, comment=comment
        )
        if on_event is not None:
            on_event(event)
    return obj
