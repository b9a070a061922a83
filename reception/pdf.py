from township_office.models import Township
from township_office.pdf import render_pdf


def _context(reception):
    return {
        "r": reception,
        "township": Township.current(),
        "guests": list(reception.guests.all()),
        "items": list(reception.itinerary.select_related("department", "meeting_room")),
        "materials": list(reception.materials.select_related("department")),
        "leaders": list(reception.accompanying_leaders.all()),
    }


def plan(reception):
    return render_pdf("reception/print/plan.html", _context(reception))


def reception_list(reception):
    """接待清单: guest unit, names, titles, activities, times, places, costs and signatures."""
    return render_pdf("reception/print/reception_list.html", _context(reception))
