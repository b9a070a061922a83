"""The one way a view runs a workflow step: validate, call, then redirect with a message or show the refusal."""

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.shortcuts import redirect

from . import todo
from .workflow import TransitionNotAllowed

REFUSALS = (ValidationError, TransitionNotAllowed)


def error_message(error):
    """The Chinese text of a refusal (a ValidationError may carry several messages)."""
    if isinstance(error, TransitionNotAllowed):
        return error.message
    return "；".join(error.messages)


def run_action(request, obj, run, *, success, rerender, form=None):
    """Call ``run(cleaned_data)`` when ``form`` (if any) is valid.

    Success: a success message and a redirect to ``obj``. A refusal is shown in the form, which
    ``rerender(form)`` renders again with everything the user typed (status 400); without a form, the refusal
    becomes an error message on the redirect. Nothing changes on a refusal: workflow functions raise before
    writing or inside their transaction."""
    if form is None or form.is_valid():
        try:
            run(form.cleaned_data if form is not None else {})
        except REFUSALS as error:
            if form is None:
                messages.error(request, error_message(error))
                return redirect(obj)
            form.add_error(None, error_message(error))
        else:
            todo.forget(request.user.pk)  # what waited for this person has changed
            messages.success(request, success)
            return redirect(obj)
    obj.refresh_from_db()
    return rerender(form)
