"""Steps declared once: who may take which step of a workflow, from which state, with which form.

Each app's ``workflow.py`` declares its steps on a ``Flow``::

    incoming = steps.Flow(IncomingDocument, kind="收文", url_name="documents:incoming_step")

    @incoming.step(
        "拟办",
        source=[In.REGISTERED],
        target=[In.INSTRUCTING, In.HANDLING],
        roles=[Role.OFFICE_DIRECTOR],
        form=ProposalForm,
    )
    def propose(document, *, by, proposal, leaders, ...):
        steps.advance(document, by=by, target=..., comment=proposal, proposal=proposal)
        ...

The declaration is the only home of "may this person take this step now": ``flow.available(obj, user)``
lists the steps a person may take (the buttons and forms a page shows), and calling the step checks the
same declaration first, inside the step's transaction, with the record's state read afresh. Whatever the
page would not offer, the call refuses, and a refused step changes nothing.

A step runs in one transaction: the state change (``advance``), the audit event, grants, work items and
notifications commit together or not at all. When the body returns, the person's own work item for the
step closes, every item the new state made moot closes, and the record's Matter shows the new state.

Why not django-fsm-2: its transitions live on the model and check only a per-transition permission
callable; here the check needs the object grant, the state read under the transaction and a Chinese reason
for each refusal, and several steps choose their target state from their input (拟办 goes to 待批示 or 办理).
The conditional update in ``workflow.transition`` gives the same protection as ConcurrentTransitionMixin.
"""

import functools
import inspect
from dataclasses import dataclass, field

from django import forms
from django.core.exceptions import ImproperlyConfigured, PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils.functional import SimpleLazyObject

from . import audit, notifications, permissions, worklist
from .models import Department, User, WorkItem
from .roles import Role, has_role, role_users
from .workflow import TransitionNotAllowed, transition

__all__ = [
    "Duty",
    "Flow",
    "Start",
    "Step",
    "StepForm",
    "Refused",
    "cached",
    "flow_for",
    "forget",
    "starts",
]


class Refused(TransitionNotAllowed):
    """A step was refused, with the reason in Chinese.

    ``forbidden``: the person may not take this step (403); otherwise the state or the input does not allow
    it (400). ``keeps_changes``: the refusal itself changed something that must stay (a seal approval voided
    because the file changed): the step's transaction commits, then the refusal is shown with its reason.
    """

    def __init__(self, message, *, forbidden=False, keeps_changes=False):
        super().__init__(message)
        self.forbidden = forbidden
        self.keeps_changes = keeps_changes


class StepForm(forms.Form):
    """A step's form: it knows the record and the person, and turns its data into the step's arguments."""

    def __init__(self, *args, obj=None, user=None, **kwargs):
        self.obj = obj
        self.user = user
        super().__init__(*args, **kwargs)

    def arguments(self):
        return dict(self.cleaned_data)


