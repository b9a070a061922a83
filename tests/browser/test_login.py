import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_clerk_logs_in_and_reaches_todo(browser_login):
    page = browser_login("clerk")
    assert page.locator("h1").inner_text() == "我的待办"
    assert "孙悦" in page.locator(".userbox").inner_text()
    screenshot(page, "clerk-todo")


def test_wrong_password_shows_chinese_error(browser, live_server, township):
    context = browser.new_context(locale="zh-CN")
    page = context.new_page()
    page.goto(f"{live_server.url}/accounts/login/")
    page.fill("#id_username", "clerk")
    page.fill("#id_password", "not-the-password")
    page.click("button[type=submit]")
    assert "请输入一个正确的" in page.locator(".errors").inner_text()
    context.close()


def test_phone_menu_opens(browser_login):
    page = browser_login("principal_leader", phone=True)
    assert not page.locator(".mainnav").is_visible()
    page.click("button.nav-toggle")
    assert page.locator(".mainnav a", has_text="我的待办").is_visible()
    screenshot(page, "principal-phone-menu")
