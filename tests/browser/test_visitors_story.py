import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


def _confirming(page, expected):
    """Accept the next confirmation dialog, checking what it asks."""
    asked = []

    def answer(dialog):
        asked.append(dialog.message)
        dialog.accept()

    page.once("dialog", answer)
    return asked


def test_front_desk_saves_a_draft_and_submits_it_later(browser_login):
    desk = browser_login("front_desk", phone=True)
    desk.goto(desk.base_url + "/visitors/new/")
    desk.fill("#id_name", "刘桂兰")
    desk.fill("#id_phone", "139 0571 0008")
    desk.select_option("#id_category", "civil")
    desk.click("button:has-text('保存草稿')")
    assert "草稿已保存" in desk.locator(".messages").inner_text()
    assert "草稿" in desk.locator(".details").inner_text()
    screenshot(desk, "visitors-draft-1-saved-phone")

    desk.goto(desk.base_url + "/todo/?tab=started")  # 我发起的
    desk.click("text=刘桂兰")
    desk.click("[data-testid=edit-draft]")
    assert desk.input_value("#id_phone") == "13905710008"  # stored normalised
    desk.fill("#id_address", "柳林村二组")
    desk.fill("#id_matter", "反映低保复审材料已交两个月未有答复")
    desk.click("button:has-text('提交登记')")  # a visit needs the ID number: refused beside the field, nothing lost
    assert "来访请登记身份证号" in desk.locator(".field.has-error").inner_text()
    assert desk.input_value("#id_matter") == "反映低保复审材料已交两个月未有答复"
    screenshot(desk, "visitors-draft-2-refused-phone")
    desk.fill("#id_id_number", "３３０１０６１９８００１０１００２１")  # full-width digits from a phone keyboard
    desk.click("button:has-text('提交登记')")
    assert "已登记" in desk.locator(".messages").inner_text()
    assert "待处理" in desk.locator(".details").inner_text()
    assert "3301**********0021" in desk.locator(".details").inner_text()
    screenshot(desk, "visitors-draft-3-submitted-phone")


def test_petition_story(browser_login):
    desk = browser_login("front_desk")
    desk.click("text=来访登记")
    desk.click(".page-head a.primary")
    desk.fill("#id_name", "张建军")
    desk.fill("#id_id_number", "330106197503120016")  # a typo in the check digit
    desk.fill("#id_phone", "13905710003")
    desk.fill("#id_address", "石桥村五组")
    desk.select_option("#id_category", "land")
    desk.fill("#id_matter", "承包地被邻村占用修路，补偿款未落实")
    desk.check("input[name=outcome][value=case]")
    desk.select_option("#id_petition_type", "claim")
    desk.click("button:has-text('提交登记')")
    assert "校验位不正确" in desk.locator("main").inner_text()
    assert desk.input_value("#id_matter") == "承包地被邻村占用修路，补偿款未落实"  # nothing typed is lost
    desk.fill("#id_id_number", "330106197503120015")
    desk.click("button:has-text('提交登记')")
    assert "立为信访事项" in desk.locator(".messages").inner_text()
    url = desk.url
    screenshot(desk, "visitors-1-case-opened")

    director = browser_login("office_director")
    director.goto(url)
    director.click("#step-accept summary")
    assert director.input_value("#id_accept-deadline")  # pre-filled from the case type
    director.select_option("#id_accept-leader", label="陈刚（党委委员、副镇长）")
    director.select_option("#id_accept-lead_department", label="综合文化站（无账号）")
    asked = _confirming(director, "开始计算办理期限")  # 受理 cannot be undone
    director.click("#step-accept button.primary")
    director.wait_for_selector("#step-accept .field.has-error")
    assert asked and "开始计算办理期限" in asked[0]
    assert "没有可用的用户账号" in director.locator("#step-accept .field.has-error").inner_text()
    director.select_option("#id_accept-lead_department", label="自然资源所")
    _confirming(director, "开始计算办理期限")
    director.click("#step-accept button.primary")
    assert "已受理并交办" in director.locator(".messages").inner_text()

    deputy = browser_login("deputy_leader", phone=True)
    deputy.goto(deputy.base_url + "/todo/")
    deputy.click("text=待批示")
    deputy.click("#step-instruct summary")  # on a phone the steps bar starts folded
    deputy.fill("#id_instruct-text", "请自然资源所现场核实，依法处理。")
    screenshot(deputy, "visitors-2-instruct-phone")
    asked = _confirming(deputy, "批示提交后不能修改")
    deputy.click("#step-instruct button.primary")
    deputy.wait_for_selector(".messages")
    assert asked == ["批示提交后不能修改，确定提交吗？"]
    assert "已批示" in deputy.locator(".messages").inner_text()
    assert "请自然资源所现场核实" in deputy.locator(".details").inner_text()
    screenshot(deputy, "visitors-3-instructed-phone")

    other = browser_login("department_staff")  # 农业农村办公室: not routed to it, so the case does not exist for them
    other.goto(url)
    assert "未找到" in other.locator("main").inner_text()

    staff = browser_login("resources_staff")
    staff.goto(url)
    staff.fill("#id_report_progress-text", "已现场核实，占地面积0.8亩。")
    staff.click("#step-report_progress button.primary")
    assert "已报告办理进展" in staff.locator(".messages").inner_text()

    director.goto(url)
    director.click("#step-reply summary")
    director.fill("#id_reply-text", "经核实，补偿款将于本月底前发放到位。")
    _confirming(director, "答复")
    director.click("#step-reply button.primary")
    director.wait_for_selector(".messages")
    desk.goto(url)
    desk.click("#step-close summary")
    desk.check("input[name=close-satisfaction][value=satisfied]")
    asked = _confirming(desk, "结案")  # 办结 cannot be undone
    desk.click("#step-close button.primary")
    desk.wait_for_selector(".messages")
    assert asked and "结案" in asked[0]
    assert "已办结" in desk.locator(".details").inner_text()
    desk.goto(desk.base_url + "/visitors/daily/")  # the daily report is for the principal leaders
    assert "每日汇报供主要领导和办公室主任查阅" in desk.locator("main").inner_text()

    principal = browser_login("principal_leader", phone=True)
    principal.goto(principal.base_url + "/visitors/daily/")
    assert "新增信访事项" in principal.locator("main").inner_text()
    screenshot(principal, "visitors-4-daily-report-phone")


