"""公务接待 in the browser: a draft saved, submitted, 撤回, resubmitted and approved on the phone; a cancellation;
结算 with the 接待清单."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import screenshot
from tests import preview_samples

pytestmark = pytest.mark.browser
FMT = "%Y-%m-%dT%H:%M"


@pytest.fixture
def rooms(township):
    from reception.models import MeetingRoom

    return {n: MeetingRoom.objects.create(name=n) for n in ("一楼会议室", "三楼会议室")}


def open_step(page, step):
    details = page.locator(f"#step-{step}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def take(page, step):
    """Open a step of the 办理 panel and press its button (accepting the confirmation, if it asks one)."""
    details = open_step(page, step)
    if details.locator("form[data-confirm]").count():
        page.once("dialog", lambda dialog: dialog.accept())
    details.locator("button[type=submit]:not([name=next])").click()


def fill_plan(page, start, scan, diners="2"):
    page.fill("#id_visiting_unit", "县农业农村局")
    page.fill("#id_purpose", "高标准农田项目督导")
    page.fill("#id_letter_number", "县农函〔2026〕56号")
    page.fill("#id_letter_date", timezone.localdate().isoformat())
    page.set_input_files("#id_letter_scan", str(scan))
    page.fill("#id_start", start.strftime(FMT))
    page.fill("#id_end", (start + timedelta(hours=5)).strftime(FMT))
    page.check("#id_has_meal")
    page.fill("#id_meal_time", (start + timedelta(hours=3)).strftime(FMT))
    page.fill("#id_meal_place", "镇机关食堂")
    page.fill("#id_meal_menu", "家常菜四菜一汤")
    page.fill("#id_meal_cost_per_person", "40")
    guests = page.locator("[data-formset=guests]")
    for i, name in enumerate(["赵建平", "钱红", "孙伟"]):
        if i:
            guests.locator("[data-add-row]").click()  # the form starts with one row
        page.fill(f"#id_guests-{i}-name", name)
        page.fill(f"#id_guests-{i}-unit", "县农业农村局")
        page.fill(f"#id_guests-{i}-title", "科员")
    page.fill("#id_items-0-start", start.strftime(FMT))
    page.fill("#id_items-0-end", (start + timedelta(hours=1)).strftime(FMT))
    page.fill("#id_items-0-place", "一楼会议室")
    page.fill("#id_items-0-activity", "听取项目汇报")
    page.fill("#id_meal_diners", diners)


def test_draft_submit_withdraw_resubmit_and_approve_on_phone(browser_login, rooms, tmp_path):
    scan = tmp_path / "公函.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    start = (timezone.localtime() + timedelta(days=4)).replace(hour=9, minute=30, second=0, microsecond=0)
    clerk = browser_login("clerk")
    clerk.click("text=新建接待")
    fill_plan(clerk, start, scan, diners="5")  # 3 guests allow at most 3 diners
    clerk.check("#id_accompanying_leaders label:has-text('陈刚') input")
    clerk.check("#id_is_major")  # a major reception: the principal leader decides
    check = clerk.locator("[data-rule-check]")
    check.locator("text=陪餐人数 5 人超过规定").wait_for()  # the rules are checked as the plan is typed
    screenshot(clerk, "reception-1-rules-while-typing")
    clerk.fill("#id_meal_diners", "2")
    check.locator("text=方案符合接待规定").wait_for()
    clerk.click("button:has-text('保存草稿')")
    assert "草稿已保存" in clerk.locator(".messages").inner_text()
    assert "方案编制中" in clerk.locator("[data-testid=status]").inner_text()
    url = clerk.url
    clerk.goto(clerk.base_url + "/todo/?tab=started")
    assert "县农业农村局" in clerk.locator("main").inner_text()
    clerk.goto(url)
    take(clerk, "submit")
    assert "已提交审批" in clerk.locator(".messages").inner_text()
    take(clerk, "withdraw")
    assert "已撤回" in clerk.locator(".messages").inner_text()
    assert "方案编制中" in clerk.locator("[data-testid=status]").inner_text()
    screenshot(clerk, "reception-2-withdrawn-draft")
    take(clerk, "submit")
    assert "待审批" in clerk.locator("[data-testid=status]").inner_text()

    director = browser_login("principal_leader", phone=True)
    assert "审批接待方案" in director.locator("main").inner_text()  # 我的待办
    director.goto(url)
    open_step(director, "approve")
    director.fill("#id_approve-comment", "同意，按标准接待")
    screenshot(director, "reception-3-leader-approving-on-phone")
    questions = []
    director.once("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    director.locator("#step-approve button[type=submit]:not([name=next])").click()
    director.wait_for_load_state()
    assert questions == ["批准后即按此方案接待，确定批准吗？"]
    assert "已批准" in director.locator(".messages").inner_text()
    screenshot(director, "reception-3-leader-approved-on-phone")

    leader = browser_login("deputy_leader", phone=True)
    leader.goto(leader.base_url + "/todo/?tab=read")
    assert "陪同接待" in leader.locator("main").inner_text()
    leader.goto(url)
    take(leader, "acknowledge")
    assert "已阅" in leader.locator(".messages").inner_text()
    assert leader.locator("#step-acknowledge").count() == 0


def test_office_cancels_a_reception_with_a_reason(browser_login, rooms, tmp_path):
    scan = tmp_path / "公函.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    start = (timezone.localtime() + timedelta(days=5)).replace(hour=14, minute=0, second=0, microsecond=0)
    clerk = browser_login("clerk")
    clerk.goto(clerk.base_url + "/reception/new/")
    fill_plan(clerk, start, scan)
    clerk.click("button:has-text('保存并提交审批')")
    assert "待审批" in clerk.locator("[data-testid=status]").inner_text()
    open_step(clerk, "cancel")
    clerk.fill("#id_cancel-reason", "来访单位行程调整，改期另行商定")
    screenshot(clerk, "reception-4-cancel-with-reason")
    take(clerk, "cancel")
    assert "接待已取消" in clerk.locator(".messages").inner_text()
    assert "已取消" in clerk.locator("[data-testid=status]").inner_text()
    assert "来访单位行程调整" in clerk.locator("main").inner_text()
    assert clerk.locator("#step-cancel").count() == 0


def test_closing_after_the_reception_gives_the_list(browser_login, make_reception_for_browser):
    reception = make_reception_for_browser
    clerk = browser_login("clerk")
    clerk.goto(clerk.base_url + reception.get_absolute_url())
    open_step(clerk, "close")
    clerk.fill("#id_close-actual_attendees", "陈刚、黄磊")
    clerk.fill("#id_close-meal_cost", "200")
    clerk.fill("#id_close-lodging_cost", "0")
    clerk.fill("#id_close-transport_cost", "35.5")
    clerk.fill("#id_close-other_cost", "0")
    clerk.set_input_files("#id_close-invoices", reception.scan_path)
    take(clerk, "close")
    assert "接待清单已生成" in clerk.locator(".messages").inner_text()
    assert clerk.locator("[data-testid=closing] a:has-text('发票')").count() == 1
    # The 发票 is a tab of the viewer, beside the 公函 opened first: one tap shows its pages in place.
    viewer = clerk.locator("[data-preview]")
    assert viewer.locator("[data-preview-name]").inner_text().startswith("公函")
    viewer.locator("[data-preview-switch]:has-text('发票')").click()
    viewer.locator("[data-preview-name]:has-text('发票')").wait_for()
    viewer.locator("img[data-page='1']").wait_for()
    assert viewer.locator("[data-preview-download]").get_attribute("href").endswith(f"/{reception.code}/invoices/")
    assert clerk.url.endswith(reception.get_absolute_url())  # switched in the page, not followed
    response = clerk.request.get(clerk.url + "list.pdf")
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text().replace(" ", "")
    assert "公务接待清单" in text and "235.50" in text and "来宾0" in text


@pytest.fixture
def make_reception_for_browser(township, people, tmp_path):
    """An approved reception that ended yesterday, its checklist ticked."""
    from datetime import timedelta as td
    from decimal import Decimal

    from django.core.files.base import ContentFile

    from reception import workflow
    from reception.models import Guest, Reception
    from township_office import worklist

    start = timezone.now().replace(microsecond=0) - td(days=1)
    reception = Reception(
        visiting_unit="县农业农村局",
        purpose="项目督导",
        letter_number="县农函〔2026〕57号",
        letter_date=timezone.localdate(),
        start=start,
        end=start + td(hours=4),
        meal_cost_per_person=Decimal("0"),
        created_by=people["clerk"],
    )
    reception.letter_scan.save("公函.pdf", ContentFile(b"%PDF-1.4"), save=False)
    reception.save()
    worklist.track(reception, kind="公务接待", initiator=people["clerk"])
    Guest.objects.create(reception=reception, name="来宾0", unit="县农业农村局", title="科员")
    workflow.submit(reception, by=people["clerk"])
    workflow.approve(Reception.objects.get(pk=reception.pk), by=people["office_director"])
    scan = tmp_path / "发票.pdf"
    scan.write_bytes(preview_samples.pdf(1))
    reception.scan_path = str(scan)
    return reception