@dataclass(frozen=True)
class Step:
    name: str
    label: str
    source: tuple
    target: tuple = ()
    roles: object = ()  # a tuple of roles, or a function of the record returning one
    grant: str | None = None  # the object permission the person must hold on the record
    rule: object = None  # rule(obj, user) → None, or the Chinese reason it is refused (403), or a Refused
    form: type | None = None
    confirm: object = ""  # asked before an irreversible step: a text, or confirm(obj) returning one
    success: object = ""  # the message once taken: a text, or success(obj) returning one (read after the step)
    style: str = "primary"  # primary, secondary, danger
    everyone: bool = False  # taking it closes everyone's item of it, not only the person's own
    # the label of the work item of someone who must take it ("待批示"), or work(obj) returning one; "" for steps
    # nobody is asked to take
    work: object = ""
    reading: bool = False  # its work items are 待阅 (to read), not 待办
    # whose work it is when fewer than may take it: 归档 is the clerk's work, though the office director may take it
    work_roles: tuple = ()
    refusal: str = ""  # the reason shown when role or grant is missing
    # The work item's deadline and urgency when they follow from the record: due(obj) → a date or None, urgent(obj) →
    # a bool (default: the record's own ``is_urgent``). ``run.hand_to`` and the rebuild (``Flow.work_now``) read them.
    due: object = None
    urgent: object = None
    # Who holds the step's work now, when neither its grant nor its roles say it (the person who registered a
    # contact, the materials' departments): holders(obj) → [Duty]. Read by ``Flow.work_now`` only.
    holders: object = None
    flow: object = field(default=None, compare=False, repr=False)
    func: object = field(default=None, compare=False, repr=False)

    def roles_for(self, obj):
        return tuple(self.roles(obj) if callable(self.roles) else self.roles)

    def workers_for(self, obj):
        """The roles whose holders are given the step's work item (``work_roles``, else every role that may)."""
        return tuple(self.work_roles) or self.roles_for(obj)

    def work_for(self, obj):
        """The label of this step's work item on ``obj`` (the step's own label when it declares no work)."""
        work = self.work(obj) if callable(self.work) else self.work
        return work or self.label

    def item_label(self, obj, detail=""):
        """The label of one work item of this step (``work=``, with ``：detail`` for one of several on a record)."""
        label = self.work_for(obj)
        return f"{label}：{detail}"[:40] if detail else label

    def due_for(self, obj):
        return self.due(obj) if self.due is not None else None

    def urgent_for(self, obj):
        if self.urgent is None:
            return bool(getattr(obj, "is_urgent", False))
        return bool(self.urgent(obj) if callable(self.urgent) else self.urgent)

    def url(self, obj):
        return reverse(self.flow.url_name, args=[obj.code, self.name])

    def confirm_for(self, obj):
        return self.confirm(obj) if callable(self.confirm) else self.confirm

    def success_for(self, obj):
        return self.success(obj) if callable(self.success) else self.success

    def __call__(self, obj, *, by, **kwargs):
        return self.func(obj, by=by, **kwargs)


@dataclass
class Duty:
    """Who holds one piece of a step's work now (``Step.holders``, ``Flow.duties``): people and departments, and,
    for one of the flow's own items (one per material), its ``key`` and the ``detail`` its label ends with. ``due``:
    this item's own deadline (default: the step's)."""

    users: list = field(default_factory=list)
    departments: list = field(default_factory=list)
    key: str | None = None
    detail: str = ""
    due: object = None


@dataclass(frozen=True)
class Start:
    """Starting a new record of a flow (申请用印, 登记来访, 登记接待): who may, declared once on the Flow. The list's
    button (``starts()``), the quick-create button on 我的待办 (the app registers it with these roles) and the check
    of the create view (``require``) all read it."""

    label: str
    url_name: str
    roles: tuple
    refusal: str = ""
    rule: object = None  # rule(user) → None, or the Chinese reason a person of those roles may not (no department)

    def reason(self, user):
        """None when ``user`` may start a record; otherwise why not."""
        if not getattr(user, "is_authenticated", False) or not has_role(user, *self.roles):
            return self.refusal or f"只有{_role_names(self.roles)}可以{self.label}。"
        return self.rule(user) if self.rule is not None else None

    def allows(self, user):
        return self.reason(user) is None

    def require(self, user):
        """PermissionDenied (403) with the reason unless ``user`` may start a record."""
        reason = self.reason(user)
        if reason is not None:
            raise PermissionDenied(reason)

    @property
    def url(self):
        return reverse(self.url_name)


def starts(user, *flows):
    """[(label, url)] of the records ``user`` may start among ``flows`` (the buttons at the head of a list)."""
    return [(flow.start.label, flow.start.url) for flow in flows if flow.start and flow.start.allows(user)]


