import pytest

from conftest import screenshot

pytestmark = pytest.mark.browser


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
    desk.click("button:has-text('保存')")
    assert "校验位不正确" in desk.locator("main").inner_text()
    assert desk.input_value("#id_matter") == "承包地被邻村占用修路，补偿款未落实"  # nothing typed is lost
    desk.fill("#id_id_number", "330106197503120015")
    desk.click("button:has-text('保存')")
    assert "立为信访事项" in desk.locator(".messages").inner_text()
    url = desk.url
    screenshot(desk, "visitors-1-case-opened")

    director = browser_login("office_director")
    director.goto(url)
    director.select_option("#id_leader", label="陈刚（党委委员、副镇长）")
    director.select_option("#id_lead_department", label="自然资源所")
    director.check("#id_handled_with_opinion")
    director.click("button:has-text('受理并交办')")
    assert "已受理并交办" in director.locator(".messages").inner_text()

    deputy = browser_login("deputy_leader", phone=True)
    deputy.goto(url)
    deputy.fill("#instruct #id_text", "请自然资源所现场核实，依法处理。")
    deputy.click("button:has-text('提交批示')")
    screenshot(deputy, "visitors-2-instructed-phone")

    other = browser_login("department_staff")  # 农业农村办公室: not routed to it, so the case does not exist for them
    other.goto(url)
    assert "未找到" in other.locator("main").inner_text()

    staff = browser_login("resources_staff")
    staff.goto(url)
    staff.fill("#progress #id_text", "已现场核实，占地面积0.8亩。")
    staff.click("button:has-text('报告进展')")
    assert "进展已报告" in staff.locator(".messages").inner_text()

    director.goto(url)
    director.fill("form[action$='/reply/'] #id_text", "经核实，补偿款将于本月底前发放到位。")
    director.click("button:has-text('答复')")
    desk.goto(url)
    desk.check("input[name=satisfaction][value=satisfied]")
    desk.click("button:has-text('办结')")
    assert "已办结" in desk.locator(".details").inner_text()
    desk.goto(desk.base_url + "/visitors/daily/")  # the daily report is for the principal leaders
    assert "每日汇报供主要领导和办公室主任查阅" in desk.locator("main").inner_text()

    principal = browser_login("principal_leader", phone=True)
    principal.goto(principal.base_url + "/visitors/daily/")
    assert "新增信访事项" in principal.locator("main").inner_text()
    screenshot(principal, "visitors-3-daily-report-phone")
