from township_office.models import Township
from township_office.pdf import render_pdf


def visit_form(contact, *, full_id=False):
    """来访登记表; the ID number masked unless the reader may see it."""
    case = contact.cases.select_related("lead_department", "instructing_leader").first()
    return render_pdf(
        "visitors/print/visit_form.html",
        {
            "c": contact,
            "case": case,
            "township": Township.current(),
            "id_number": contact.id_number if full_id else contact.masked_id,
            "reps": list(contact.representatives.all()),
        },
    )


def assignment_sheet(case):
    """信访事项交办单."""
    return render_pdf(
        "visitors/print/assignment.html",
        {"case": case, "township": Township.current(), "supports": list(case.support_departments.all())},
    )


def reply_letter(case):
    """答复意见书: addressed to the petitioner, or for a 集体访 to its elected representatives."""
    reps = list(case.contact.representatives.all()) if case.contact.is_group_visit else []
    return render_pdf("visitors/print/reply.html", {"case": case, "township": Township.current(), "reps": reps})


def daily_report(report, *, base_url=""):
    """The morning PDF; ``base_url`` (the site's address, when known) makes each line a link to its record."""
    return render_pdf(
        "visitors/print/daily_report.html", {"r": report, "township": Township.current(), "base_url": base_url}
    )
