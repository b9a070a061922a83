"""Daily report data and exports."""

from datetime import datetime, timedelta

from django.apps import apps
from django.db.models import BooleanField, Exists, ExpressionWrapper, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from township_office import search
from township_office.dates import day_range, format_date, format_datetime
from township_office.roles import Role, has_role

from . import rules
from .idnumber import normalise_id_number
from .models import Contact, PetitionCase
from .permissions import visible_cases, visible_contacts
from .phones import search_form

OPEN = [PetitionCase.Status.REGISTERED, PetitionCase.Status.INSTRUCTING, PetitionCase.Status.HANDLING]


ACCUSATION_MASK = "检举控告件"


def whole_day(user):
    """Whether ``user`` reads the whole day: a principal leader, for whom the report exists, is shown every line
    (masked where he may not open the record); every other reader gets the lines they may open, and is told so."""
    return has_role(user, Role.PRINCIPAL_LEADER)


def _document_items(day, limit, user, whole):
    """The 收文 lines from documents/api.py, as ``user`` may see them (the documents' own visibility)."""
    if not apps.is_installed("documents"):
        return {}
    from documents.api import daily_report_items

    return daily_report_items(day, limit=limit, user=user, whole=whole)


def _supervision_items(day, user):
    """The red and yellow 督办事项 from supervision/api.py, as ``user`` may open them."""
    if not apps.is_installed("supervision"):
        return {}
    from supervision.api import daily_report_items

    return daily_report_items(day, user=user)


# Every line of the report has every mark, so that the page and the PDF ask each line for what it has: a key
# missing from a line costs the template a failed lookup (three exceptions), a few hundred times per report.
LINE = {
    "number": "",
    "title": "",
    "source": "",
    "department": "",
    "deadline": None,
    "url": "",
    "group": False,
    "people": None,
    "major": False,
    "urgent": False,
    "overdue": False,
    "when": "",
    "masked": False,
    "not_routed": False,
}


def _when(value):
    """When a line's record came (Beijing time): ``11月26日 07:30``, or the day of a case."""
    if isinstance(value, datetime):
        return format_datetime(value, year=False)
    return format_date(value, year=False)


def _masked(number, time, description, deadline=None):
    """A line about a record the reader may not open: its kind, its time and a masked description, nothing more."""
    return {**LINE, "number": number, "when": _when(time), "title": description, "deadline": deadline, "masked": True}


def _case_line(case, day):
    if not getattr(case, "may_open", True):
        if case.petition_type == PetitionCase.Type.ACCUSATION:
            return _masked("信访事项", case.received_on, ACCUSATION_MASK, case.current_due)
        return {**_case_line_open(case, day), "url": "", "not_routed": True}
    return _case_line_open(case, day)


def _case_line_open(case, day):
    return {
        **LINE,
        "number": case.number,
        "title": case.contact.matter[:60],
        "source": case.contact.name,
        "department": case.lead_department.name if case.lead_department else "",
        "deadline": case.current_due,
        "url": case.get_absolute_url(),
        "group": case.contact.is_group_visit,
        "people": case.contact.people_count,
        "major": case.severity == PetitionCase.Severity.MAJOR,
        "overdue": case.is_overdue(day),
        "when": _when(case.received_on),
    }


def _contact_line(contact, url):
    if not url and getattr(contact, "accusation", False):
        return _masked(contact.get_channel_display(), contact.received_at, ACCUSATION_MASK)
    return {
        **LINE,
        "number": contact.get_channel_display(),
        "title": contact.matter[:60],
        "source": contact.name,
        "department": "",
        "deadline": None,
        "url": url,
        "group": contact.is_group_visit,
        "people": contact.people_count,
        "when": _when(contact.received_at),
        "not_routed": not url,
    }


def _document_line(line, *, overdue=False):
    """A 收文 line with the marks the report shows: 特急, overdue."""
    urgency = line.get("urgency", "")
    line = dict(line)
    line["when"] = _when(line.pop("time", None))
    return {
        **LINE,
        **line,
        "urgent": bool(line.get("urgent")) or urgency in ("extra_urgent", "特急"),
        "overdue": overdue or bool(line.get("overdue")),
    }


