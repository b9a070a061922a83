"""The one way a view takes a workflow step, and the one way a refusal is shown.

    incoming_step = actions.step_view(workflow.incoming, get_incoming_for_user, incoming_page)

``step_view`` answers ``POST <record>/step/<name>/`` (and ``GET …?form=1``, the step's form alone): the record is loaded through the app's access function
(404 when the person may not see it), the step's form is validated, the step is called. Success: a message
and a redirect (to the next item of 我的待办 when the person asked for "办理下一件"). Refused: the record's page
again, with the reason above the step's form and everything the person typed kept in it, answered 400 (403
when the person may not take that step). When a refusal itself changed the record (``Refused(...,
keeps_changes=True)``), the page shows the new state and the reason.
"""

import inspect

from django.contrib import messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db.models import Q
from django.http import Http404, HttpResponse, HttpResponseNotAllowed
from django.shortcuts import redirect, render
from django.views.decorators.http import require_http_methods

from . import worklist
from .steps import BoundStep, Refused, refusal_message, refusal_status
from .workflow import TransitionNotAllowed

REFUSALS = (Refused, TransitionNotAllowed, ValidationError, PermissionDenied)


def error_message(error):
    """The Chinese text of a refusal (a ValidationError may carry several messages)."""
    return refusal_message(error)


def perform(request, flow, obj, name, *, render_page, success=None, **extra):
    """Take step ``name`` of ``flow`` on ``obj`` as ``request.user`` with the POSTed form.

    ``render_page(request, obj, bound=..., refusal=..., status=...)`` renders the record's page again."""
    step = flow.steps.get(name)
    if step is None:
        raise Http404("没有这个办理步骤")
    form = flow.form(step, obj, request.user, request.POST, request.FILES)
    refusal, status = None, 400
    forbidden = flow.refusal(step, obj, request.user)
    if forbidden is not None and forbidden.forbidden:  # not theirs to take: say so before judging the form
        bound = {name: form} if form is not None else {}
        return render_page(request, obj, bound=bound, refusal=forbidden.message, status=403)
    if form is None and _needs_input(step, extra):  # taken on a page of its own (修改草稿), not from the panel
        refusal = f"「{step.label}」不能在这里办理，请在它自己的页面填写后提交。"
        return render_page(request, obj, bound={}, refusal=refusal, status=400)
    if form is None or form.is_valid():
        arguments = {}
        if form is not None:
            arguments = form.arguments() if hasattr(form, "arguments") else dict(form.cleaned_data)
        try:
            step.func(obj, by=request.user, **arguments, **extra)
        except REFUSALS as error:
            refusal, status = refusal_message(error), refusal_status(error)
            if form is not None:
                form.add_error(None, refusal)
            obj.refresh_from_db()
        else:
            worklist.forget_counts(request.user.pk)  # what waited for this person has changed
            messages.success(request, success or step.success_for(obj) or f"已{step.label}。")
            if request.POST.get("next") == "todo":
                return redirect(next_waiting_url(request.user, obj))
            return redirect(obj)
    return render_page(request, obj, bound={name: form} if form is not None else {}, refusal=refusal, status=status)


def step_view(flow, load, render_page):
    """A view taking any step of ``flow``: ``load(user, code)`` is the app's access function (404).

    ``GET …?form=1`` answers the step's form alone: what the record's page fetches when the person unfolds a step
    whose form it did not render (without JavaScript, the step's link opens the record's page with that form,
    ``?step=<name>``). A step the person may not take now is refused as a POST is; any other GET is not allowed."""

    @require_http_methods(["GET", "POST"])
    def view(request, code, name):
        obj = load(request.user, code)
        if request.method == "GET":
            if request.GET.get("form") is None:
                return HttpResponseNotAllowed(["POST"])
            return step_form(request, flow, obj, name)
        return perform(request, flow, obj, name, render_page=render_page)

    return view


def step_form(request, flow, obj, name):
    """``GET <step url>?form=1`` (see ``step_view``): the form of a step the person may take now."""
    step = flow.steps.get(name)
    if step is None:
        raise Http404("没有这个办理步骤")
    refusal = flow.refusal(step, obj, request.user)
    if refusal is not None:
        return HttpResponse(refusal.message, status=refusal_status(refusal), content_type="text/plain; charset=utf-8")
    form = flow.form(step, obj, request.user)
    shown = BoundStep(step, step.url(obj), obj, form=form, open=True, confirm=step.confirm_for(obj))
    return render(request, "includes/step_form.html", {"s": shown})


def _needs_input(step, given):
    """Does the step's function need arguments that only a form gives (keyword-only, without a default)?"""
    parameters = inspect.signature(step.func).parameters.values()
    needed = {p.name for p in parameters if p.kind is p.KEYWORD_ONLY and p.default is p.empty}
    return bool(needed - {"by"} - set(given))


def next_waiting_url(user, done_obj=None):
    """下一件: the first item still waiting for the person on another record than the one just handled — to act on
    (in the order of 我的待办), then, when none is left, to read (待阅, in its order) — or 我的待办 when there is none."""
    matter = worklist.matter_of(done_obj) if done_obj is not None else None
    elsewhere = ~Q(matter=matter) if matter is not None else Q()
    # The person's items still open on that record may come first: look past however many there are.
    skip = worklist.waiting(user).filter(matter=matter).count() if matter is not None else 0
    for item in worklist.waiting(user, first=skip + 1)[: skip + 1]:
        if matter is None or item.matter_id != matter.pk:
            return item.matter.url
    unread = worklist.read_items(user).filter(elsewhere, done_at__isnull=True).first()
    if unread is not None:
        return unread.matter.url
    return "township_office:todo"
