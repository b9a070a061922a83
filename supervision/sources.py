"""The records a 督办事项 may come from, read through their own app's access functions (404 when the person may
not open them), never their internals: a 收文 (its 批示 and 主办 department), a 信访事项 (its deadline and, for an
accusation, who is accused), a 发文."""

from dataclasses import dataclass, field

from django.apps import apps
from django.http import Http404

from township_office import visibility

from .models import SupervisionItem

INCOMING = "documents.incomingdocument"
PETITION = "visitors.petitioncase"
OUTGOING = "documents.outgoingdocument"
KIND_OF = {
    INCOMING: SupervisionItem.Source.INCOMING,
    PETITION: SupervisionItem.Source.PETITION,
    OUTGOING: SupervisionItem.Source.OUTGOING,
}


@dataclass
class Source:
    """What an item takes from its source when it is opened."""

    label: str  # the model label ("documents.incomingdocument")
    code: str
    kind: str  # SupervisionItem.Source
    title: str
    note: str  # 来源说明: the record's number and title
    url: str
    restricted: bool = False
    deadline: object = None
    lead_department: object = None
    leaders: list = field(default_factory=list)  # the leaders who instructed it (收文 批示, 信访 批示)
    accused_person: object = None
    accused_department: object = None


def _incoming(user, code):
    from documents.models import Assignment
    from documents.permissions import get_incoming_for_user

    document = get_incoming_for_user(user, code)
    lead = document.assignments.filter(role=Assignment.Role.LEAD).select_related("department").first()
    leaders = []
    for instruction in document.instructions.select_related("leader").order_by("signed_at", "pk"):
        if instruction.leader not in leaders:
            leaders.append(instruction.leader)
    return Source(
        INCOMING,
        str(document.code),
        SupervisionItem.Source.INCOMING,
        title=document.title,
        # a 内部/工作秘密 file is named by its number only: the note is read by everyone who may open the item
        note=(document.number if document.is_restricted else f"{document.number} {document.title}")[:200],
        url=document.get_absolute_url(),
        restricted=document.is_restricted,
        deadline=document.deadline,
        lead_department=lead.department if lead else None,
        leaders=leaders,
    )


def _petition(user, code):
    from visitors.permissions import get_case_for_user

    case = get_case_for_user(user, code)
    accusation = case.petition_type == type(case).Type.ACCUSATION
    return Source(
        PETITION,
        str(case.code),
        SupervisionItem.Source.PETITION,
        title=case.contact.matter[:200],
        note=f"信访事项 {case.number}"[:200],
        url=case.get_absolute_url(),
        deadline=case.effective_deadline if case.deadline else None,
        lead_department=case.lead_department,
        leaders=[case.instructing_leader] if case.instructing_leader_id else [],
        accused_person=case.accused_person if accusation else None,
        accused_department=case.accused_department if accusation else None,
    )


def _outgoing(user, code):
    from documents.permissions import get_outgoing_for_user

    document = get_outgoing_for_user(user, code)
    return Source(
        OUTGOING,
        str(document.code),
        SupervisionItem.Source.OUTGOING,
        title=document.title,
        note="发文（内部）" if document.is_restricted else f"发文 {document.title}"[:200],
        url=document.get_absolute_url(),
        restricted=document.is_restricted,
        lead_department=document.drafting_department,
    )


READERS = {INCOMING: ("documents", _incoming), PETITION: ("visitors", _petition), OUTGOING: ("documents", _outgoing)}


def read(user, label, code):
    """The source ``(label, code)`` as ``user`` may open it; Http404 when they may not, or it is not a source."""
    reader = READERS.get(label)
    if reader is None or not apps.is_installed(reader[0]):
        raise Http404("未找到督办来源")
    return reader[1](user, code)


URLS = {
    INCOMING: "documents:incoming_detail",
    PETITION: "visitors:case_detail",
    OUTGOING: "documents:outgoing_detail",
}


def url_of(item):
    """The source's page ("" for none): shown as a link only to who may open it."""
    from django.urls import NoReverseMatch, reverse

    name = URLS.get(item.source_type)
    try:
        return reverse(name, args=[item.source_code]) if name else ""
    except NoReverseMatch:
        return ""


def openable(user, items):
    """The refs among ``items``' sources that ``user`` may open (one query per kind of source)."""
    refs = {(i.source_type, i.source_code) for i in items if i.source_type and i.source_type in READERS}
    return visibility.openable(user, refs) if refs else set()
