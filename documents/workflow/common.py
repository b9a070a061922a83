"""What both flows share: the state names, people of departments, ranks, archive codes."""

from township_office.models import Township, User
from township_office.steps import Refused

from ..forms import STATE_SECRET_REFUSAL
from ..models import IncomingDocument, OutgoingDocument, StateSecrecy

In = IncomingDocument.Status
Out = OutgoingDocument.Status


def _members(departments):
    return list(User.objects.filter(department__in=departments, is_active=True))


def _by_rank(users):
    return sorted(set(users), key=lambda u: (getattr(getattr(u, "position", None), "rank", 999), u.pk))


def archive_code_for(year, retention, number):
    township = Township.current()
    return f"{township.fonds_code}-{year}-{retention}-{township.office_code}-{number:04d}"


def refuse_state_secret(secrecy):
    """A state-secret level never reaches a stored 收文 or 发文 (保守国家秘密法): only the paper register keeps it."""
    if secrecy in StateSecrecy.values:
        raise Refused(STATE_SECRET_REFUSAL)
