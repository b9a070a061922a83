"""Matters and work items for the generated records, shaped like what the declared steps write.

The app generators insert records and their grants in bulk, without running the steps. This fills the two
work tables the way years of steps would have:
- one ``Matter`` per record of every declared flow (kind, title, URL, current state, initiator);
- per explicit grant of a step's own permission (``instruct``, ``read``, ``handle``, ``approve`` …) one work
  item for that person or department: open when the record is still in a state that step leaves from and the
  step is someone's duty (declared ``work=``; which copies of a 传阅 are unread is not in the grants), done
  (by that person, a day after the record was created) otherwise — so a leader's 已办 holds every 批示 of ten
  years, and 我的待办 the few files in flight;
- per record in a state where a role-only step is someone's work (拟办 by the office director, 复核 by the
  clerk …), one open item for each holder of that role.
Bulk inserts in batches; nothing is read per record but its own row.
"""

from datetime import timedelta

from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from guardian.utils import get_group_obj_perms_model, get_user_obj_perms_model

from township_office import steps
from township_office.models import Department, Matter, WorkItem
from township_office.roles import role_users

BATCH = 5_000


def _created(obj):
    for name in ("created_at", "registered_at", "received_at", "signed_for_at", "start"):
        value = getattr(obj, name, None)
        if value is not None and hasattr(value, "tzinfo"):
            return value
    return timezone.now()


def _matters(flow, out):
    model = flow.model
    content_type = ContentType.objects.get_for_model(model)
    done = set(Matter.objects.filter(content_type=content_type).values_list("object_id", flat=True))
    rows, created, made = [], {}, 0
    initiator = f"{flow.initiator}_id" if flow.initiator else None
    for obj in model._default_manager.order_by("pk").iterator(chunk_size=BATCH):
        when = _created(obj)
        created[obj.pk] = (when, getattr(obj, flow.status_field))
        if obj.pk in done:
            continue
        title = getattr(obj, "worklist_title", None)
        title = title() if callable(title) else title if title is not None else str(obj)
        rows.append(
            Matter(
                content_type=content_type,
                object_id=obj.pk,
                kind=flow.kind,
                title=title[:200],
                url=obj.get_absolute_url(),
                state=obj.get_status_display() if hasattr(obj, "get_status_display") else "",
                initiator_id=getattr(obj, initiator, None) if initiator else None,
                created_at=when,
                updated_at=when,
            )
        )
        if len(rows) >= BATCH:
            Matter.objects.bulk_create(rows)
            made += len(rows)
            rows = []
    Matter.objects.bulk_create(rows)
    made += len(rows)
    matter_ids = dict(Matter.objects.filter(content_type=content_type).values_list("object_id", "pk"))
    return created, matter_ids, made


def _items_from_grants(flow, created, matter_ids):
    model = flow.model
    by_perm = {}
    for step in flow:
        if step.grant and step.grant != "view":
            by_perm.setdefault(step.grant, []).append(step)
    departments = {d.group_id: d.pk for d in Department.objects.all()}
    total, rows = 0, []

    def flush():
        nonlocal rows, total
        WorkItem.objects.bulk_create(rows)
        total += len(rows)
        rows = []

    for perm, perm_steps in by_perm.items():
        codename = f"{perm}_{model._meta.model_name}"
        for table, who in (
            (get_user_obj_perms_model(model), "user_id"),
            (get_group_obj_perms_model(model), "group_id"),
        ):
            grants = table.objects.filter(permission__codename=codename).values_list("content_object_id", who)
            for object_id, holder in grants.iterator(chunk_size=BATCH):
                if object_id not in matter_ids:
                    continue
                when, state = created[object_id]
                step = next((s for s in perm_steps if state in s.source), perm_steps[0])
                open_now = state in step.source and bool(step.work)  # optional steps (已阅 …) count as done
                item = WorkItem(
                    matter_id=matter_ids[object_id],
                    step=step.name,
                    label=step.work or step.label,
                    created_at=when,
                )
                if who == "user_id":
                    item.assignee_id = holder
                    if not open_now:
                        item.done_at, item.done_by_id, item.decision = when + timedelta(days=1), holder, step.label
                else:
                    if holder not in departments or not open_now:
                        continue  # a department's finished work is in its members' 已办 through its own steps
                    item.department_id = departments[holder]
                rows.append(item)
                if len(rows) >= BATCH:
                    flush()
    flush()
    return total


def _items_from_roles(flow, created, matter_ids):
    rows = []
    for step in flow:
        if step.grant or not step.work:
            continue
        roles = step.work_roles or (step.roles if not callable(step.roles) else ())  # whose work it is
        if not roles:
            continue
        holders = list(role_users(*roles).values_list("pk", flat=True))
        for object_id, (when, state) in created.items():
            if state in step.source and object_id in matter_ids:
                rows += [
                    WorkItem(
                        matter_id=matter_ids[object_id],
                        step=step.name,
                        label=step.work,
                        assignee_id=pk,
                        created_at=when,
                    )
                    for pk in holders
                ]
    WorkItem.objects.bulk_create(rows, batch_size=BATCH)
    return len(rows)


def generate(scale, rng, out=print):
    counts = {"matters": 0, "work_items": 0}
    for flow in steps.flows():
        if flow.model._meta.app_label == "testapp":
            continue
        with transaction.atomic():
            created, matter_ids, made = _matters(flow, out)
            counts["matters"] += made
            if made:
                counts["work_items"] += _items_from_grants(flow, created, matter_ids)
                counts["work_items"] += _items_from_roles(flow, created, matter_ids)
    return counts
