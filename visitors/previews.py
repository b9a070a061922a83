"""The attachments of this app shown in the page (township_office.preview): the scan of a 来信.

Kept on the contact itself and reached by its code, through ``get_contact_for_user``: a stranger, the accused of
an accusation or a guessed code gets 404, as on the contact's page."""

from django.urls import reverse

from township_office import preview

from .permissions import get_contact_for_user


def letter_scan(user, ref):
    return describe_letter(user, get_contact_for_user(user, ref))


def describe_letter(user, contact):
    return preview.PreviewFile(
        file=contact.letter_scan,  # empty for a letter registered without one: the core answers 404
        name=f"来信扫描件 {contact.name}",
        download_url=reverse("visitors:contact_letter_scan", args=[contact.code]),
    )


preview.register("visitor-letter", letter_scan, describe=describe_letter, label="来信扫描件")
