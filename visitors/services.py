"""Daily report data and exports."""

import csv
import io
from datetime import timedelta

from django.apps import apps
from django.db.models import Exists, OuterRef, Q, Subquery
from django.urls import reverse
from django.utils import timezone

from township_office import search
from township_office.dates import day_range
from township_office.exports import safe_row

from .idnumber import normalise_id_number
from .models import Contact, PetitionCase
from .permissions import visible_cases, visible_contacts
from .phones import search_form

OPEN = [PetitionCase.Status.REGISTERED, PetitionCase.Status.INSTRUCTING, PetitionCase.Status.HANDLING]


def _document_items(day, limit, user):
    """The 收文 lines from documents/api.py, as ``user`` may see them (the documents' own visibility)."""
    if not apps.is_installed("documents"):
        return {}
    from documents.api import daily_report_items

    return daily_report_items(day, limit=limit, user=user)


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
}


def _case_line(case, day):
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
    }


def _contact_line(contact, url):
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
    }


def _document_line(line, *, overdue=False):
    """A 收文 line with the marks the report shows: 特急, overdue."""
    urgency = line.get("urgency", "")
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
    the contact's name and matter); ``may_open`` and ``case_code`` are annotated by ``daily_report``."""
    if contact.may_open:
        return contact.get_absolute_url()
    return reverse("visitors:case_detail", args=[contact.case_code])


def daily_report(day=None, *, viewer, limit=None):
    """每日来文来电来访汇报 as ``viewer`` may read it: yesterday's and today's incoming files, calls, visits, new cases;
    due within 3 days; overdue. Days are Beijing days.

    The report is built for one reader (the page's user, the PDF's recipient) with the visibility of the records'
    own pages: a line of a record the reader would get 404 on is left out, and the totals count only what the
    reader may see (a contact is listed when the reader may open it or its case). ``limit``: at most so many
    lines in each of the due and overdue sections (the page; the PDF lists all), their totals in
    ``due_soon_total``/``overdue_total``. Each line says whether it is a 集体访 (``group``), 特急 (``urgent``),
    overdue (``overdue``). A fixed number of queries."""
    day = day or timezone.localdate()
    start = day - timedelta(days=1)
    documents = _document_items(day, limit, viewer)
    since, until = day_range(start, day)
    cases = visible_cases(viewer)
    # Each contact of the two days is tested on its own (correlated on its key): may the viewer open it, else which
    # case of it may they open. A plain ``pk IN (visible ...)`` would evaluate the visibility of every record.
    contacts = list(
        Contact.objects.filter(received_at__gte=since, received_at__lt=until)
        .exclude(status=Contact.Status.DRAFT)
        .annotate(
            may_open=Exists(visible_contacts(viewer).filter(pk=OuterRef("pk"))),
            case_code=Subquery(cases.filter(contact=OuterRef("pk")).order_by("-pk").values("code")[:1]),
        )
        .filter(Q(may_open=True) | Q(case_code__isnull=False))
        .order_by("received_at", "pk")
    )
    listed_cases = cases.exclude(status=PetitionCase.Status.WITHDRAWN).select_related("contact", "lead_department")
    # Sorted into due and overdue on the few fields the deadlines need; only the cases listed are then read whole.
    open_cases = list(cases.filter(status__in=OPEN).only("pk", "status", "received_on", "deadline", "extension_days"))
    due_cases = [c for c in open_cases if not c.is_overdue(day) and c.current_due <= day + timedelta(days=3)]
    overdue_cases = [c for c in open_cases if c.is_overdue(day)]
    case_totals = len(due_cases), len(overdue_cases)
    if limit is not None:  # the most pressing first, as for the files

        def due(case):
            return case.current_due

        due_cases = sorted(due_cases, key=due)[:limit]
        overdue_cases = sorted(overdue_cases, key=due)[:limit]
    # The new cases and the due and overdue ones listed, read whole in one query.
    new = Q(received_on__gte=start, received_on__lte=day)
    listed = {c.pk: c for c in listed_cases.filter(new | Q(pk__in=[c.pk for c in due_cases + overdue_cases]))}
    new_cases = sorted((c for c in listed.values() if start <= c.received_on <= day), key=_newest_first)
    due_cases = [listed[c.pk] for c in due_cases]
    overdue_cases = [listed[c.pk] for c in overdue_cases]
    lines = [_contact_line(c, _contact_url(c)) for c in contacts]
    calls = [line for line, c in zip(lines, contacts, strict=True) if c.channel == Contact.Channel.CALL]
    visits = [line for line, c in zip(lines, contacts, strict=True) if c.channel != Contact.Channel.CALL]
    return {
        "day": day,
        "start": start,
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
    }


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


def safe_rows(cases):
    """The export's rows with every cell a person typed made inert (township_office.exports.safe_row)."""
    for row in export_rows(cases):
        yield safe_row(row)


def export_csv(cases):
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(EXPORT_HEADER)
    writer.writerows(safe_rows(cases))
    return "\ufeff" + buffer.getvalue()  # BOM so that Excel opens the UTF-8 file correctly


def export_xlsx(cases):
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    sheet.title = "信访事项"
    sheet.append(EXPORT_HEADER)
    for row in safe_rows(cases):
        sheet.append(row)
    buffer = io.BytesIO()
    book.save(buffer)
    return buffer.getvalue()


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