def test_principal_finds_the_morning_report_without_a_broker(browser_login, settings):
    """One-PC install, no broker and no beat: the first request after the report hour makes the PDFs."""
    from visitors import daily

    settings.DAILY_REPORT_IN_PROCESS = True
    settings.DAILY_REPORT_HOUR, settings.DAILY_REPORT_MINUTE = 0, 0
    daily._checked["day"] = None
    principal = browser_login("principal_leader", phone=True)
    principal.goto(principal.base_url + "/notifications/")
    link = principal.locator("a", has_text="每日来文来电来访汇报").first
    screenshot(principal, "visitors-5-morning-report-notification-phone")
    response = principal.request.get(principal.base_url + link.get_attribute("href"))  # follows to the PDF
    assert response.ok and response.headers["content-type"] == "application/pdf"
    assert response.body().startswith(b"%PDF")
    director = browser_login("office_director")
    director.goto(director.base_url + "/visitors/daily/")
    asked = _confirming(director, "生成今日汇报")
    director.click("[data-testid=generate-report]")
    director.wait_for_selector(".messages")
    assert asked and "已生成今日汇报（2份）" in director.locator(".messages").inner_text()
    principal.goto(principal.base_url + "/visitors/daily/")
    assert principal.locator("text=今日汇报 PDF").is_visible()
    screenshot(principal, "visitors-6-daily-report-phone")


def test_front_desk_registers_a_letter_with_its_scan_on_a_phone(browser_login):
    """来信 at 390×844: its own form (no 集体访代表), an error keeps the chosen scan, and the scan is read in the page."""
    from datetime import timedelta

    from django.utils import timezone

    from tests import preview_samples

    postmark = timezone.localdate() - timedelta(days=3)
    desk = browser_login("front_desk", phone=True)
    desk.goto(desk.base_url + "/visitors/new/")
    desk.click("[data-testid=letter-link]")
    form = desk.locator("[data-testid=letter-form]")
    assert "集体访代表" not in form.inner_text() and desk.locator("#id_people_count").count() == 0
    width = desk.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the letter form is {width}px wide on a 390px phone"
    desk.fill("#id_name", "王秀英")
    desk.fill("#id_postmark_date", postmark.isoformat())
    desk.select_option("#id_category", "land")
    desk.fill("#id_matter", "来信反映承包地被占用，请求依法处理")
    desk.set_input_files(
        "#id_letter_scan", files=[{"name": "来信.pdf", "mimeType": "application/pdf", "buffer": preview_samples.pdf(1)}]
    )
    desk.click("button:has-text('提交登记')")  # no address: refused beside the field, the scan kept
    assert "来信请登记来信人地址" in desk.locator(".field.has-error").inner_text()
    held = desk.locator("[data-testid=held-files]")
    assert "来信.pdf" in held.inner_text() and held.locator("input[type=checkbox]").is_checked()
    assert desk.input_value("#id_matter") == "来信反映承包地被占用，请求依法处理"
    screenshot(desk, "visitors-letter-1-refused-phone")
    desk.fill("#id_address", "石桥村三组12号")
    desk.click("button:has-text('提交登记')")
    assert "已登记" in desk.locator(".messages").inner_text()
    details = desk.locator(".details").inner_text()
    assert f"{postmark.year}年{postmark.month}月{postmark.day}日" in details and "石桥村三组12号" in details
    viewer = desk.locator(".preview img").first
    viewer.wait_for(state="attached")
    assert "/preview/visitor-letter/" in viewer.get_attribute("src")
    screenshot(desk, "visitors-letter-2-registered-phone")