class Run:
    """One taking of a step: what its body acts through, and what the step wrapper reads afterwards.

    The body is called as ``body(run, obj, **arguments)`` inside the step's transaction, after the declaration's
    check. Everything it does beyond its own records goes through ``run``:

    - ``run.advance(target, comment=…, **fields)``: the state change (and its audit event), from the step's source;
    - ``run.hand_to(next_step, users=…, departments=…, due=…)``: who must take ``next_step`` now — the work item's
      label comes from that step's ``work=`` and the object permission from its ``grant=``;
    - ``run.withdraw(step, users=…)``, ``run.finish(step)``: items closed unanswered, or as done by the person;
    - ``run.audit(comment=…)``, ``run.notify(users, title)``.

    When the body returns, ``close()`` writes the step's audit event if the body wrote none, closes the person's
    own item (unless the body gave it to them again), the items the new state made moot, and brings the record's
    Matter up to date (title, number, state, urgency) — all in the same transaction.
    """

    def __init__(self, flow, step, obj, by):
        self.flow = flow
        self.step = step
        self.obj = obj
        self.by = by
        self.events = []  # the audit events the body wrote
        self.kept = set()  # open items given again to who already held them: they stay open after the step
        self.closed = []  # items of the person's own the body closed as done (then 已办 already shows the step)
        self.pending = None  # a Refused(keeps_changes=True): raised once the step's changes committed

    # --- The record's state --------------------------------------------------------------------------------

    def advance(self, target=None, *, comment="", source=None, obj=None, **fields):
        """Move the record to ``target`` (default: the step's only target), from the step's declared source states,
        writing the audit event named after the step (see ``workflow.transition``). ``obj``: another record of
        the same flow the step moves with it (a copy of the same entry)."""
        step = self.step
        if target is None:
            if len(step.target) != 1:
                raise RuntimeError(f"step {step.name} declares {len(step.target)} targets: pass one to advance()")
            target = step.target[0]
        elif step.target and target not in step.target:
            raise RuntimeError(f"step {step.name} does not lead to {target}")
        moved = transition(
            obj or self.obj,
            by=self.by,
            action=step.label,
            source=source or step.source,
            target=target,
            comment=comment,
            on_event=self.events.append,
            **fields,
        )
        return moved

    # --- The audit trail and the people told -------------------------------------------------------------

    def audit(self, action=None, *, comment="", obj=None, to_state=""):
        """An audit event of the step (named after it unless ``action`` says otherwise)."""
        event = audit.record(
            action or self.step.label, by=self.by, obj=obj or self.obj, comment=comment, to_state=to_state
        )
        self.events.append(event)
        return event

    def notify(self, users, title, *, body="", url=None, obj=None):
        """In-app notifications about the record (or ``obj``), in the step's transaction."""
        target = obj or self.obj
        notifications.notify(users, title, url=target.get_absolute_url() if url is None else url, body=body)

    # --- Who must act next ---------------------------------------------------------------------------------

    def _step(self, step, obj):
        if isinstance(step, Step):
            return step
        flow = flow_for(obj) if obj is not self.obj else self.flow
        return flow[step]

    def hand_to(
        self,
        step,
        *,
        users=(),
        departments=(),
        due=None,
        urgent=None,
        notify="",
        body="",
        exclusive=True,
        share=None,
        obj=None,
        key=None,
        detail="",
    ):
        """``step`` (a Step or its name) is now the work of these people and departments.

        - the step's object permission (``grant=``): exactly they hold it afterwards (``exclusive``; whoever held it
          before loses it, also when nobody is named), or they are added to its holders (``exclusive=False``);
        - they may read the record: ``view`` is added when the step has a grant, or when ``share=True`` (a step
          whose rule, not a grant, names them: the custodians of the seal);
        - each gets a work item labelled with the step's ``work=`` (``：detail`` appended), due and urgent as the
          step declares (``due=``, ``urgent=``; by default when the record is urgent; the arguments override), and a
          notification titled ``notify``. ``key``: the item's name when it is one
          of the flow's own items (``own_items``: one per material), closed by ``step``.
        Returns the items opened."""
        obj = self.obj if obj is None else obj
        step = self._step(step, obj)
        flow = step.flow
        name = key or step.name
        if key is not None and not key.startswith(flow.own_items):
            raise ValueError(f"{key!r} is not one of the {flow.kind} flow's own items")
        users = [u for u in users if u is not None]
        departments = [d for d in departments if d is not None]
        if step.grant:
            if exclusive:
                permissions.set_grants(obj, step.grant, users=users, departments=departments)
            elif users or departments:
                permissions.grant(obj, step.grant, users=users, departments=departments)
        if not users and not departments:
            return []
        if share or (share is None and step.grant):
            permissions.grant(obj, "view", users=users, departments=departments)
        held = worklist.open_items(obj, name).filter(
            Q(assignee__in=[u.pk for u in users]) | Q(department__in=[d.pk for d in departments])
        )
        self.kept.update(held.values_list("pk", flat=True))
        return worklist.assign(
            obj,
            name,
            label=step.item_label(obj, detail),
            kind=worklist.Kind.READ if step.reading else worklist.Kind.ACT,
            users=users,
            departments=departments,
            due=step.due_for(obj) if due is None else due,
            urgent=step.urgent_for(obj) if urgent is None else urgent,
            notify=notify,
            body=body,
        )

    def withdraw(self, step, *, users=(), departments=(), decision="已撤回", obj=None):
        """These people leave ``step`` (or the own item named ``step``): their open items close unanswered."""
        return worklist.withdraw(
            self.obj if obj is None else obj,
            _name(step),
            by=self.by,
            users=users,
            departments=departments,
            decision=decision,
            closed=self.closed,  # the person's own among them: 已办 already shows the step
        )

    def finish(self, step, *, decision="", everyone=False, obj=None):
        """The person has done ``step`` too: their item of it closes (everyone's with ``everyone=True``)."""
        mine = worklist.finish(
            self.obj if obj is None else obj,
            _name(step),
            by=self.by,
            decision=decision,
            everyone=everyone,
            closed=self.closed,
        )
        return mine

    def reschedule(self, *, due):
        """What waits on the record to be done is now due on ``due`` and as urgent as the record (a corrected
        办理时限 or 紧急程度)."""
        values = {"due": due}
        if hasattr(self.obj, "is_urgent"):  # a record that says how urgent it is (紧急程度)
            values["urgent"] = bool(self.obj.is_urgent)
        worklist.open_items(self.obj).filter(kind=worklist.Kind.ACT).update(**values)

    # --- Records the step creates or touches -----------------------------------------------------------------

    def track(self, obj, *, initiator=None):
        """A record the step creates is tracked (its Matter, listed in 我发起的 of ``initiator``)."""
        flow = flow_for(obj)
        return worklist.track(obj, kind=flow.kind if flow else "", initiator=initiator)

    def touch(self, obj):
        """Another record the step changed shows its new state and title in 我的待办."""
        worklist.touch(obj)

    # --- After the body ------------------------------------------------------------------------------------

    def close(self, waiting):
        step, obj, by = self.step, self.obj, self.by
        if not self.events:  # a step that changed no state is audited all the same
            audit.record(step.label, by=by, obj=obj, comment=self.pending.message if self.pending else "")
        # What waited for the person closes, unless the body gave it to them again (copies left to stamp).
        worklist.finish(
            obj,
            step.name,
            by=by,
            decision=step.label,
            everyone=step.everyone,
            among=waiting - self.kept,
            closed=self.closed,
        )
        if not self.closed:  # none of the person's own items closed: 已办 shows the step all the same
            worklist.record_done(obj, step.name, by=by, label=step.label)
        self.flow.settle(obj, by=by, decision=f"{by.get_full_name()}已{step.label}")
        worklist.touch(obj)


