"""The attachments of this app shown in the page (township_office.preview): the 公函 scan."""

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


preview.register("reception-letter", letter_scan, describe=describe_letter, label="公函")
