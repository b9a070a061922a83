"""The attachments of this app shown in the page (township_office.preview): the 公函 scan and the 发票.

Both are kept on the reception itself and reached by its code, through ``get_reception_for_user``: a stranger or
a guessed code gets 404. The plan's page shows them in one viewer, the first present opened, the other a tap away
(``attachments_viewer``)."""

from django.http import Http404
from django.urls import reverse

from township_office import preview

from .permissions import get_reception_for_user


def letter_scan(user, ref):
    return describe_letter(user, get_reception_for_user(user, ref))


def describe_letter(user, reception):
    return preview.PreviewFile(
        file=reception.letter_scan,  # empty when no letter was uploaded: the core answers 404
        name=f"公函 {reception.letter_number}".strip(),
        download_url=reverse("reception:letter_scan", args=[reception.code]),
    )


def invoices(user, ref):
    return describe_invoices(user, get_reception_for_user(user, ref))


def describe_invoices(user, reception):
    return preview.PreviewFile(
        file=reception.invoices,  # uploaded at 结算, if at all: empty before, and the core answers 404
        name="发票",
        download_url=reverse("reception:invoices", args=[reception.code]),
    )


preview.register("reception-letter", letter_scan, describe=describe_letter, label="公函")
preview.register("reception-invoice", invoices, describe=describe_invoices, label="发票")

# The plan's attachments in the order its page offers them: the kind, the label of its tab, the file field.
ATTACHMENTS = (("reception-letter", "公函", "letter_scan"), ("reception-invoice", "发票", "invoices"))


def attachments_viewer(user, reception):
    """The viewer of the plan's page (``includes/preview_viewer.html``): the first attachment stored opened, each
    other one a tab. ``reception`` was loaded through get_reception_for_user, so this costs the page no query."""
    present = [(kind, label) for kind, label, field in ATTACHMENTS if getattr(reception, field)]
    if not present:
        return {"state": "none"}
    ref = str(reception.code)
    try:
        context = preview.viewer_context(user, present[0][0], ref, loaded=reception)
    except Http404:
        return {"state": "none"}
    if len(present) > 1:
        context["files"] = [
            {"name": label, "url": reverse("township_office:preview", args=[kind, ref]), "current": index == 0}
            for index, (kind, label) in enumerate(present)
        ]
    return context
