"""The 发文 正文 and the 收文 attachments in the page, through the documents access functions."""

from django.core.files.uploadedfile import SimpleUploadedFile

from documents import services
from tests import preview_samples
from township_office.models import IssuerCode


def test_an_uploaded_body_is_previewed_for_the_drafter_and_404_for_a_stranger(client_for, staff, stranger, township):
    """An older 发文 (an uploaded 正文, nothing composed): the page previews that file."""
    document = services.draft_outgoing(
        by=staff,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "关于秋冬季农田水利建设的实施意见",
            "doc_type": "意见",
            "main_recipients": "各村（居）委会",
        },
        body=SimpleUploadedFile("正文.pdf", preview_samples.pdf(2)),
        submit=False,
    )
    url = f"/preview/outgoing-body/{document.code}/"
    assert client_for(stranger).get(url).status_code == 404
    assert client_for(stranger).get(f"{url}page/1.png").status_code == 404
    client = client_for(staff)
    assert "共 2 页" in client.get(url).content.decode()
    assert client.get(f"{url}page/2.png").status_code == 200
    detail = client.get(f"/documents/outgoing/{document.code}/").content.decode()
    assert f"{url}page/1.png" in detail


def test_a_composed_body_is_previewed_as_the_typeset_document(client_for, staff, stranger, township):
    """A composed 发文: the page shows the typeset document (草稿 before 编号), the Word file is its 原稿."""
    document = services.draft_outgoing(
        by=staff,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "关于秋冬季农田水利建设的实施意见",
            "text": "为做好有关工作，现通知如下。\n一、总体要求\n请结合实际抓好落实。",
            "main_recipients": "各村（居）委会",
        },
        submit=False,
    )
    url = f"/preview/outgoing-document/{document.code}/"
    assert client_for(stranger).get(url).status_code == 404
    client = client_for(staff)
    viewer = client.get(url).content.decode()
    assert "共 2 页" in viewer  # the 版记 is on the back of the sheet: an even page
    assert client.get(f"{url}page/2.png").status_code == 200
    detail = client.get(f"/documents/outgoing/{document.code}/").content.decode()
    assert f"{url}page/1.png" in detail and "公文草稿 PDF" in detail
    assert "/preview/outgoing-body/" not in detail  # no 原稿: nothing was imported


def test_incoming_with_several_attachments_offers_each(client_for, clerk, township):
    from documents import services

    document = services.register_incoming(
        by=clerk,
        data={"source_org": "县政府", "title": "关于印发防汛预案的通知"},
        files=[
            SimpleUploadedFile("通知.pdf", preview_samples.pdf(1)),
            SimpleUploadedFile("附件1.png", preview_samples.png()),
        ],
    )
    first, second = document.attachments.all()
    html = client_for(clerk).get(f"/documents/incoming/{document.code}/").content.decode()
    assert f"/preview/incoming-attachment/{first.pk}/page/1.png" in html  # the first one open
    assert f'href="/preview/incoming-attachment/{second.pk}/"' in html  # the other a tap away


def test_the_viewer_costs_the_detail_page_no_query(client_for, clerk, township):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    from documents import services

    def queries(files):
        document = services.register_incoming(
            by=clerk, data={"source_org": "县政府", "title": "关于印发防汛预案的通知"}, files=files
        )
        client = client_for(clerk)
        client.get(f"/documents/incoming/{document.code}/")  # the preview cache is filled once
        with CaptureQueriesContext(connection) as captured:
            client.get(f"/documents/incoming/{document.code}/")
        return len(captured)

    assert queries([SimpleUploadedFile("通知.pdf", preview_samples.pdf(1))]) == queries([])
