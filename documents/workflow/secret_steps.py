"""密件登记: the steps of one paper copy (份号) of a state-secret file.

The system keeps where each copy is, never what it says. A copy is kept by the register office (文书, 办公室主任)
after registration; it may be handed to a person (pending until that person confirms receipt), handed on by its
holder, returned to the office (pending until the office confirms), 清退 to the issuing unit, or 销毁 witnessed by
two people (the second confirms). 批示 made on the paper copy is recorded as who and when only.

Whoever is named by a step (receiver, witness) is granted ``view`` on the copy and its entry: the register is
visible to the office, and to each person for the copies they hold or held.
"""

from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions, steps
from township_office.roles import role_users
from township_office.steps import Refused

from ..models import SecretCopy, SecretCopyEvent, SecretEntry
from ..permissions import REGISTER_KEEPERS, keeps_register
from ..secret_forms import ClearForm, DestroyForm, HandOverForm, InstructionForm

Copy = SecretCopy.Status
Event = SecretCopyEvent.Kind
KIND = "密件"


def _reassign_secret(copy, item, old, new):
    """转交 of a confirmation by the office director: the copy now waits for the new person."""
    if item.step in ("confirm", "confirm_destruction") and getattr(new, "pk", None):
        if item.step == "confirm_destruction" and new.pk == copy.pending_by_id:
            raise Refused("监销人不能是发起销毁的人。")
        SecretCopy.objects.filter(pk=copy.pk).update(pending_to=new)
        copy.pending_to = new
        _let_see(copy, new)


secret = steps.Flow(
    SecretCopy,
    initiator=lambda copy: copy.entry.registered_by,
    kind=KIND,
    url_name="documents:secret_copy_step",
    on_reassign=_reassign_secret,
    start=steps.Start(
        "登记密件", "documents:secret_register", REGISTER_KEEPERS, refusal="只有文书或办公室主任可以登记密件。"
    ),
)


def _office():
    return list(role_users(*REGISTER_KEEPERS))


def _let_see(copy, user):
    permissions.grant(copy, "view", users=[user])
    permissions.grant(copy.entry, "view", users=[user])


def _record(copy, kind, *, by, person=None, at=None, recipient=""):
    return SecretCopyEvent.objects.create(
        copy=copy, kind=kind, actor=by, person=person, at=at or timezone.now(), recipient=recipient
    )


def _move(run, *, target=None, comment="", **fields):
    """The state change of the running step, with the copy's own fields and its last-change time."""
    run.advance(target, comment=comment, updated_at=timezone.now(), **fields)


def _title(copy):
    return copy.worklist_title()


# --- Registration (not a step: it creates the entry and its copies) -----------------------------------------


@transaction.atomic
def register(*, by, data, copy_numbers):
    """登记密件: the entry, one row per copy (kept by the office), and each copy's Matter for 我的待办."""
    secret.start.require(by)
    received = data.get("received_at") or timezone.now()
    year = timezone.localtime(received).year
    entry = SecretEntry(
        **data,
        year=year,
        serial=get_next_value(f"documents.secret.{year}"),
        registered_by=by,
    )
    if not entry.title_not_secret:
        entry.title = ""
    entry.save()
    copies = [SecretCopy(entry=entry, copy_number=number, updated_at=entry.registered_at) for number in copy_numbers]
    SecretCopy.objects.bulk_create(copies)
    copies = list(entry.copy_set.order_by("pk"))
    SecretCopyEvent.objects.bulk_create(
        [SecretCopyEvent(copy=c, kind=Event.REGISTERED, actor=by, at=entry.registered_at) for c in copies]
    )
    audit.record(
        "登记密件",
        by=by,
        obj=entry,
        to_state=entry.status,
        comment=f"{entry.get_secrecy_display()}，{entry.copies}份（份号 {'、'.join(copy_numbers)}）",
    )
    for copy in copies:
        copy.entry = entry
        secret.begin(copy, by=by, title=_title(copy))
    return entry


# --- Who may act on a copy -----------------------------------------------------------------------------------


def _holder_rule(copy, user):
    """The copy's holder hands it on: the office (文书, 办公室主任) for a copy it keeps, else the person."""
    if copy.holder_id is None:
        if not keeps_register(user):
            return "该份密件由办公室保管，只有文书或办公室主任可以移交。"
        return None
    if copy.holder_id != user.pk:
        return "该份密件不在您手中，不能移交。"
    return None


def _handover_giver_rule(copy, user):
    if copy.pending_by_id == user.pk or (copy.holder_id is None and keeps_register(user)):
        return None
    if copy.holder_id == user.pk:
        return None
    return "只有移交人可以撤回移交。"


