"""印发 delivers, on phones (390×844): the drafter sends a 发文 to 全部村（居）, the office issues it and is told which
villages need the paper copy, 长官村's account finds it in 我的待办, reads the 正文 in the page and signs for it, and
the office sees 已签收 for 长官村 and 未签收 for the others."""

import pytest
from django.utils import timezone

from conftest import screenshot
from township_office.models import IssuerCode, User

pytestmark = pytest.mark.browser

TITLE = "关于做好冬季森林草原防火工作的通知"
VILLAGES = ["长官村村民委员会", "柳林村村民委员会", "石桥村村民委员会", "河东村村民委员会", "新民社区居民委员会"]
ON_PAPER = VILLAGES[1:]


def _open(page, name):
    step = page.locator(f"#step-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()


def _take(page, name, label):
    page.click(f"#step-{name} button:has-text('{label}') >> nth=0")


def _to_issuing(document, monkeypatch):
    """部门审核 → 核稿 → 签发 → 复核 → 编号 → 用印 (a fully stamped seal request stands in for the seals app)."""
    from documents import workflow

    people = {u.username: u for u in User.objects.all()}
    workflow.review(document, by=people["deputy_leader"], text="同意")
    workflow.check(document, by=people["office_director"], text="核稿无误")
    workflow.sign_off(document, by=people["deputy_leader"], text="同意印发")
    workflow.recheck(document, by=people["clerk"])
    workflow.number(document, by=people["clerk"])

    class Stamped:
        number, status, status_label, url, fully_stamped = "用印〔2026〕1号", "stamped", "已用印", "/seals/", True

    class Api:
        requests_for = staticmethod(lambda object_type, code: [Stamped()])
        new_request_url = staticmethod(lambda object_type, code, title: "")

    with monkeypatch.context() as patch:
        patch.setattr(workflow.outgoing_steps, "_seals_api", lambda: Api)
        workflow.seal(document, by=people["clerk"])


def test_a_village_receives_an_issued_document_and_signs_for_it(browser_login, monkeypatch):
    from documents.models import OutgoingDocument

    # The drafter chooses 全部村（居） with one tap.
    staff = browser_login("department_staff", phone=True)
    staff.goto(staff.base_url + "/documents/outgoing/new/")
    staff.select_option("#id_issuer_code", label=str(IssuerCode.objects.get(code="长政发")))
    staff.fill("#id_title", TITLE)
    staff.fill("#id_main_recipients", "各村（社区）")
    picker = staff.locator("#id_recipient_departments")
    picker.locator("button:has-text('全部村（居）')").click()
    checked = picker.locator("input:checked")
    assert checked.count() == len(VILLAGES)
    assert "柳林村村民委员会（无账号）" in picker.inner_text()
    staff.fill("#id_text", "为做好冬季森林草原防火工作，现通知如下。\n一、压实责任\n各村要层层落实防火责任。")
    screenshot(staff, "delivery-draft-to-all-villages-phone")
    staff.click("button:has-text('提交') >> nth=0")
    assert "已提交部门审核" in staff.locator(".messages").inner_text()
    document = OutgoingDocument.objects.get(title=TITLE)
    assert sorted(d.name for d in document.recipient_departments.all()) == sorted(VILLAGES)
    _to_issuing(document, monkeypatch)

    # The office issues it: the confirmation names the villages without an account.
    clerk = browser_login("clerk", phone=True)
    clerk.goto(clerk.base_url + document.get_absolute_url())
    _open(clerk, "issue")
    clerk.fill("#id_issue-copies", "30")
    clerk.fill("#id_issue-issued_on", timezone.localdate().isoformat())
    clerk.fill("#id_issue-proofreader", "孙悦")
    asked = []

    def accept(dialog):
        asked.append(dialog.message)
        dialog.accept()

    clerk.once("dialog", accept)
    _take(clerk, "issue", "印发")
    assert asked and "送达 1 个本镇单位" in asked[0] and "、".join(ON_PAPER) in asked[0]
    message = clerk.locator(".messages").inner_text()
    assert "已送达 1 个本镇单位签收" in message and "需纸质送达" in message
    screenshot(clerk, "delivery-issued-phone")

    # 长官村 finds it in 我的待办, reads the 正文 in the page, and signs.
    village = browser_login("village_staff", phone=True)
    todo = village.locator("main")
    assert TITLE in todo.inner_text() and "签收" in todo.inner_text()
    screenshot(village, "delivery-village-todo-phone")
    village.click(f"a:has-text('{TITLE}')")
    first = village.locator(".preview-pages img").first
    first.wait_for()
    village.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
    assert first.bounding_box()["width"] > 300
    assert village.locator("#step-sign_for").count() == 1
    screenshot(village, "delivery-village-reads-phone")
    _open(village, "sign_for")  # on a phone the steps bar starts folded under the document
    _take(village, "sign_for", "签收")
    assert "已签收" in village.locator(".messages").inner_text()
    own = village.get_by_test_id("received").inner_text()
    assert "长官村村民委员会" in own and "已签收" in own and "林红" in own
    assert not any(name in own for name in ON_PAPER)  # never the other villages' rows
    assert village.locator("#step-sign_for").count() == 0
    screenshot(village, "delivery-village-signed-phone")
    village.goto(village.base_url + "/documents/received/")
    assert TITLE in village.locator("main").inner_text()
    screenshot(village, "delivery-village-received-list-phone")

    # The office sees who signed, who read it, and who has not.
    clerk.reload()
    table = clerk.get_by_test_id("deliveries")
    assert "已签收 1 / 共 5 个单位" in table.inner_text()
    row = table.locator("tr", has_text="长官村村民委员会")
    assert "已签收" in row.inner_text() and "林红" in row.inner_text() and "已阅" in row.inner_text()
    for name in ON_PAPER:
        row = table.locator("tr", has_text=name)
        assert "未签收" in row.inner_text() and "无账号，需纸质送达" in row.inner_text()
    table.scroll_into_view_if_needed()
    screenshot(clerk, "delivery-office-sees-receipts-phone")
