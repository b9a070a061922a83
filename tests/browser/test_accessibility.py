"""Accessibility of the main pages, checked by axe-core in Debian's chromium, on a desktop (1280 px) and a phone
(390 px); and the phone menu by keyboard.

axe-core is a test asset vendored under tests/browser/vendor/ (MPL-2.0, see LICENSE there); it is never served to
users. The pages' Content-Security-Policy forbids inline scripts, so the test contexts bypass it to inject axe."""

from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse

from conftest import screenshot
from township_office.demo import DEMO_PASSWORD

pytestmark = pytest.mark.browser

AXE = Path(__file__).parent / "vendor" / "axe.min.js"
DESKTOP = {"viewport": {"width": 1280, "height": 900}}
PHONE = {"viewport": {"width": 390, "height": 844}, "is_mobile": True, "has_touch": True}
BLOCKING = ("serious", "critical")


def _context(browser, size):
    return browser.new_context(locale="zh-CN", bypass_csp=True, **size)


def _sign_in(page, base_url, username):
    page.goto(f"{base_url}/accounts/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", DEMO_PASSWORD)
    page.click("button[type=submit]")
    page.wait_for_url("**/todo/")


def _violations(page):
    """axe-core's serious and critical violations on the page as it is, one line each (rule, impact, where)."""
    page.add_script_tag(path=str(AXE))
    result = page.evaluate("() => axe.run(document, {resultTypes: ['violations']})")
    return [
        f"{v['id']} ({v['impact']}): {v['help']} — " + "; ".join(" ".join(n["target"]) for n in v["nodes"][:5])
        for v in result["violations"]
        if v["impact"] in BLOCKING
    ]


def _detail(queryset, user, flow=None):
    """The first visible record, one the person can act on when there is one (its step forms are on the page);
    None when the person sees none."""
    records = list(queryset[:30])
    if not records:
        return None
    if flow is not None:
        for record in records:
            if flow.available(record, user):
                return record
    return records[0]


def _main_pages(user):
    """我的待办 and its tabs, each app's lists, one detail page per app (with its step forms), the daily report."""
    from documents.permissions import visible_incoming, visible_outgoing
    from documents.workflow import incoming, outgoing
    from reception.permissions import visible_receptions
    from reception.workflow import plans
    from seals.permissions import visible_requests
    from seals.workflow import requests
    from visitors.permissions import visible_cases, visible_contacts
    from visitors.workflow import cases, contacts

    details = [
        ("documents:incoming_detail", _detail(visible_incoming(user), user, incoming)),
        ("documents:outgoing_detail", _detail(visible_outgoing(user), user, outgoing)),
        ("visitors:contact_detail", _detail(visible_contacts(user), user, contacts)),
        ("visitors:case_detail", _detail(visible_cases(user), user, cases)),
        ("seals:request_detail", _detail(visible_requests(user), user, requests)),
        ("reception:detail", _detail(visible_receptions(user), user, plans)),
    ]
    return details, [
        reverse("township_office:todo"),
        reverse("township_office:todo") + "?tab=read",
        reverse("township_office:todo") + "?tab=done",
        reverse("township_office:todo") + "?tab=started",
        reverse("documents:incoming_list"),
        reverse("documents:outgoing_list"),
        reverse("visitors:contact_list"),
        reverse("visitors:case_list"),
        reverse("seals:request_list"),
        reverse("seals:letter_list"),
        reverse("reception:list"),
        *(reverse(name, args=[record.code]) for name, record in details if record is not None),
        reverse("visitors:daily_report"),
    ]


@pytest.fixture
def demo(township):
    call_command("seed_demo", "--demo", stdout=open("/dev/null", "w"))


@pytest.mark.parametrize(
    "size,username",
    [(DESKTOP, "office_director"), (PHONE, "office_director"), (PHONE, "principal_leader")],
    ids=["1280", "390", "390-principal"],
)
def test_main_pages_have_no_serious_accessibility_violation(browser, live_server, demo, people, size, username):
    details, urls = _main_pages(people[username])
    if username == "office_director":  # the office sees a record of every kind: one detail page per app
        assert all(record is not None for _, record in details), details
    context = _context(browser, size)
    page = context.new_page()
    page.set_default_timeout(20000)
    found = {}
    page.goto(f"{live_server.url}/accounts/login/")
    if problems := _violations(page):
        found["/accounts/login/"] = problems
    _sign_in(page, live_server.url, username)
    for url in urls:
        response = page.goto(live_server.url + url)
        assert response.status == 200, url
        if problems := _violations(page):
            found[url] = problems
    context.close()
    assert not found, "\n".join(f"{url}\n  " + "\n  ".join(problems) for url, problems in found.items())


