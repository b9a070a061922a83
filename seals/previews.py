"""The attachments of this app shown in the page (township_office.preview): the file to be stamped."""

from django.urls import reverse

from township_office import preview

from .permissions import get_request_for_user


def request_document(user, ref):
    return describe_request(user, get_request_for_user(user, ref))


def describe_request(user, seal_request):
    return preview.PreviewFile(
        file=seal_request.document,
        name=seal_request.title,
        download_url=reverse("seals:request_document", args=[seal_request.code]),
        sha256=seal_request.document_sha256,
    )


preview.register("seal-document", request_document, describe=describe_request, label="待用印文件")
