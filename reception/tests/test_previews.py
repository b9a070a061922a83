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


# --- 发票: its own kind, beside the 公函 in the plan's viewer -----------------------------------------------------


def with_invoice(reception, data=None, name="发票.pdf"):
    reception.invoices.save(name, ContentFile(data or preview_samples.pdf(2)))
    return reception


def test_invoice_is_a_tab_beside_the_letter_and_opens_page_by_page(client_for, clerk, make_reception):
    reception = with_invoice(make_reception())
    reception.letter_scan.save("公函.png", ContentFile(preview_samples.png()))
    client = client_for(clerk)
    page = client.get(f"/reception/{reception.code}/").content.decode()
    url = f"/preview/reception-invoice/{reception.code}/"
    assert f'href="{url}" data-preview-switch>发票</a>' in page  # a tap away from the 公函, opened first
    assert f"/preview/reception-letter/{reception.code}/page/1.png" in page
    viewer = client.get(url, headers={"X-Preview-Fragment": "1"}).content.decode()
    assert "共 2 页" in viewer and f'href="/reception/{reception.code}/invoices/"' in viewer
    image = client.get(f"{url}page/2.png")
    assert image.status_code == 200 and image["Content-Type"] == "image/png"


def test_invoice_alone_opens_in_the_page(client_for, clerk, make_reception):
    reception = make_reception()
    reception.letter_scan = ""
    reception.save(update_fields=["letter_scan"])
    with_invoice(reception, preview_samples.png(), name="发票.png")
    page = client_for(clerk).get(f"/reception/{reception.code}/").content.decode()
    assert f"/preview/reception-invoice/{reception.code}/page/1.png" in page
    assert "data-preview-switch" not in page and "reception-letter" not in page


def test_invoice_preview_is_404_to_whoever_may_not_open_the_reception(
    client_for, clerk, stranger, principal, make_reception
):
    reception = with_invoice(make_reception())
    url = f"/preview/reception-invoice/{reception.code}/"
    assert client_for(clerk).get(f"{url}page/1.png").status_code == 200
    for person in (stranger, principal):  # the principal leader takes no part in this plan
        client = client_for(person)
        assert client.get(reception.get_absolute_url()).status_code == 404
        assert client.get(url).status_code == 404
        assert client.get(f"{url}page/1.png").status_code == 404
    other = make_reception()  # a guessed code, or one of a plan without an invoice
    assert client_for(clerk).get(f"/preview/reception-invoice/{other.code}/").status_code == 404
    assert client_for(clerk).get("/preview/reception-invoice/not-a-code/").status_code == 404


def test_reception_without_invoice_shows_no_invoice_preview(client_for, clerk, make_reception):
    reception = make_reception()
    reception.letter_scan.save("公函.png", ContentFile(preview_samples.png()))
    client = client_for(clerk)
    page = client.get(f"/reception/{reception.code}/").content.decode()
    assert f"/preview/reception-letter/{reception.code}/page/1.png" in page
    assert "reception-invoice" not in page and "data-preview-switch" not in page
    assert client.get(f"/preview/reception-invoice/{reception.code}/").status_code == 404
    assert client.get(f"/preview/reception-invoice/{reception.code}/page/1.png").status_code == 404
