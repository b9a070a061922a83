"""密件登记 in a real browser: the clerk registers a 机密 paper file with two copies, hands copy 1 to the party
secretary, who confirms receipt on a phone and returns it; the clerk confirms the return and 清退 the copy to the
issuing unit. Nothing of the file's content is ever typed in."""

import pytest

from conftest import screenshot
from documents.models import SecretCopy, SecretEntry
from township_office.models import User

pytestmark = pytest.mark.browser


def _open(page, name):
    step = page.locator(f"#step-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()


def _take(page, name, label):
    page.click(f"#step-{name} button:has-text('{label}') >> nth=0")


def test_clerk_registers_hands_over_and_clears_a_paper_secret(browser_login):
    clerk = browser_login("clerk")
    clerk.click("a:has-text('登记密件')")
    assert "不得存储、处理国家秘密" in clerk.locator("main").inner_text()
    clerk.fill("#id_source_org", "县委办公室")
    clerk.fill("#id_doc_number", "县委办〔2026〕密8号")
    clerk.select_option("#id_secrecy", label="机密")
    clerk.fill("#id_secrecy_term", "10年")
    clerk.fill("#id_copies", "2")
    clerk.fill("#id_copy_numbers", "000041, 000042")
    screenshot(clerk, "secret-register-form")
    clerk.click("button:has-text('登记')")
    assert "共 2 份，由办公室保管" in clerk.locator(".messages").inner_text()
    entry = SecretEntry.objects.get()
    main = clerk.locator("main").inner_text()
    assert entry.number in main and "密件" in main and "第000041份" in main and "第000042份" in main
    screenshot(clerk, "secret-entry")

    clerk.click("a:has-text('第000041份')")
    _open(clerk, "hand_over")
    principal = User.objects.get(username="principal_leader")
    clerk.select_option("#id_hand_over-to", value=str(principal.pk))
    _take(clerk, "hand_over", "移交")
    assert "待对方确认接收" in clerk.locator(".messages").inner_text()
    assert "待确认接收" in clerk.locator("[data-testid=copy-status]").inner_text()
    screenshot(clerk, "secret-handed-over")

    leader = browser_login("principal_leader", phone=True)
    assert "确认接收密件" in leader.locator("main").inner_text()
    leader.click("a:has-text('第000041份')")
    _open(leader, "confirm")  # on a phone the steps bar starts folded
    leader.once("dialog", lambda dialog: dialog.accept())
    _take(leader, "confirm", "确认接收")
    assert "该份密件由您保管" in leader.locator(".messages").inner_text()
    assert principal.full_name in leader.locator("[data-testid=copy-holder]").inner_text()
    screenshot(leader, "secret-confirmed-phone")
    _open(leader, "give_back")
    _take(leader, "give_back", "退回办公室")
    assert "待办公室确认收到" in leader.locator(".messages").inner_text()
    screenshot(leader, "secret-returned-phone")

    copy = SecretCopy.objects.get(copy_number="000041")
    clerk.goto(clerk.base_url + copy.get_absolute_url())
    _open(clerk, "confirm_return")
    clerk.once("dialog", lambda dialog: dialog.accept())
    _take(clerk, "confirm_return", "确认退回")
    assert "由办公室保管" in clerk.locator(".messages").inner_text()
    _open(clerk, "clear")
    assert clerk.input_value("#id_clear-recipient") == "县委办公室"
    clerk.fill("#id_clear-recipient", "县委办公室机要室 李明")
    clerk.once("dialog", lambda dialog: dialog.accept())
    _take(clerk, "clear", "清退")
    assert "已登记清退" in clerk.locator(".messages").inner_text()
    main = clerk.locator("main").inner_text()
    assert "已清退" in main and "退交县委办公室机要室 李明" in main and "纸质批示" not in main
    assert f"{principal.full_name}确认收到" in main
    screenshot(clerk, "secret-cleared")
    copy.refresh_from_db()
    assert copy.status == SecretCopy.Status.CLEARED
