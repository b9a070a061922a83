"""发文 ends in the real document, on phones (390×844): the drafter composes it in the page, one 会签 unit without an
account signs on paper (recorded by the office), the leader signs it off, 编号 writes the 文号 into the typeset
document, 用印 is asked from that very file (no upload, the 签发 counts as the leader's approval), a village signs
for it and sees no internal opinion, and the paper copy to a village without an account is recorded."""

import io

import pytest
from django.utils import timezone

from conftest import screenshot
from township_office.models import IssuerCode, User

pytestmark = pytest.mark.browser

TITLE = "长官镇人民政府关于切实做好冬季森林防火工作的通知"
TEXT = """为切实做好今冬明春森林防火工作，现就有关事项通知如下。
一、压实防火责任
各村（居）委会主要负责人是本辖区森林防火第一责任人。
二、严格火源管控
（一）进入防火期后，严禁在林区野外用火。
（二）各村要在主要进山路口设立检查站。"""


def _open(page, name):
    step = page.locator(f"#step-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    step.locator("form").first.wait_for()


def _take(page, name, label):
    page.click(f"#step-{name} button:has-text('{label}') >> nth=0")


def _pdf_text(page, url):
    import pypdf

    response = page.request.get(url)
    assert response.status == 200 and response.headers["content-type"] == "application/pdf"
    reader = pypdf.PdfReader(io.BytesIO(response.body()))
    return len(reader.pages), "".join(p.extract_text() for p in reader.pages)


def test_a_composed_document_is_numbered_sealed_from_its_file_and_delivered(browser_login):
    from documents import workflow
    from documents.models import OutgoingDocument
    from seals import workflow as seals_workflow
    from seals.models import Seal, SealRequest

    people = {u.username: u for u in User.objects.all()}
    from seals.demo import seed as seed_seals

    seed_seals()

    # The drafter composes the 发文 on the phone: 财政所 (no account) countersigns, the villages receive it.
    staff = browser_login("department_staff", phone=True)
    staff.goto(staff.base_url + "/documents/outgoing/new/")
    staff.select_option("#id_issuer_code", label=str(IssuerCode.objects.get(code="长政发")))
    staff.fill("#id_title", TITLE)
    staff.fill("#id_main_recipients", "各村（居）委会，镇直各单位")
    staff.fill("#id_text", TEXT)
    staff.fill("#id_attachments_note", "长官镇森林防火责任人名单")
    staff.locator("#id_countersign_departments label", has_text="财政所").click()
    staff.locator("#id_recipient_departments button:has-text('全部村（居）')").click()
    screenshot(staff, "outgoing-compose-phone")
    staff.click("button:has-text('提交') >> nth=0")
    assert "已提交部门审核" in staff.locator(".messages").inner_text()
    document = OutgoingDocument.objects.get(title=TITLE)
    assert document.text.startswith("为切实做好")
    # the draft's document is in its page: 〔　　〕号 and 草稿 until 编号
    staff.locator(".preview-pages img").first.wait_for()
    pages, text = _pdf_text(staff, staff.base_url + f"/documents/outgoing/{document.code}/document.pdf")
    assert "草稿" in text and "〔" in text and "1号" not in text

    workflow.review(document, by=people["deputy_leader"], text="同意")
    workflow.check(document, by=people["office_director"], text="核稿无误，请财政所会签")

    # The office records 财政所's paper 会签.
    clerk = browser_login("clerk", phone=True)
    clerk.goto(clerk.base_url + document.get_absolute_url())
    _open(clerk, "countersign_on_paper")
    clerk.select_option("#id_countersign_on_paper-department", label="财政所")
    clerk.fill("#id_countersign_on_paper-signer", "周平")
    clerk.fill("#id_countersign_on_paper-signed_on", timezone.localdate().isoformat())
    clerk.fill("#id_countersign_on_paper-text", "同意，经费按预算执行。")
    _take(clerk, "countersign_on_paper", "登记纸质会签")
    assert "纸质会签已登记" in clerk.locator(".messages").inner_text()
    document.refresh_from_db()
    assert document.status == OutgoingDocument.Status.SIGN_OFF

    workflow.sign_off(document, by=people["deputy_leader"], text="同意印发")
    workflow.recheck(document, by=people["clerk"])

    # 编号 writes the 文号 into the document.
    clerk.reload()
    _open(clerk, "number")
    clerk.once("dialog", lambda dialog: dialog.accept())
    _take(clerk, "number", "编号")
    document.refresh_from_db()
    year = timezone.localdate().year
    assert document.doc_number == f"长政发〔{year}〕1号"
    pages, text = _pdf_text(clerk, clerk.base_url + f"/documents/outgoing/{document.code}/document.pdf")
    assert document.doc_number in text and "草稿" not in text and pages % 2 == 0

    # 申请用印 from that file: nothing to upload; the 签发 leader's approval counts.
    _open(clerk, "request_seal")
    clerk.locator("#step-request_seal label", has_text="长官镇人民政府").first.check()
    clerk.fill("#id_request_seal-copies", "20")
    clerk.once("dialog", lambda dialog: dialog.accept())
    _take(clerk, "request_seal", "申请用印")
    assert "用印申请已提交" in clerk.locator(".messages").inner_text()
    assert clerk.locator("#step-request_seal input[type=file]").count() == 0
    request = SealRequest.objects.get(linked_object_code=str(document.code))
    assert request.document_sha256 == document.typeset_sha256
    clerk.goto(clerk.base_url + request.get_absolute_url())
    assert "签发即批准" in clerk.locator("main").inner_text() and "陈刚" in clerk.locator("main").inner_text()
    screenshot(clerk, "outgoing-seal-request-from-document-phone")
    for step in ("approve_office", "approve_deputy", "approve_principal"):
        request.refresh_from_db()
        deciding = [u for u in people.values() if seals_workflow.requests.allows(request, u, step)]
        if deciding:
            assert people["deputy_leader"] not in deciding  # never asked twice
            getattr(seals_workflow, step)(request, by=deciding[0], comment="同意")
    request.refresh_from_db()
    seals_workflow.stamp(request, by=people["seal_keeper"], seal=Seal.objects.get(kind="government"), copies=20)
    workflow.seal(document, by=people["clerk"])
    workflow.issue(document, by=people["clerk"], copies=20, issued_on=timezone.localdate(), proofreader="孙悦")

    # 长官村 signs for the document: it names the 文号, no internal opinion is shown.
    village = browser_login("village_staff", phone=True)
    assert document.doc_number in village.locator("main").inner_text()  # 我的待办 names the 文号
    village.goto(village.base_url + document.get_absolute_url())
    main = village.locator("main").inner_text()
    assert document.doc_number in main
    for internal in ("审批意见", "核稿无误", "同意印发", "经费按预算执行", "流转记录", "发文稿纸"):
        assert internal not in main
    village.locator(".preview-pages img").first.wait_for()
    _open(village, "sign_for")
    _take(village, "sign_for", "签收")
    assert "已签收" in village.get_by_test_id("received").inner_text()
    assert village.evaluate("document.documentElement.scrollWidth") <= 390
    screenshot(village, "outgoing-village-signed-phone")

    # The office records the paper copy to 柳林村.
    clerk.goto(clerk.base_url + document.get_absolute_url())
    _open(clerk, "record_paper_delivery")
    clerk.select_option("#id_record_paper_delivery-delivery", label="柳林村村民委员会")
    now = timezone.localtime().replace(second=0, microsecond=0)
    clerk.fill("#id_record_paper_delivery-delivered_at", f"{now:%Y-%m-%dT%H:%M}")
    clerk.fill("#id_record_paper_delivery-receiver", "王秀兰")
    _take(clerk, "record_paper_delivery", "登记纸质送达")
    assert "纸质送达已登记" in clerk.locator(".messages").inner_text()
    row = clerk.get_by_test_id("deliveries").locator("tr", has_text="柳林村村民委员会").inner_text()
    assert "已纸质送达" in row and "王秀兰" in row
    screenshot(clerk, "outgoing-paper-delivery-phone")
