"""The documents story in a real browser: register → propose → instruct on a phone → complete → print."""

import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_incoming_story(browser_login):
    clerk = browser_login("clerk")
    clerk.click("text=收文")
    clerk.click("text=登记收文")
    clerk.fill("#id_source_org", "县人民政府办公室")
    clerk.fill("#id_source_doc_number", "县政办发〔2026〕41号")
    clerk.fill("#id_title", "关于做好冬季森林防火工作的通知")
    clerk.select_option("#id_urgency", "urgent")
    clerk.fill("#id_deadline", (timezone.localdate() + timedelta(days=7)).isoformat())
    clerk.click("button:has-text('登记')")
    assert "已登记 收文〔" in clerk.locator(".messages").inner_text()
    url = clerk.url
    screenshot(clerk, "documents-1-registered")

    director = browser_login("office_director")
    director.goto(url)
    director.click("#step-propose > summary")
    director.fill("#id_propose-proposal", "拟请陈刚副镇长阅示，农业农村办公室牵头办理。")
    director.check("#step-propose label:has-text('陈刚') input")
    director.select_option("#id_propose-lead_department", label="农业农村办公室")
    director.click("#step-propose button:has-text('拟办') >> nth=0")
    assert "拟办意见已提交" in director.locator(".messages").inner_text()

    leader = browser_login("deputy_leader", phone=True)
    leader.click("a:has-text('关于做好冬季森林防火工作的通知')")
    leader.click("#step-instruct summary")  # on a phone the steps bar starts folded
    leader.fill("#id_instruct-text", "请农业农村办公室抓紧落实，周五前报结果。")
    screenshot(leader, "documents-2-instruct-phone")
    leader.once("dialog", lambda dialog: dialog.accept())
    leader.click("#step-instruct button:has-text('批示') >> nth=0")
    assert "批示已签发" in leader.locator(".messages").inner_text()

    staff = browser_login("department_staff")
    staff.goto(url)
    staff.click("#step-complete > summary")
    staff.fill("#id_complete-result", "已组织各村完成防火检查并上报。")
    staff.once("dialog", lambda dialog: dialog.accept())  # 办结 asks first: it cannot be undone
    staff.click("#step-complete button:has-text('办结') >> nth=0")
    assert "已办结" in staff.locator(".messages").inner_text()

    clerk.goto(url)
    screenshot(clerk, "documents-3-completed")
    response = clerk.request.get(clerk.url + "slip.pdf")
    assert response.headers["content-type"] == "application/pdf"
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text().replace(" ", "")
    for expected in (
        "收文处理笺",
        "关于做好冬季森林防火工作的通知",
        "拟请陈刚副镇长阅示",
        "请农业农村办公室抓紧落实",
        "已组织各村完成防火检查并上报",
    ):
        assert expected in text
