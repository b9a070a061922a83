"""密件登记 pages: the register list, an entry with its copies, a copy with its steps, registration, the printout.

Every page loads through the access functions of ``permissions`` (the register office sees all; anyone else the
entries and copies they hold or held; a guessed URL answers 404)."""

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect, render
from django.utils import timezone

from township_office import actions, audit, steps
from township_office.models import Township
from township_office.pagination import paginate
from township_office.pdf import pdf_response, render_pdf

from .models import SecretCopy, SecretCopyEvent
from .permissions import (
    get_secret_copy_for_user,
    get_secret_entry_for_user,
    keeps_register,
    visible_secret_copies,
    visible_secret_entries,
)
from .secret_forms import SecretEntryForm, SecretFilterForm
from .workflow import secret_steps

PAGE_SIZE = 30
OUT = [SecretCopy.Status.HANDOVER, SecretCopy.Status.HELD, SecretCopy.Status.RETURNING]


def _filtered(request):
    form = SecretFilterForm(request.GET or None)
    entries = visible_secret_entries(request.user)
    if form.is_valid():
        if form.cleaned_data["status"]:
            entries = entries.filter(status=form.cleaned_data["status"])
        if form.cleaned_data["year"]:
            entries = entries.filter(year=form.cleaned_data["year"])
    return form, entries


def secret_list(request):
    form, entries = _filtered(request)
    entries = entries.annotate(out=Count("copy_set", filter=Q(copy_set__status__in=OUT))).order_by("-year", "-serial")
    page = paginate(request, entries, PAGE_SIZE)
    query = request.GET.copy()
    query.pop("page", None)
    keeper = keeps_register(request.user)
    return render(
        request,
        "documents/secret/list.html",
        {
            "form": form,
            "page": page,
            "query": query.urlencode(),
            "keeper": keeper,
            "starts": steps.starts(request.user, secret_steps.secret),
        },
        status=400 if form.is_bound and not form.is_valid() else 200,
    )


def secret_register(request):
    secret_steps.secret.start.require(request.user)
    form = SecretEntryForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = {k: v for k, v in form.cleaned_data.items() if k != "copy_numbers"}
        try:
            entry = secret_steps.register(by=request.user, data=data, copy_numbers=form.cleaned_data["copy_numbers"])
        except actions.REFUSALS as error:
            form.add_error(None, actions.error_message(error))
        else:
            messages.success(request, f"已登记 {entry.number}，共 {entry.copies} 份，由办公室保管。")
            return redirect(entry)
    return render(request, "documents/secret/form.html", {"form": form}, status=400 if form.is_bound else 200)


def _events(copies):
    return (
        SecretCopyEvent.objects.filter(copy__in=copies).select_related("copy", "actor", "person").order_by("at", "pk")
    )


def secret_detail(request, code):
    entry = get_secret_entry_for_user(request.user, code)
    copies = list(
        visible_secret_copies(request.user).filter(entry=entry).select_related("holder", "pending_to").order_by("pk")
    )
    audit.record("查阅密件登记", by=request.user, obj=entry)
    return render(
        request,
        "documents/secret/detail.html",
        {
            "entry": entry,
            "copies": copies,
            "events": _events(copies),
            "keeper": keeps_register(request.user),
        },
    )


def copy_page(request, copy, *, bound=None, refusal=None, status=200):
    """One paper copy: where it is, its history, and the steps the person may take now (from the flow)."""
    context = {
        "copy": copy,
        "entry": copy.entry,
        "events": _events([copy]),
        **steps.page_context(secret_steps.secret, copy, request.user, bound=bound, refusal=refusal),
    }
    return render(request, "documents/secret/copy.html", context, status=status)


def secret_copy(request, code):
    return copy_page(request, get_secret_copy_for_user(request.user, code))


secret_copy_step = actions.step_view(secret_steps.secret, get_secret_copy_for_user, copy_page)


def secret_print(request):
    """The printable register (A4 landscape, header repeated, pages numbered): the office's own book."""
    if not keeps_register(request.user):
        raise PermissionDenied("只有文书或办公室主任可以打印密件登记簿。")
    form, entries = _filtered(request)
    if form.is_bound and not form.is_valid():
        return secret_list(request)
    entries = list(entries.order_by("year", "serial"))
    copies = {}
    for copy in SecretCopy.objects.filter(entry__in=entries).select_related("holder").order_by("pk"):
        copies.setdefault(copy.entry_id, []).append(copy)
    last = {}
    gone = SecretCopyEvent.objects.filter(
        copy__entry__in=entries, kind__in=[SecretCopyEvent.Kind.CLEARED, SecretCopyEvent.Kind.DESTROYED]
    )
    for event in gone.select_related("actor", "person").order_by("at", "pk"):
        last[event.copy_id] = event
    rows = [(e, [(c, last.get(c.pk)) for c in copies.get(e.pk, [])]) for e in entries]
    year = form.cleaned_data.get("year") if form.is_bound else None
    audit.record("打印密件登记簿", by=request.user, comment=f"{year}年" if year else "全部")
    content = render_pdf(
        "documents/print/secret_register.html",
        {"rows": rows, "year": year, "township": Township.current(), "printed": timezone.localtime()},
    )
    return pdf_response(content, f"密件登记簿-{year or '全部'}.pdf")