def _newest_first(case):  # the cases' own ordering
    return (-case.year, -case.serial)


def _contact_url(contact):
    """Where a contact's line leads for the viewer: the contact if they may open it, else its case (which shows
    the contact's name and matter), else nowhere (a principal leader's line of what was not routed to him);
    ``may_open`` and ``case_code`` are annotated by ``daily_report``."""
    if contact.may_open:
        return contact.get_absolute_url()
    if contact.case_code:
        return reverse("visitors:case_detail", args=[contact.case_code])
    return ""


SECTIONS = ("incoming", "calls", "visits", "new_cases", "due_soon", "overdue")


def daily_report(day=None, *, viewer, limit=None):
    """每日来文来电来访汇报 as ``viewer`` may read it: yesterday's and today's incoming files, calls, visits, new cases;
    due within 3 days; overdue. Days are Beijing days.

    A principal leader reads the whole day (``whole``): every line is listed and counted. A line of a record he
    may open is as on its page; an ordinary one not routed to him has no link (``not_routed``); one he may not open
    (a 内部/工作秘密 file without a grant, an accusation) shows its kind, time and a masked description only
    (``masked``); an accusation naming him (or his department, or one he is in charge of) shows nothing and is
    counted in ``recused`` (「另有 N 件按规定回避」). Any other reader gets the report of their own visibility: a
    line of a record they would get 404 on is left out and not counted, and the page says the report is filtered.

    ``limit``: at most so many lines in each of the due and overdue sections (the page; the PDF lists all), their
    totals in ``due_soon_total``/``overdue_total``. ``counts`` holds each section's heading figure (its lines or
    total, and those recused). Each line says whether it is a 集体访 (``group``), 特急 (``urgent``), overdue
    (``overdue``). A fixed number of queries."""
    day = day or timezone.localdate()
    start = day - timedelta(days=1)
    whole = whole_day(viewer)
    documents = _document_items(day, limit, viewer, whole)
    since, until = day_range(start, day)
    visible = visible_cases(viewer)
    # Each contact of the two days is tested on its own (correlated on its key): may the viewer open it, else which
    # case of it may they open. A plain ``pk IN (visible ...)`` would evaluate the visibility of every record.
    contacts = (
        Contact.objects.filter(received_at__gte=since, received_at__lt=until)
        .exclude(status=Contact.Status.DRAFT)
        .annotate(
            may_open=Exists(visible_contacts(viewer).filter(pk=OuterRef("pk"))),
            case_code=Subquery(visible.filter(contact=OuterRef("pk")).order_by("-pk").values("code")[:1]),
        )
    )
    if whole:
        of_contact = PetitionCase.objects.filter(contact=OuterRef("pk"))
        contacts = contacts.annotate(
            recused=Exists(of_contact.filter(rules.hidden_cases(viewer))),
            accusation=Exists(of_contact.filter(petition_type=PetitionCase.Type.ACCUSATION)),
        )
    else:
        contacts = contacts.filter(Q(may_open=True) | Q(case_code__isnull=False))
    contacts = list(contacts.order_by("received_at", "pk"))
    recused = dict.fromkeys(SECTIONS, 0)
    shown = []
    for contact in contacts:
        if whole and contact.recused and not contact.may_open and not contact.case_code:
            recused["calls" if contact.channel == Contact.Channel.CALL else "visits"] += 1
        else:
            shown.append(contact)
    contacts = shown

    cases = PetitionCase.objects.all() if whole else visible
    if whole:
        cases = cases.annotate(
            may_open=Exists(visible.filter(pk=OuterRef("pk"))),
            recused=ExpressionWrapper(rules.hidden_cases(viewer), output_field=BooleanField()),
        )
    new = Q(received_on__gte=start, received_on__lte=day)
    # Sorted into new, due and overdue on the few fields the deadlines need; only the cases listed are then read
    # whole.
    light = cases.exclude(status=PetitionCase.Status.WITHDRAWN).filter(Q(status__in=OPEN) | new)
    light = list(light.only("pk", "status", "received_on", "deadline", "extension_days"))
    if whole:
        for case in light:
            if case.recused:
                if start <= case.received_on <= day:
                    recused["new_cases"] += 1
                if case.status in OPEN and case.is_overdue(day):
                    recused["overdue"] += 1
                elif case.status in OPEN and case.current_due <= day + timedelta(days=3):
                    recused["due_soon"] += 1
        light = [c for c in light if not c.recused]
    open_cases = [c for c in light if c.status in OPEN]
    due_cases = [c for c in open_cases if not c.is_overdue(day) and c.current_due <= day + timedelta(days=3)]
    overdue_cases = [c for c in open_cases if c.is_overdue(day)]
    case_totals = len(due_cases), len(overdue_cases)
    if limit is not None:  # the most pressing first, as for the files

        def due(case):
            return case.current_due

        due_cases = sorted(due_cases, key=due)[:limit]
        overdue_cases = sorted(overdue_cases, key=due)[:limit]
    # The new cases and the due and overdue ones listed, read whole in one query.
    wanted = [c.pk for c in light if start <= c.received_on <= day] + [c.pk for c in due_cases + overdue_cases]
    listed = {c.pk: c for c in cases.filter(pk__in=wanted).select_related("contact", "lead_department")}
    new_cases = sorted((c for c in listed.values() if start <= c.received_on <= day), key=_newest_first)
    due_cases = [listed[c.pk] for c in due_cases]
    overdue_cases = [listed[c.pk] for c in overdue_cases]
    lines = [_contact_line(c, _contact_url(c)) for c in contacts]
    calls = [line for line, c in zip(lines, contacts, strict=True) if c.channel == Contact.Channel.CALL]
    visits = [line for line, c in zip(lines, contacts, strict=True) if c.channel != Contact.Channel.CALL]
    report = {
        "day": day,
        "start": start,
        "whole": whole,
        "incoming": [_document_line(line) for line in documents.get("incoming", [])],
        "calls": [_document_line(line) for line in documents.get("calls", [])] + calls,
        "visits": visits,
        "new_cases": [_case_line(c, day) for c in new_cases],
        "due_soon": [_document_line(line) for line in documents.get("due_soon", [])]
        + [_case_line(c, day) for c in due_cases],
        "overdue": [_document_line(line, overdue=True) for line in documents.get("overdue", [])]
        + [_case_line(c, day) for c in overdue_cases],
        "due_soon_total": documents.get("due_soon_total", 0) + case_totals[0],
        "overdue_total": documents.get("overdue_total", 0) + case_totals[1],
        "recused": recused,
        "supervision": _supervision_items(day, viewer),
    }
    report["counts"] = {
        section: report.get(f"{section}_total", len(report[section])) + recused[section] for section in SECTIONS
    }
    return report


