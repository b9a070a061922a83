"""The 公函 scan in the page, through get_reception_for_user; a reception without a scan shows no viewer."""

from django.core.files.base import ContentFile

from tests import preview_samples


def test_letter_scan_is_previewed_for_the_office_and_404_for_a_stranger(client_for, clerk, stranger, make_reception):
    reception = make_reception()
    reception.letter_scan.save("公函.png", ContentFile(preview_samples.png()))
    url = f"/preview/reception-letter/{reception.code}/"
    assert client_for(stranger).get(url).status_code == 404
    client = client_for(clerk)
    assert "共 1 页" in client.get(url).content.decode()
    page = client.get(f"{url}page/1.png")
    assert page.status_code == 200 and page["Content-Type"] == "image/png"
    assert f"{url}page/1.png" in client.get(f"/reception/{reception.code}/").content.decode()


def test_reception_without_letter_scan_has_no_viewer(client_for, clerk, make_reception):
    reception = make_reception()
    reception.letter_scan = ""
    reception.save(update_fields=["letter_scan"])
    client = client_for(clerk)
    assert client.get(f"/reception/{reception.code}/").status_code == 200
    assert "data-preview" not in client.get(f"/reception/{reception.code}/").content.decode()
    assert client.get(f"/preview/reception-letter/{reception.code}/").status_code == 404
