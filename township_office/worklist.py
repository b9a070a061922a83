"""Work items: who must act on which record, by which step; what each person did; what each person started.

The low layer under the steps: apps never call it from a step body, they act through their ``run``
(``steps.Run``: ``run.hand_to(next_step, …)`` gives the grant and the item labelled as that step declares;
``flow.begin(obj, by=…)`` tracks a new record). What it keeps:

    track(document, kind="收文", initiator=by)                  # the record's Matter (我发起的)
    assign(document, "instruct", label=…, users=leaders, due=…)  # open items (Run.hand_to passes the label)
    finish / withdraw / settle                                   # items closed (the step wrapper does most)

我的待办, 已办, 我发起的 and 待阅 read these two tables and nothing else.
"""

import logging
import time

from django.contrib.contenttypes.models import ContentType
from django.core.cache import cache
from django.db.models import F, Q
from django.utils import timezone

from .models import Matter, Notification, User, WorkItem

logger = logging.getLogger(__name__)
Kind = WorkItem.Kind


def _key(obj):
    return ContentType.objects.get_for_model(type(obj)), obj.pk


def _state_label(obj):
    display = getattr(obj, "get_status_display", None)
    return display() if display else ""


def _title(obj):
    title = getattr(obj, "worklist_title", None)
    return str(title() if callable(title) else title if title is not None else obj)[:200]


def track(obj, *, kind, initiator=None, title=None):
    """The record's Matter, created on first use (kind: 收文, 发文, 用印申请, …) and brought up to date."""
    content_type, object_id = _key(obj)
    values = {
        "kind": kind,
        "title": (title or _title(obj))[:200],
        "url": obj.get_absolute_url(),
        "state": _state_label(obj),
        "updated_at": timezone.now(),
    }
    matter, created = Matter.objects.get_or_create(
        content_type=content_type, object_id=object_id, defaults={**values, "initiator": initiator}
    )
    if not created:
        if initiator is not None and matter.initiator_id is None:
            values["initiator"] = initiator
        Matter.objects.filter(pk=matter.pk).update(**values)
        for name, value in values.items():
            setattr(matter, name, value)
    obj._matter = matter
    return matter


def matter_of(obj):
    """The record's Matter, or None when it was never tracked."""
    cached = getattr(obj, "_matter", None)
    if cached is not None:
        return cached
    content_type, object_id = _key(obj)
    matter = Matter.objects.filter(content_type=content_type, object_id=object_id).first()
    if matter is not None:
        obj._matter = matter
    return matter


def tracked_ids(model):
    """The pks of ``model``'s records that have a Matter."""
    content_type = ContentType.objects.get_for_model(model)
    return Matter.objects.filter(content_type=content_type).values_list("object_id", flat=True)


def _matter(obj):
    matter = matter_of(obj)
    if matter is None:
        raise LookupError(f"{type(obj).__name__} {obj.pk} 没有登记为事项：先调用 worklist.track()")
    return matter


def touch(obj, *, title=None):
    """After a step or an edit: the Matter shows the record as it is now — its state, and its title as
    ``worklist_title()`` (or ``str``) reads it, number and all — so that every item of it on 我的待办 does too."""
    matter = matter_of(obj)
    if matter is None:
        return
    values = {
        "state": _state_label(obj),
        "updated_at": timezone.now(),
        "url": obj.get_absolute_url(),
        "title": (title if title is not None else _title(obj))[:200],
    }
    Matter.objects.filter(pk=matter.pk).update(**values)  # items read the title through their matter
    for name, value in values.items():
        setattr(matter, name, value)


def assign(obj, step, *, label, users=(), departments=(), due=None, urgent=False, kind=Kind.ACT, notify=None, body=""):
    """Open one item per person and per department for ``step`` (none twice: an open item is kept).

    ``notify``: the title of the in-app notification each person (each member, for a department) receives
    with it; the notification clears itself once the item is done.
    """
    matter = _matter(obj)
    open_items = WorkItem.objects.filter(matter=matter, step=step, done_at__isnull=True)
    have = list(open_items.values_list("pk", "assignee_id", "department_id"))
    have_users = {a for _, a, _ in have if a}
    have_departments = {d for _, _, d in have if d}
    now = timezone.now()
    common = {"matter": matter, "step": step, "label": label, "kind": kind, "due": due, "urgent": urgent}
    created = []
    for user in {u.pk: u for u in users if u is not None}.values():
        if user.pk not in have_users:
            created.append(WorkItem(assignee=user, created_at=now, **common))
    for department in {d.pk: d for d in departments if d is not None}.values():
        if department.pk not in have_departments:
            created.append(WorkItem(department=department, created_at=now, **common))
    WorkItem.objects.bulk_create(created)
    if notify and created:
        rows = []
        for item in created:
            if item.assignee_id:
                recipients = [item.assignee_id]
            else:
                recipients = User.objects.filter(department=item.department_id, is_active=True).values_list(
                    "pk", flat=True
                )
            rows += [
                Notification(recipient_id=pk, title=notify[:200], body=body, url=matter.url, work_item=item)
                for pk in recipients
            ]
        Notification.objects.bulk_create(rows)
    _forget([item.assignee_id for item in created], [item.department_id for item in created])
    return created