def _receiver_rule(copy, user):
    if copy.pending_to_id != user.pk:
        name = copy.pending_to.full_name if copy.pending_to_id else "接收人"
        return f"只有接收人{name}本人可以确认接收。"
    return None


def _instruction_rule(copy, user):
    if keeps_register(user) or (copy.holder_id and copy.holder_id == user.pk):
        return None
    return "只有持有人或办公室可以登记该份密件的批示。"


def _returner_rule(copy, user):
    if copy.holder_id != user.pk:
        return "该份密件不在您手中，不能退回。"
    return None


def _witness_rule(copy, user):
    if copy.pending_by_id == user.pk:
        return "销毁须两人共同监销：发起销毁的人不能再作监销人确认。"
    if copy.pending_to_id != user.pk:
        name = copy.pending_to.full_name if copy.pending_to_id else "监销人"
        return f"只有监销人{name}本人可以确认销毁。"
    return None


def _close_entry_if_done(run, copy):
    """The entry is 已清退或销毁 once none of its copies is left."""
    entry = copy.entry
    left = SecretCopy.objects.filter(entry=entry).exclude(status__in=[Copy.CLEARED, Copy.DESTROYED]).exists()
    if not left and entry.status != SecretEntry.Status.CLOSED:
        SecretEntry.objects.filter(pk=entry.pk).update(status=SecretEntry.Status.CLOSED)
        entry.status = SecretEntry.Status.CLOSED
        run.audit("密件全部清退或销毁", obj=entry, to_state=entry.status)


# --- The steps --------------------------------------------------------------------------------------------


@secret.step(
    "移交",
    source=[Copy.AT_OFFICE, Copy.HELD],
    target=Copy.HANDOVER,
    rule=_holder_rule,
    form=HandOverForm,
    success="已移交，待对方确认接收。",
)
def hand_over(run, copy, *, to):
    if not to.is_active:
        raise Refused(f"{to} 的账号已停用，不能移交。")
    if to.pk == run.by.pk or to.pk == copy.holder_id:
        raise Refused("不能移交给持有人自己。")
    _move(run, comment=f"交给{to.full_name}", pending_to=to, pending_by=run.by)
    _record(copy, Event.HANDED_OVER, by=run.by, person=to)
    _let_see(copy, to)
    run.hand_to("confirm", users=[to], notify=f"确认接收密件：{_title(copy)}")


@secret.step(
    "撤回移交",
    source=[Copy.HANDOVER],
    target=[Copy.AT_OFFICE, Copy.HELD],
    rule=_handover_giver_rule,
    style="secondary",
    success="移交已撤回。",
)
def withdraw_handover(run, copy):
    receiver = copy.pending_to
    _move(
        run,
        target=Copy.HELD if copy.holder_id else Copy.AT_OFFICE,
        comment=f"未交给{receiver.full_name}" if receiver else "",
        pending_to=None,
        pending_by=None,
    )
    _record(copy, Event.HANDOVER_WITHDRAWN, by=run.by, person=receiver)
    if (
        receiver is not None
        and not SecretCopyEvent.objects.filter(copy=copy, kind=Event.RECEIVED, actor=receiver).exists()
    ):  # never held it: the copy is not theirs to see
        permissions.revoke(copy, "view", users=[receiver])
        if not permissions.visible(receiver, SecretCopy.objects.filter(entry=copy.entry_id), "view").exists():
            permissions.revoke(copy.entry, "view", users=[receiver])


def _pending_person(copy):
    """确认接收's and 确认销毁's work: the person the copy waits for (the receiver, the witness)."""
    return [steps.Duty(users=[copy.pending_to])] if copy.pending_to_id else []


@secret.step(
    "确认接收",
    work="确认接收密件",
    urgent=True,  # a paper secret copy on its way between two people
    holders=_pending_person,
    source=[Copy.HANDOVER],
    target=Copy.HELD,
    rule=_receiver_rule,
    confirm="确认已当面收到该份纸质密件？",
    success="已确认接收，该份密件由您保管。",
)
def confirm(run, copy):
    _move(run, holder=run.by, pending_to=None, pending_by=None)
    _record(copy, Event.RECEIVED, by=run.by)


@secret.step(
    "登记纸质批示",
    source=[Copy.AT_OFFICE, Copy.HELD, Copy.HANDOVER, Copy.RETURNING],
    rule=_instruction_rule,
    form=InstructionForm,
    style="secondary",
    success="已登记批示人和批示时间（批示内容留在纸质件上）。",
)
def record_instruction(run, copy, *, leader, at):
    if not keeps_register(run.by) and leader.pk != run.by.pk:
        raise Refused("持有人只能登记本人的批示。", forbidden=True)
    _record(copy, Event.INSTRUCTED, by=run.by, person=leader, at=at)
    run.audit(
        comment=f"{leader.full_name}于{timezone.localtime(at):%Y年%m月%d日 %H:%M}批示（内容见纸质件）",
    )