def _name(step):
    return step.name if isinstance(step, Step) else step


class BoundStep:
    """One step as a page shows it: its declaration, its form (bound after a refused POST) and its URL.

    The form of a step is built only when the page renders it (``form`` is read): a page renders the forms of the
    steps it shows open, and each closed step's form is fetched from the step's URL when the person opens it
    (``includes/steps.html``), so a page offering many steps does not build and render every picker."""

    def __init__(self, step, url, obj, *, form=None, build=None, open=False, confirm=""):
        self.step = step
        self.url = url
        self.obj = obj
        self.open = open
        self.confirm = confirm
        self._form = form
        self._build = build if form is None else None

    @property
    def form(self):
        if self._build is not None:
            self._form, self._build = self._build(), None
        return self._form

    @property
    def page_url(self):
        """The record's page with this step unfolded and its form rendered (the link of a closed step)."""
        return f"{self.obj.get_absolute_url()}?step={self.step.name}#step-{self.step.name}"

    @property
    def has_form(self):
        """Whether the step asks for input (a form class declared, or a bound form given)."""
        return self.step.form is not None or self._form is not None

    def __getattr__(self, name):
        if name.startswith("_"):
            raise AttributeError(name)
        return getattr(self.step, name)

    def __repr__(self):
        return f"<BoundStep {self.step.name}{' open' if self.open else ''}>"


