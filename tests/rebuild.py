"""The open work items as a live run left them, and as ``manage.py rebuild_worklist`` derives them again.

    live, rebuilt = live_and_rebuilt()
    assert rebuilt == live

Both are the open items (who, which step, label, the record's title as 我的待办 shows it, due, urgent, kind) and each
record's Matter (kind, title, state, initiator), without ids or timestamps, in a stable order.
"""

from django.core.management import call_command

from township_office.models import Matter, WorkItem


def open_items():
    rows = WorkItem.objects.filter(done_at__isnull=True).select_related("matter", "assignee", "department")
    return sorted(  # by repr: a deadline may be None beside a date
        (
            (
                item.matter.kind,
                item.matter.title,
                item.step,
                item.label,
                item.kind,
                item.assignee.username if item.assignee else "",
                item.department.name if item.department else "",
                item.due,
                item.urgent,
            )
            for item in rows
        ),
        key=repr,
    )


def matters():
    return sorted(
        ((m.kind, m.title, m.url, m.state, m.initiator.username if m.initiator else "") for m in Matter.objects.all()),
        key=repr,
    )


def live_and_rebuilt():
    """(live, rebuilt): ``(open items, matters)`` now, then after forgetting every work item and Matter and
    running ``rebuild_worklist``."""
    live = open_items(), matters()
    WorkItem.objects.all().delete()
    Matter.objects.all().delete()
    call_command("rebuild_worklist", verbosity=0)
    return live, (open_items(), matters())


def difference(live, rebuilt):
    """What the rebuild lost and what it added, for the assertion's message."""
    lost = [row for row in live if row not in rebuilt]
    added = [row for row in rebuilt if row not in live]
    return "\n".join(["lost by the rebuild:", *map(repr, lost), "added by the rebuild:", *map(repr, added)])