@secret.step(
    "退回办公室",
    source=[Copy.HELD],
    target=Copy.RETURNING,
    rule=_returner_rule,
    success="已退回，待办公室确认收到。",
)
def give_back(run, copy):
    _move(run, pending_by=run.by)
    _record(copy, Event.RETURNED, by=run.by)
    run.hand_to("confirm_return", users=_office(), notify=f"确认收到退回密件：{_title(copy)}")


@secret.step(
    "确认退回",
    work="确认退回密件",
    urgent=True,
    source=[Copy.RETURNING],
    target=Copy.AT_OFFICE,
    roles=REGISTER_KEEPERS,
    everyone=True,
    confirm="确认已收到退回的纸质密件？",
    success="已确认收到，该份密件由办公室保管。",
)
def confirm_return(run, copy):
    returner = copy.holder
    _move(run, holder=None, pending_by=None, comment=f"{returner.full_name}退回" if returner else "")
    _record(copy, Event.RETURN_RECEIVED, by=run.by, person=returner)


@secret.step(
    "清退",
    source=[Copy.AT_OFFICE],
    target=Copy.CLEARED,
    roles=REGISTER_KEEPERS,
    form=ClearForm,
    style="danger",
    confirm="清退后该份密件不再由本单位保管，确定清退吗？",
    success="已登记清退。",
)
def clear(run, copy, *, recipient, at):
    if not recipient.strip():
        raise Refused("请填写退交单位及接收人。")
    _move(run, comment=f"退交{recipient.strip()}")
    _record(copy, Event.CLEARED, by=run.by, at=at, recipient=recipient.strip())
    _close_entry_if_done(run, copy)


@secret.step(
    "销毁",
    source=[Copy.AT_OFFICE],
    target=Copy.DESTROYING,
    roles=REGISTER_KEEPERS,
    form=DestroyForm,
    style="danger",
    success="已登记销毁，待监销人确认。",
)
def destroy(run, copy, *, witness):
    if witness.pk == run.by.pk:
        raise Refused("销毁须两人共同监销：监销人不能是您本人。")
    if not witness.is_active:
        raise Refused(f"{witness} 的账号已停用，不能作监销人。")
    _move(run, comment=f"监销人{witness.full_name}", pending_to=witness, pending_by=run.by)
    _record(copy, Event.DESTRUCTION_STARTED, by=run.by, person=witness)
    _let_see(copy, witness)
    run.hand_to("confirm_destruction", users=[witness], notify=f"请确认监销密件：{_title(copy)}")


@secret.step(
    "确认销毁",
    work="监销确认",
    urgent=False,
    holders=_pending_person,
    source=[Copy.DESTROYING],
    target=Copy.DESTROYED,
    rule=_witness_rule,
    style="danger",
    confirm="确认您在场监督该份纸质密件已销毁？",
    success="已确认销毁。",
)
def confirm_destruction(run, copy):
    first = copy.pending_by
    _move(run, comment=f"{first.full_name}、{run.by.full_name}共同监销", pending_to=None)
    _record(copy, Event.DESTROYED, by=run.by, person=first)
    _close_entry_if_done(run, copy)


@secret.step(
    "撤回销毁",
    source=[Copy.DESTROYING],
    target=Copy.AT_OFFICE,
    roles=REGISTER_KEEPERS,
    style="secondary",
    success="销毁已撤回，该份密件仍由办公室保管。",
)
def withdraw_destruction(run, copy):
    witness = copy.pending_to
    _move(run, pending_to=None, pending_by=None)
    _record(copy, Event.DESTRUCTION_WITHDRAWN, by=run.by, person=witness)


def overdue_copies(today):
    """Copies of entries whose 应退还日期 has passed and that are neither 清退 nor 销毁."""
    return (
        SecretCopy.objects.filter(entry__return_by__lt=today)
        .exclude(status__in=[Copy.CLEARED, Copy.DESTROYED])
        .select_related("entry", "holder")
        .order_by("entry_id", "pk")
    )


def chase_targets(copy):
    """Who is reminded of an overdue copy: its holder (or the person it waits for) and the register office."""
    people = _office()
    for person in (copy.holder, copy.pending_to):
        if person is not None and person.is_active:
            people.append(person)
    return people