_flows = {}


def flow_for(model_or_obj):
    model = model_or_obj if isinstance(model_or_obj, type) else type(model_or_obj)
    return _flows.get(model._meta.label_lower)


def flows():
    """Every declared flow (one per workflow model)."""
    return list(_flows.values())


def cached(obj, key, compute):
    """A value the declarations' rules read several times while a page lists the steps (the approval step now
    waiting), kept on the record until a step runs on it: the check inside the step's transaction and the checks
    after its body compute it afresh."""
    store = obj.__dict__.setdefault("_step_cache", {})
    if key not in store:
        store[key] = compute()
    return store[key]


def forget(obj):
    """Drop what ``cached()`` kept on the record."""
    obj.__dict__.pop("_step_cache", None)


def _role_names(roles):
    return "、".join(Role(r).label for r in roles)


class Flow:
    """The steps of one model's workflow."""

    def __init__(
        self,
        model,
        *,
        kind,
        url_name,
        status_field="status",
        on_reassign=None,
        initiator=None,
        start=None,
        own_items=(),
    ):
        self.model = model
        # Prefixes of work items the app opens and closes itself, not named after a step (接待's "material-<pk>",
        # one per material); every other item is named after the step that closes it (``names_item``).
        self.own_items = tuple(own_items)
        self.start = start  # a Start: who may create a record of this flow
        self.kind = kind
        self.initiator = initiator  # who started a record (for 我发起的): a field's name, or a function of the record
        self.url_name = url_name
        self.status_field = status_field
        self.on_reassign = on_reassign
        self.steps = {}
        _flows[model._meta.label_lower] = self

    def __iter__(self):
        return iter(self.steps.values())

    def initiator_of(self, obj):
        """Who started ``obj`` (``initiator=``), or None."""
        if callable(self.initiator):
            return self.initiator(obj)
        return getattr(obj, self.initiator, None) if self.initiator else None

    def begin(self, obj, *, by, title=None):
        """A record of this flow was just created (not a step: there was no record to take one on): it is tracked
        (its Matter, in the creator's 我发起的), and the returned Run hands out its first work exactly as a step
        would (``begin(request, by=by).hand_to("approve", users=…)``: label and grant from the declaration)."""
        worklist.track(obj, kind=self.kind, initiator=by, title=title)
        return Run(self, None, obj, by)

    def names_item(self, name):
        """Whether a work item may be called ``name``: a declared step (taking it closes the item), or one of the
        app's own items."""
        return name in self.steps or name.startswith(self.own_items)

    def __getitem__(self, name):
        return self.steps[name]

    def step(self, label, *, source, target=(), **options):
        """Declare a step: ``@flow.step("批示", source=[…], roles=…, grant=…, rule=…, form=…, work="待批示")``.

        The body is ``body(run, obj, **arguments)`` (see ``Run``). A step must say who may take it — roles, an
        object grant or a rule: a declaration with none of them is an error here, at import time."""
        source = (source,) if isinstance(source, str) else tuple(source)
        target = (target,) if isinstance(target, str) else tuple(target)

        def declare(func):
            step = Step(name=func.__name__, label=label, source=source, target=target, flow=self, **options)
            if not (step.roles or step.grant or step.rule):
                raise ImproperlyConfigured(
                    f"{self.kind}的步骤「{label}」({func.__name__}) 没有声明 roles、grant 或 rule：步骤默认不对任何人开放"
                )
            if step.name in self.steps:
                raise ImproperlyConfigured(f"{self.kind}的步骤 {step.name} 声明了两次")
            if next(iter(inspect.signature(func).parameters), None) != "run":
                raise ImproperlyConfigured(f"步骤 {func.__name__} 的第一个参数应为 run：body(run, obj, **arguments)")

            @functools.wraps(func)
            def run(obj, *, by, **kwargs):
                return self._run(step, func, obj, by, kwargs)

            object.__setattr__(step, "func", run)
            self.steps[step.name] = step
            run.step = step
            return run

        return declare

    # --- May this person take this step now? -------------------------------------------------------------

    def state_of(self, obj):
        return getattr(obj, self.status_field)

    def refusal(self, step, obj, user):
        """None when ``user`` may take ``step`` on ``obj`` now; otherwise a Refused saying why."""
        if isinstance(step, str):
            step = self.steps[step]
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return Refused("请先登录。", forbidden=True)
        state = self.state_of(obj)
        if state not in step.source:
            display = getattr(obj, f"get_{self.status_field}_display", lambda: state)()
            return Refused(f"该{self.kind}当前为「{display}」，不能{step.label}（可能已被他人处理，请刷新页面）。")
        roles = step.roles_for(obj)
        if roles and not has_role(user, *roles):
            return Refused(step.refusal or f"只有{_role_names(roles)}可以{step.label}。", forbidden=True)
        if step.grant and step.grant not in permissions.held(user, obj):
            return Refused(step.refusal or f"您不是该{self.kind}的{step.label}人。", forbidden=True)
        if step.rule is not None:
            reason = step.rule(obj, user)
            if isinstance(reason, Refused):  # a rule may say "not yet" (400) rather than "not you" (403)
                return reason
            if reason:
                return Refused(reason, forbidden=True)
        return None

    def allows(self, obj, user, name):
        return name in self.steps and self.refusal(self.steps[name], obj, user) is None

    def available(self, obj, user):
        """The steps ``user`` may take on ``obj`` now, in declaration order."""
        return [step for step in self.steps.values() if self.refusal(step, obj, user) is None]

    def panel(self, obj, user, bound=None):
        """The available steps as the page renders them; ``bound``: {step name: form} after a refused POST."""
        bound = bound or {}
        panel = []
        for step in self.available(obj, user):
            form = bound.get(step.name)
            build = functools.partial(self.form, step, obj, user) if form is None and step.form is not None else None
            panel.append(
                BoundStep(
                    step,
                    step.url(obj),
                    obj,
                    form=form,
                    build=build,
                    open=step.name in bound,
                    confirm=step.confirm_for(obj),
                )
            )
        return panel

    def form(self, step, obj, user, data=None, files=None):
        if isinstance(step, str):
            step = self.steps[step]
        if step.form is None:
            return None
        kwargs = {"prefix": step.name}
        if issubclass(step.form, StepForm):
            kwargs.update(obj=obj, user=user)
        return step.form(data, files, **kwargs)

    # --- Taking it ---------------------------------------------------------------------------------------

    def _run(self, step, func, obj, by, kwargs):
        with transaction.atomic():
            forget(obj)  # the check inside the transaction reads what the rules need afresh
            self._refresh_state(obj)
            refusal = self.refusal(step, obj, by)
            if refusal is not None:
                raise refusal
            waiting = set(worklist.mine(obj, step.name, by).values_list("pk", flat=True))
            run = Run(self, step, obj, by)
            try:
                result = func(run, obj, **kwargs)
            except Refused as error:
                if not error.keeps_changes:
                    raise
                run.pending, result = error, None
            finally:
                forget(obj)  # the body changed what the rules read (the approval now waiting)
            run.close(waiting)
        if run.pending is not None:
            raise run.pending
        return result

    def settle(self, obj, *, by, decision):
        """Close the open items of steps that can no longer be taken from the record's state."""
        state = self.state_of(obj)

        def still_open(name):
            step = self.steps.get(name)
            return step is None or state in step.source

        worklist.settle(obj, by=by, still_open=still_open, decision=decision)

    def duties(self, obj):
        """Who must act on ``obj`` now, derived from the declarations alone: (step, people, departments) for each step
        that is someone's work (``work=``) and leaves from the record's state (see ``work_now``)."""
        for step, duty in self.work_now(obj):
            yield step, duty.users, duty.departments

    def work_now(self, obj):
        """[(step, Duty)]: the work items ``obj`` calls for now, from the declarations alone — what ``manage.py
        rebuild_worklist`` gives records that predate the work items, and what a live run gives too (a test compares).

        For each step that is someone's work (``work=``) and leaves from the record's state: its ``holders(obj)`` when
        it declares them; otherwise the holders of its grant (people, and departments through their group) or,
        without a grant, the holders of its roles (``work_roles`` first), less those its rule refuses."""
        state = self.state_of(obj)
        found = []
        for step in self.steps.values():
            if not step.work or state not in step.source:
                continue
            if step.holders is not None:
                found += [(step, duty) for duty in step.holders(obj) if duty.users or duty.departments]
                continue
            roles = step.workers_for(obj)
            departments = []
            if step.grant:
                user_ids, group_ids = permissions.holders(obj, step.grant)
                users = User.objects.filter(pk__in=user_ids, is_active=True)
                departments = list(Department.objects.filter(group__in=group_ids))
            else:
                users = role_users(*roles) if roles else User.objects.none()
            people = [u for u in users if (not roles or has_role(u, *roles)) and not (step.rule and step.rule(obj, u))]
            if people or departments:
                found.append((step, Duty(users=people, departments=departments)))
        return found

    def _refresh_state(self, obj):
        """Read the state afresh, locking the row where the database can (PostgreSQL)."""
        manager = type(obj)._default_manager
        row = manager.select_for_update().filter(pk=obj.pk).values_list(self.status_field, flat=True).first()
        if row is None:
            raise Refused(f"该{self.kind}已不存在。")
        setattr(obj, self.status_field, row)


