"""The narrow interface other apps use: seal requests linked to their records."""

from dataclasses import dataclass
from urllib.parse import urlencode

from django.urls import reverse

from .models import SealRequest


@dataclass(frozen=True)
class SealRequestSummary:
    code: str
    number: str
    status: str
    status_label: str
    url: str
    fully_stamped: bool


def requests_for(object_type, object_code):
    rows = SealRequest.objects.filter(linked_object_type=object_type, linked_object_code=str(object_code)).exclude(
        status=SealRequest.Status.DRAFT  # a draft is its applicant's alone until submitted
    )
    return [
        SealRequestSummary(
            str(r.code), r.number, r.status, r.get_status_display(), r.get_absolute_url(), r.fully_stamped
        )
        for r in rows.order_by("created_at")
    ]


def new_request_url(object_type, object_code, title):
    query = urlencode({"link_type": object_type, "link_code": object_code, "title": title, "use_type": "document"})
    return f"{reverse('seals:request_create')}?{query}"