EXPORT_HEADER = [
    "信访事项编号",
    "登记日期",
    "渠道",
    "信访人",
    "身份证号",
    "联系电话",
    "住址",
    "人数",
    "信访类型",
    "问题类别",
    "反映问题",
    "受理日期",
    "主办部门",
    "办理时限",
    "答复日期",
    "满意度",
    "状态",
]


def export_rows(cases):
    for c in cases.select_related("contact", "lead_department"):
        yield [
            c.number,
            c.received_on.isoformat(),
            c.contact.get_channel_display(),
            c.contact.name,
            c.contact.id_number,
            c.contact.phone,
            c.contact.address,
            c.contact.people_count,
            c.get_petition_type_display(),
            c.get_category_display(),
            c.contact.matter,
            c.accepted_on.isoformat() if c.accepted_on else "",
            c.lead_department.name if c.lead_department else "",
            c.effective_deadline.isoformat() if c.effective_deadline else "",
            c.replied_on.isoformat() if c.replied_on else "",
            c.get_satisfaction_display(),
            c.get_status_display(),
        ]


def search_contacts(queryset, q):
    """Name, phone or matter containing the words; or the same ID number or phone however it was typed (full-width
    digits, spaces, +86)."""
    q = q.replace("\x00", "").strip()
    if not q:
        return queryset
    extra = Q(id_number=normalise_id_number(q))
    phone = search_form(q)
    if phone:
        extra |= Q(phone=phone)
    return search.matching(queryset, q, ["name", "phone", "matter"], extra=extra)
