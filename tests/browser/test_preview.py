"""A leader reads a 来文 on a phone (390×844): PDF, Word and OFD, page by page, with zoom."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

from conftest import screenshot
from tests import preview_samples
from township_office import permissions
from township_office.models import User

pytestmark = pytest.mark.browser


def _incoming_for_leader(name, data, title):
    from documents import services

    clerk = User.objects.get(username="clerk")
    document = services.register_incoming(
        by=clerk, data={"source_org": "县应急管理局", "title": title}, files=[SimpleUploadedFile(name, data)]
    )
    permissions.grant(document, "view", users=[User.objects.get(username="principal_leader")])
    return document


def _first_page_drawn(page):
    first = page.locator(".preview-pages img").first
    first.wait_for()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=first.element_handle())
    return first


@pytest.mark.parametrize(
    "name,make",
    [
        ("通知.pdf", lambda: preview_samples.pdf(3)),
        pytest.param("通知.docx", lambda: preview_samples.docx(2), marks=pytest.mark.libreoffice),
        ("通知.ofd", lambda: preview_samples.ofd(2)),
    ],
)
def test_leader_reads_an_incoming_file_on_a_phone(browser_login, name, make):
    document = _incoming_for_leader(name, make(), f"关于做好冬季防火工作的通知（{name[-4:]}）")
    page = browser_login("principal_leader", phone=True)
    page.goto(f"{page.base_url}/documents/incoming/{document.code}/")
    first = _first_page_drawn(page)
    assert page.locator("[data-preview]").get_attribute("data-state") == "ready"
    assert page.get_by_role("link", name="下载原文件").is_visible()
    # Opened at 125 %: the type area fills the phone, the text is legible, the site's page no wider than the screen.
    assert page.locator("[data-zoom-level]").inner_text() == "125%"
    width = first.bounding_box()["width"]
    assert width / 595 * 16 >= 12  # 3号 (16 pt) text of an A4 page (595 pt wide) at 12 px or more
    assert page.evaluate("document.documentElement.scrollWidth") == 390
    body = page.locator("[data-preview-body]")
    assert body.evaluate("b => b.scrollLeft > 0 && Math.abs(b.scrollLeft - (b.scrollWidth - b.clientWidth) / 2) <= 1")
    screenshot(page, f"leader-phone-preview-{name[-3:]}")
    page.get_by_role("button", name="放大").click()
    assert page.locator("[data-zoom-level]").inner_text() == "150%"
    assert first.bounding_box()["width"] > width * 1.15
    page.get_by_role("button", name="缩小").click()
    page.get_by_role("button", name="缩小").click()  # 100 %: the whole page fits the viewer's width
    assert page.locator("[data-zoom-level]").inner_text() == "100%"
    whole = first.bounding_box()
    assert whole["width"] > 300 and whole["x"] >= 0 and whole["x"] + whole["width"] <= 390
    assert page.evaluate("document.documentElement.scrollWidth") == 390


def test_the_desktop_opens_the_page_whole(browser_login):
    document = _incoming_for_leader("通知.pdf", preview_samples.pdf(1), "关于做好冬季防火工作的通知")
    page = browser_login("principal_leader")
    page.goto(f"{page.base_url}/documents/incoming/{document.code}/")
    _first_page_drawn(page)
    assert page.locator("[data-zoom-level]").inner_text() == "100%"


def test_unreadable_file_offers_the_download(browser_login):
    document = _incoming_for_leader("坏文件.pdf", b"%PDF-1.4\n%%EOF\n", "无法预览的来文")
    page = browser_login("principal_leader", phone=True)
    page.goto(f"{page.base_url}/documents/incoming/{document.code}/")
    assert "该文件无法预览，请下载查看" in page.locator("[data-preview]").inner_text()
    assert page.get_by_role("link", name="下载原文件").is_visible()


def test_page_waits_for_the_worker_and_shows_the_pages(browser_login):
    """With a broker the request only queues the conversion; the page polls and shows the pages once done."""
    from unittest import mock

    from township_office import preview

    document = _incoming_for_leader("通知.ofd", preview_samples.ofd(2), "等待转换的来文")
    with mock.patch("township_office.tasks.convert_preview.delay") as delay:
        page = browser_login("principal_leader", phone=True)
        page.goto(f"{page.base_url}/documents/incoming/{document.code}/")
        assert "正在生成预览" in page.locator("[data-preview]").inner_text()
        screenshot(page, "leader-phone-preview-pending")
        preview.convert(*delay.call_args.args)  # what the worker does
        _first_page_drawn(page)
    assert page.locator("[data-preview]").get_attribute("data-state") == "ready"
    assert page.locator(".preview-pages img").count() == 2
    assert page.get_by_role("button", name="放大").is_visible()


def test_switching_between_attachments(browser_login):
    from documents import services

    clerk = User.objects.get(username="clerk")
    document = services.register_incoming(
        by=clerk,
        data={"source_org": "县政府", "title": "关于印发防汛预案的通知"},
        files=[
            SimpleUploadedFile("通知.pdf", preview_samples.pdf(1)),
            SimpleUploadedFile("附件1.png", preview_samples.png()),
        ],
    )
    permissions.grant(document, "view", users=[User.objects.get(username="principal_leader")])
    page = browser_login("principal_leader")
    page.goto(f"{page.base_url}/documents/incoming/{document.code}/")
    _first_page_drawn(page)
    page.locator("[data-preview-switch]", has_text="附件1.png").click()
    page.wait_for_function("() => document.querySelector('[data-preview-name]').textContent === '附件1.png'")
    _first_page_drawn(page)
    assert "共 1 页" in page.locator("[data-preview]").inner_text()
    assert "/attachments/" in page.get_by_role("link", name="下载原文件").get_attribute("href")
    screenshot(page, "leader-desktop-preview-switched")


@pytest.mark.parametrize(
    "name,make",
    [
        ("来文.pdf", lambda: preview_samples.pdf(2)),
        pytest.param("来文.docx", lambda: preview_samples.docx(2), marks=pytest.mark.libreoffice),
        ("来文.ofd", lambda: preview_samples.ofd(2)),
    ],
)
def test_leader_reads_then_instructs_on_a_phone(browser_login, name, make):
    """The story of issue 13: the 来文 is readable in the page, then the 批示 is written below it."""
    from documents import services, workflow
    from township_office.models import Department

    people = {u.username: u for u in User.objects.filter(username__in=["clerk", "office_director", "deputy_leader"])}
    document = services.register_incoming(
        by=people["clerk"],
        data={"source_org": "县人民政府办公室", "title": f"关于做好冬季森林防火工作的通知（{name[-4:]}）"},
        files=[SimpleUploadedFile(name, make())],
    )
    workflow.propose(
        document,
        by=people["office_director"],
        proposal="拟请陈刚副镇长阅示。",
        leaders=[people["deputy_leader"]],
        lead_department=Department.objects.get(name="农业农村办公室"),
    )
    leader = browser_login("deputy_leader", phone=True)
    leader.goto(f"{leader.base_url}/documents/incoming/{document.code}/")
    _first_page_drawn(leader)
    assert "共 2 页" in leader.locator("[data-preview]").inner_text()
    # The steps bar starts folded to the step's name, so it does not cover the pages; a tap unfolds 批示.
    assert not leader.is_visible("#id_instruct-text")
    leader.click("#step-instruct summary")
    leader.fill("#id_instruct-text", "请农业农村办公室抓紧落实，周五前报结果。")
    screenshot(leader, f"leader-phone-reads-then-instructs-{name[-3:]}")
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.click("#step-instruct button:has-text('批示') >> nth=0")
    assert "批示已签发" in leader.locator(".messages").inner_text()
