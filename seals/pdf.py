from township_office.models import Township
from township_office.pdf import render_pdf


def approval_form(seal_request, *, show_fingerprint=False):
    """用印审批单. ``show_fingerprint``: the reader may see the file's SHA-256 (the page's rule, shows_fingerprint);
    otherwise the form says only that the file is on record."""
    stampings = list(seal_request.stampings.select_related("custodian"))
    return render_pdf(
        "seals/print/approval_form.html",
        {
            "r": seal_request,
            "show_fingerprint": show_fingerprint,
            "township": Township.current(),
            # One opinion row per approval of the chain, in its order and named by its level: no row for a level
            # the chain does not reach; a row still waiting stays empty and ruled (it may be signed on paper).
            "opinions": [
                (f"{step.get_level_display()}意见", step)
                for step in seal_request.steps.select_related("decided_by").order_by("order")
            ],
            "seal_names": _once(s.name for s in seal_request.seals.all()),
            "custodians": _once(str(e.custodian) for e in stampings),  # several stampings by one keeper: once
            "last_stamping": stampings[-1] if stampings else None,
        },
    )


def _once(names):
    """Names joined with 、, each once, in their first order."""
    return "、".join(dict.fromkeys(names))


def monthly_register(entries, month, ok, broken):
    approvers = {}
    for entry in entries:
        if entry.request_id not in approvers:
            names = [s.decided_by.full_name for s in entry.request.steps.all() if s.decided_by]
            approvers[entry.request_id] = "、".join(names)
    rows = [(e, approvers.get(e.request_id, "")) for e in entries]
    return render_pdf(
        "seals/print/register.html",
        {"rows": rows, "month": month, "ok": ok, "broken": broken, "township": Township.current()},
    )


def introduction_letter(letter):
    return render_pdf("seals/print/letter.html", {"l": letter, "township": Township.current()})
