import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_seal_story(browser_login, seals, tmp_path):
    pdf = tmp_path / "项目申报书.pdf"
    pdf.write_bytes(b"%PDF-1.4\n%%EOF\n")
    staff = browser_login("department_staff")
    staff.click("text=用印")
    staff.click("text=申请用印")
    staff.check("label:has-text('长官镇人民政府') input")
    staff.select_option("#id_use_type", "document")
    staff.fill("#id_title", "高标准农田建设项目申报书")
    staff.fill("#id_recipient", "县发展和改革局")
    staff.fill("#id_purpose", "申报2027年项目")
    staff.fill("#id_copies", "2")
    staff.set_input_files("#id_document", str(pdf))
    staff.click("button:has-text('提交申请')")
    assert "已提交" in staff.locator(".messages").inner_text()
    url = staff.url

    deputy = browser_login("deputy_leader", phone=True)
    deputy.goto(url)
    deputy.fill("#id_comment", "同意")
    screenshot(deputy, "seals-1-deputy-approves-phone")
    deputy.click("button:has-text('提交审批')")
    assert "审批意见已提交" in deputy.locator(".messages").inner_text()

    principal = browser_login("principal_leader", phone=True)
    principal.click("text=待审批用印")
    principal.click("button:has-text('提交审批')")
    assert "已批准待用印" in principal.locator(".details").inner_text()

    keeper = browser_login("seal_keeper")
    keeper.goto(url)
    keeper.click("button:has-text('登记用印')")
    assert "已用印" in keeper.locator(".details").inner_text()
    screenshot(keeper, "seals-2-stamped")
    keeper.click("text=用印登记簿")
    assert "哈希链校验通过" in keeper.locator("main").inner_text()
    response = keeper.request.get(keeper.url.split("?")[0] + "?format=pdf")
    assert response.headers["content-type"] == "application/pdf"