def refusal_message(error):
    """The Chinese text of any refusal a step can raise."""
    if isinstance(error, TransitionNotAllowed):
        return error.message
    if isinstance(error, ValidationError):
        return "；".join(error.messages)
    if isinstance(error, PermissionDenied):
        return str(error) or "您没有权限执行此操作。"
    return str(error)


def refusal_status(error):
    if isinstance(error, PermissionDenied) or (isinstance(error, Refused) and error.forbidden):
        return 403
    return 400


# --- What a record's page shows ----------------------------------------------------------------------------


def page_context(flow, obj, user, *, bound=None, refusal=None):
    """The context every detail page adds: the steps the person may take, who holds the record now (with a
    转交 form for the office director), and the reason of a refused step."""
    from .forms import ReassignForm

    items = worklist.open_items_shown(obj)
    if items and has_role(user, Role.OFFICE_DIRECTOR):
        candidates = {}  # the people (or departments) one may hand a step to, read once per kind of item
        for item in items:
            # Built when rendered: the page renders the form of the item named by ?reassign=<pk> only, and fetches
            # any other when its 转交他人 is unfolded (includes/work_items.html).
            item.may_reassign = True
            item.reassign_form = SimpleLazyObject(
                functools.partial(
                    ReassignForm, item=item, obj=obj, flow=flow, prefix=f"reassign-{item.pk}", candidates=candidates
                )
            )
    panel = flow.panel(obj, user, bound=bound)
    return {"steps": panel, "work_items": items, "refusal": refusal, "kept_input": kept_input(flow, panel, bound)}