def test_phone_menu_works_by_keyboard(browser, live_server, township):
    context = _context(browser, PHONE)
    page = context.new_page()
    _sign_in(page, live_server.url, "principal_leader")
    toggle = page.locator("button.nav-toggle")
    menu = page.locator("#mainnav")
    assert toggle.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    assert toggle.get_attribute("aria-controls") == "mainnav"
    page.keyboard.press("Tab")  # the brand link comes first, then the menu button
    page.keyboard.press("Tab")
    assert page.evaluate("document.activeElement.className") == "nav-toggle"
    page.keyboard.press("Enter")
    assert toggle.get_attribute("aria-expanded") == "true"
    assert menu.locator("a", has_text="我的待办").is_visible()
    page.keyboard.press("Tab")  # the focus goes on into the menu's first link
    assert page.evaluate("document.activeElement.textContent").startswith("我的待办")
    screenshot(page, "phone-menu-keyboard")
    page.keyboard.press("Escape")  # folds it and gives the focus back to the button
    assert toggle.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    assert page.evaluate("document.activeElement.className") == "nav-toggle"
    page.keyboard.press("Enter")
    page.keyboard.press("Enter")  # the button is a toggle both ways
    assert toggle.get_attribute("aria-expanded") == "false" and not menu.is_visible()
    context.close()


def _target(page, selector):
    """The touch target of a control: its own box, or its label's when the label is larger (a tap on either works)."""
    return page.evaluate(
        """(selector) => Array.from(document.querySelectorAll(selector)).filter((el) => el.offsetParent !== null)
             .map((el) => {
               const boxes = [el, ...(el.labels || [])].map((e) => e.getBoundingClientRect());
               const best = boxes.reduce((a, b) => (a.width * a.height >= b.width * b.height ? a : b));
               return {name: el.name || el.textContent.trim(), width: best.width, height: best.height};
             })""",
        selector,
    )


def test_phone_touch_targets_are_44_px(browser, live_server, demo, people):
    context = _context(browser, PHONE)
    page = context.new_page()
    _sign_in(page, live_server.url, "office_director")
    menu = _target(page, "button.nav-toggle") + _target(page, ".userbox .bell") + _target(page, ".userbox button")
    assert [t["name"][:2] for t in menu] == ["菜单", "通知", "退出"]
    page.click("button.nav-toggle")
    menu += _target(page, ".mainnav a")
    from documents.models import IncomingDocument
    from documents.permissions import visible_incoming

    registered = visible_incoming(people["office_director"]).filter(status=IncomingDocument.Status.REGISTERED).first()
    page.goto(live_server.url + reverse("documents:incoming_detail", args=[registered.code]))
    for step in page.locator(".steps details.step").all():  # unfold every step form: its checkboxes are shown
        step.evaluate("(el) => { el.open = true; }")
        step.locator("form").wait_for()  # a closed step's form is fetched when it is unfolded
    boxes = _target(page, "main input[type=checkbox], main input[type=radio]")
    assert boxes, "the 拟办 form has checkboxes (呈批领导, 协办部门)"
    small = [t for t in menu + boxes if t["width"] < 44 or t["height"] < 44]
    assert not small, small
    context.close()


def test_without_javascript_the_phone_menu_stays_unfolded(browser, live_server, township):
    context = browser.new_context(locale="zh-CN", java_script_enabled=False, **PHONE)
    page = context.new_page()
    _sign_in(page, live_server.url, "principal_leader")
    assert not page.locator("button.nav-toggle").is_visible()  # a button that could do nothing is not offered
    assert page.locator("#mainnav a", has_text="我的待办").is_visible()
    assert page.locator("#mainnav a", has_text="每日汇报").is_visible()
    context.close()