def open_items(obj, step=None):
    """The record's open items (of one step, if given)."""
    matter = matter_of(obj)
    if matter is None:
        return WorkItem.objects.none()
    items = WorkItem.objects.filter(matter=matter, done_at__isnull=True)
    return items.filter(step=step) if step else items


def open_items_shown(obj):
    """The record's open items as its page lists them (with who holds each), oldest first: one query, the
    Matter read through the join and kept on the record (``matter_of`` then asks nothing more)."""
    matter = getattr(obj, "_matter", None)
    if matter is not None:
        items = WorkItem.objects.filter(matter=matter)
    else:
        content_type, object_id = _key(obj)
        items = WorkItem.objects.filter(matter__content_type=content_type, matter__object_id=object_id)
    items = list(
        items.filter(done_at__isnull=True)
        .select_related("matter", "assignee", "department")
        .order_by("created_at", "pk")
    )
    if items and matter is None:
        obj._matter = items[0].matter
    elif matter is not None:
        for item in items:
            item.matter = matter
    return items


def _close(items, *, by, decision, closed=None, credit=True):
    """Close ``items`` as decided by ``by`` (the decision names what happened).

    Only the person's own items (their own or their department's: work they did themselves) are closed as done
    *by* them, and only with ``credit``; the others close with no one as 实际办理人 — one 主要领导's approval closes
    the other's item, but 已办 lists it only for who approved. ``closed``: a list that receives the pks of the
    person's own items among them."""
    now = timezone.now()
    items = list(items.values_list("pk", "assignee_id", "department_id"))
    if not items:
        return 0
    pks = [pk for pk, _, _ in items]
    own = []
    if getattr(by, "is_authenticated", False):
        department = getattr(by, "department_id", None)
        own = [pk for pk, a, d in items if a == by.pk or (department and d == department)]
    if closed is not None:
        closed.extend(own)
    credited = own if credit else []
    rows = WorkItem.objects.filter(done_at__isnull=True)
    rows.filter(pk__in=credited).update(done_at=now, done_by=by, decision=decision[:200])
    rows.filter(pk__in=[pk for pk in pks if pk not in set(credited)]).update(
        done_at=now, done_by=None, decision=decision[:200]
    )
    Notification.objects.filter(work_item__in=pks, read_at__isnull=True).update(read_at=now)
    _forget([a for _, a, _ in items], [d for _, _, d in items])
    return len(pks)


def mine(obj, step, user):
    """The user's open items of ``step`` on ``obj`` (their own, or their department's)."""
    who = Q(assignee=user.pk)
    if getattr(user, "department_id", None):
        who |= Q(department=user.department_id)
    return open_items(obj, step).filter(who)


def finish(obj, step, *, by, decision="", everyone=False, among=None, closed=None):
    """``by`` has taken ``step``: close their open item of it (their own, or their department's).

    ``everyone=True`` closes every open item of the step, whoever held it: one office director's 拟办 is
    the office's. ``among``: only these items (those that waited before the step ran). Returns how many closed.
    """
    if everyone:
        items = open_items(obj, step)
    else:
        items = mine(obj, step, by) if getattr(by, "pk", None) else WorkItem.objects.none()
    if among is not None and not everyone:
        items = items.filter(pk__in=among)
    return _close(items, by=by, decision=decision, closed=closed)


def record_done(obj, step, *, by, label, decision=None):
    """A step taken with no item waiting for it (an office step anyone of the office may take): one closed item,
    so that 已办 lists everything the person did."""
    matter = matter_of(obj)
    if matter is None or not getattr(by, "is_authenticated", False):
        return None
    now = timezone.now()
    return WorkItem.objects.create(
        matter=matter,
        step=step,
        label=label,
        assignee=by,
        created_at=now,
        done_at=now,
        done_by=by,
        decision=(decision or label)[:200],
    )


def withdraw(obj, step, *, by, users=(), departments=(), decision="已撤回", closed=None):
    """Some people leave a step (removed from a plan, reassigned, 撤回): their open items close unanswered."""
    who = Q(pk__in=[])
    if users:
        who |= Q(assignee__in=[u.pk for u in users])
    if departments:
        who |= Q(department__in=[d.pk for d in departments])
    return _close(open_items(obj, step).filter(who), by=by, decision=decision, closed=closed)


