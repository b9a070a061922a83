"""The file to be stamped in the page, through get_request_for_user; its stored digest keys the cache."""

from django.core.files.uploadedfile import SimpleUploadedFile

from tests import preview_samples
from township_office import preview

from .conftest import submit_request


def test_file_to_stamp_is_previewed_for_the_applicant_and_404_for_a_stranger(client_for, staff, stranger, seals):
    request = submit_request(
        by=staff,
        seals=[seals["长官镇农业农村办公室"]],
        document=SimpleUploadedFile("证明.pdf", preview_samples.pdf(1)),
        data={
            "title": "补贴发放情况证明",
            "recipient": "县农业农村局",
            "purpose": "报送",
            "copies": 2,
            "use_type": "certificate",
        },
    )
    url = f"/preview/seal-document/{request.code}/"
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(stranger).get(f"{url}page/1.png").status_code == 404
    client = client_for(staff)
    assert "共 1 页" in client.get(url).content.decode()
    assert client.get(f"{url}page/1.png").status_code == 200
    assert f"{url}page/1.png" in client.get(f"/seals/{request.code}/").content.decode()
    assert preview.digest(preview.resolve(staff, "seal-document", request.code)) == request.document_sha256