def kept_input(flow, panel, bound):
    """What the person typed into a step the page no longer offers them (the record moved on meanwhile, or the
    step was not theirs): shown back as text, so that nothing typed is lost."""
    offered = {s.name for s in panel}
    kept = []
    for name, form in (bound or {}).items():
        if name in offered or form is None or name not in flow.steps:
            continue
        typed = [
            (form[field].label, form.data.get(form.add_prefix(field), ""))
            for field, declared in form.fields.items()
            if isinstance(declared, forms.CharField)
        ]
        typed = [(label, value) for label, value in typed if isinstance(value, str) and value.strip()]
        if typed:
            kept.append((flow[name].label, typed))
    return kept


def reassign(item, *, by, to_user=None, to_department=None, reason=""):
    """The office director hands a waiting step to another person or department.

    The old holder's item closes ("转交"), they lose the step's grant (and ``view``, unless they took part in
    the record otherwise); the new holder gets the grant, ``view`` and a new item with the same deadline; the
    flow's ``on_reassign`` hook updates the record's own list of people (e.g. the leaders to instruct), which the
    steps' ``holders`` read: the rebuild then gives the item to whom it was handed."""
    if not has_role(by, Role.OFFICE_DIRECTOR):
        raise Refused("只有办公室主任可以转交待办。", forbidden=True)
    if not (reason or "").strip():
        raise Refused("请填写转交说明。")
    if (to_user is None) == (to_department is None):
        raise Refused("请选择转交给哪一位人员或哪一个部门。")
    model = item.matter.content_type.model_class()
    flow = flow_for(model)
    with transaction.atomic():
        # Lock the item's own row only: PostgreSQL refuses FOR UPDATE on the nullable side of the outer joins.
        item = (
            WorkItem.objects.select_for_update(of=("self",))
            .select_related("matter", "assignee", "department")
            .get(pk=item.pk)
        )
        if item.done_at is not None:
            raise Refused("该待办已经办理或已转交，请刷新页面。")
        obj = model._default_manager.get(pk=item.matter.object_id)
        step = flow.steps.get(item.step) if flow else None
        new = to_user or to_department
        old = item.assignee or item.department
        if new == old:
            raise Refused("转交对象与当前办理人相同。")
        if to_user is not None:
            if not to_user.is_active:
                raise Refused(f"{to_user} 的账号已停用，不能转交。")
            roles = step.roles_for(obj) if step else ()
            if roles and not has_role(to_user, *roles):
                raise Refused(f"{to_user} 不是{_role_names(roles)}，不能{step.label}。")
        elif not to_department.members.filter(is_active=True).exists():
            raise Refused(f"{to_department} 没有可用账号，不能转交。")
        worklist.withdraw(
            obj,
            item.step,
            by=by,
            users=[item.assignee] if item.assignee else (),
            departments=[item.department] if item.department else (),
            decision=f"转交{new}",
        )
        perms = [step.grant] if step and step.grant else []
        old_target = {"users": [item.assignee]} if item.assignee else {"departments": [item.department]}
        elsewhere = WorkItem.objects.filter(matter=item.matter).exclude(pk=item.pk)
        elsewhere = (
            elsewhere.filter(assignee=item.assignee) if item.assignee else elsewhere.filter(department=item.department)
        )
        if perms:
            permissions.revoke(obj, perms, **old_target)
        if not elsewhere.exists():
            permissions.revoke(obj, "view", **old_target)
        permissions.grant(
            obj, [*perms, "view"], **({"users": [to_user]} if to_user else {"departments": [to_department]})
        )
        if flow and flow.on_reassign:
            flow.on_reassign(obj, item, old, new)
        worklist.assign(
            obj,
            item.step,
            label=item.label,
            kind=item.kind,
            users=[to_user] if to_user else (),
            departments=[to_department] if to_department else (),
            due=item.due,
            urgent=item.urgent,
            notify=f"{item.label}（转交）：{item.matter.title}",
        )
        audit.record("转交待办", by=by, obj=obj, comment=f"{item.label}：{old} → {new}。{reason}".strip())
        worklist.touch(obj)
    return obj
