from township_office.models import Township
from township_office.pdf import render_pdf


def monthly(report):
    return render_pdf("supervision/print/monthly.html", {"r": report, "township": Township.current()})