def settle(obj, *, by, still_open, decision):
    """Close every open item whose step can no longer be taken from the record's state (``still_open(step)``
    says whether it can); what the state change made moot is no one's work any more."""
    items = open_items(obj)
    steps = set(items.values_list("step", flat=True))
    moot = [step for step in steps if not still_open(step)]
    if moot:  # nobody's work done: closed, in nobody's 已办
        _close(items.filter(step__in=moot), by=by, decision=decision, credit=False)


# A cache that fails (Redis down) is left alone this long: meanwhile every page counts afresh, none waits.
PAUSE_AFTER_FAILURE = 15
_failed_at = 0.0


def _count_cache(operation, *args):
    """``cache.<operation>(*args)`` on the shared cache (``CACHES``), or None when it fails (and for
    PAUSE_AFTER_FAILURE after that): a cache outage costs a fresh count, never a step or a page."""
    global _failed_at
    if time.monotonic() - _failed_at < PAUSE_AFTER_FAILURE:
        return None
    try:
        return getattr(cache, operation)(*args)
    except Exception as exc:  # noqa: BLE001 - a cache outage must not turn every page into an error
        _failed_at = time.monotonic()
        logger.warning("worklist: cache unavailable, counting afresh: %s", exc.__class__.__name__)
        return None


def count_key(user_id):
    """The cache key of the person's 待办 count (``todo.total``)."""
    return f"todo-total:{user_id}"


def cached_count(user_id):
    return _count_cache("get", count_key(user_id))


def keep_count(user_id, value, seconds):
    _count_cache("set", count_key(user_id), value, seconds)


def forget_counts(*user_ids):
    """The 待办 count of these people is read afresh next time: something was given to them or done."""
    _count_cache("delete_many", [count_key(uid) for uid in user_ids])


def _forget(user_ids, department_ids):
    ids = {uid for uid in user_ids if uid}
    departments = {d for d in department_ids if d}
    if departments:
        ids |= set(User.objects.filter(department__in=departments).values_list("pk", flat=True))
    if ids:
        forget_counts(*ids)


# --- What the home page reads ------------------------------------------------------------------------------


def _for(user):
    mine = Q(assignee=user.pk)
    if getattr(user, "department_id", None):
        mine |= Q(department=user.department_id)
    return mine


WAITING_ORDER = ("due_order", "-urgent", "created_at", "pk")  # by deadline (none last), urgent first, oldest first


def waiting(user, kind=Kind.ACT, *, first=None):
    """Open items for the user (their own and their department's), most pressing first.

    ``first``: only the first rows are wanted (a page of 我的待办, 下一件). Then the person's items and the
    department's are each read in order off their own index, ``first`` of each, and merged: an office director
    with fifty thousand open items (every finished file waits for 归档) is not sorted in full for thirty rows.
    The rows, their order and a count up to ``first`` are the same as without it.
    """
    rows = WorkItem.objects.select_related("matter", "department").order_by(*WAITING_ORDER)
    department = getattr(user, "department_id", None)
    if first is None or not department:
        return rows.filter(_for(user), kind=kind, done_at__isnull=True)
    open_items = WorkItem.objects.filter(kind=kind, done_at__isnull=True).order_by(*WAITING_ORDER).values("pk")
    # Each branch's LIMIT sits in a subquery of its own: SQLite allows none on a member of a UNION.
    branches = [
        WorkItem.objects.filter(pk__in=open_items.filter(**{field: value})[:first]).values("pk")
        for field, value in (("assignee", user.pk), ("department", department))
    ]
    return rows.filter(pk__in=branches[0].union(branches[1]))


def waiting_all(user):
    """Every open item for the user, to act on or to read (the navigation's count)."""
    return WorkItem.objects.filter(_for(user), done_at__isnull=True)


def done_by(user):
    """已办: what the user did, latest first — one line per step taken (items closed as done by them, see _close)."""
    return (
        WorkItem.objects.filter(done_by=user.pk, done_at__isnull=False)
        .select_related("matter")
        .order_by("-done_at", "-pk")
    )


def started_by(user):
    """我发起的: what the user started, where each stands now."""
    return Matter.objects.filter(initiator=user.pk).order_by("-updated_at", "-pk")


def read_items(user):
    """待阅/传阅: what the user only reads, unread first."""
    return (
        WorkItem.objects.filter(_for(user), kind=Kind.READ)
        .select_related("matter", "department")
        .order_by(F("done_at").desc(nulls_first=True), "-created_at", "-pk")
    )
