"""The favicon is the app's own, served without signing in."""


def test_favicon_is_served_by_the_app(client, township):
    page = client.get("/accounts/login/").content.decode()
    assert 'rel="icon"' in page and "township_office/favicon.svg" in page and "township_office/favicon.ico" in page
    response = client.get("/favicon.ico")  # asked for by pages without the link (PDFs, the admin), signed out too
    assert response.status_code == 302 and response["Location"].endswith("township_office/favicon.ico")
    icon = client.get(response["Location"])
    assert icon.status_code == 200 and b"".join(icon.streaming_content)[:4] == b"\x00\x00\x01\x00"
