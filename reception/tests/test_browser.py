import io
from datetime import timedelta

import pytest
from django.utils import timezone
from pypdf import PdfReader

from conftest import screenshot

pytestmark = pytest.mark.browser


def test_reception_story(browser_login, rooms, tmp_path):
    scan = tmp_path / "公函.pdf"
    scan.write_bytes(b"%PDF-1.4\n%%EOF\n")
    start = (timezone.localtime() + timedelta(days=4)).replace(hour=9, minute=0)
    fmt = "%Y-%m-%dT%H:%M"
    clerk = browser_login("clerk")
    clerk.click("text=公务接待")
    clerk.click("text=登记接待（公函）")
    clerk.fill("#id_visiting_unit", "县农业农村局")
    clerk.fill("#id_purpose", "高标准农田项目督导")
    clerk.fill("#id_letter_number", "县农函〔2026〕56号")
    clerk.fill("#id_letter_date", timezone.localdate().isoformat())
    clerk.set_input_files("#id_letter_scan", str(scan))
    clerk.fill("#id_start", start.strftime(fmt))
    clerk.fill("#id_end", (start + timedelta(hours=5)).strftime(fmt))
    clerk.check("#id_has_meal")
    clerk.fill("#id_meal_time", (start + timedelta(hours=3)).strftime(fmt))
    clerk.fill("#id_meal_place", "镇机关食堂")
    clerk.fill("#id_meal_menu", "家常菜四菜一汤")
    clerk.fill("#id_meal_diners", "5")  # a breach: 3 guests allow at most 3 diners
    clerk.fill("#id_meal_cost_per_person", "40")
    for i, name in enumerate(["赵建平", "钱红", "孙伟"]):
        clerk.fill(f"#id_guests-{i}-name", name)
        clerk.fill(f"#id_guests-{i}-unit", "县农业农村局")
        clerk.fill(f"#id_guests-{i}-title", "科员")
    clerk.fill("#id_items-0-start", start.strftime(fmt))
    clerk.fill("#id_items-0-end", (start + timedelta(hours=1)).strftime(fmt))
    clerk.fill("#id_items-0-place", "一楼会议室")
    clerk.fill("#id_items-0-activity", "听取项目汇报")
    clerk.click("button:has-text('保存方案')")
    clerk.click("button:has-text('提交审批')")
    assert "陪餐人数 5 人超过规定" in clerk.locator("main").inner_text()
    screenshot(clerk, "reception-1-breach-refused")
    clerk.click("text=修改方案")
    clerk.fill("#id_meal_diners", "2")
    clerk.click("button:has-text('保存方案')")
    clerk.click("button:has-text('提交审批')")
    assert "已提交审批" in clerk.locator(".messages").inner_text()
    url = clerk.url

    director = browser_login("office_director", phone=True)
    director.goto(url)
    director.click("button:has-text('批准')")
    assert "已批准" in director.locator(".messages").inner_text()
    screenshot(director, "reception-2-approved-phone")

    clerk.goto(url)
    clerk.fill("#id_actual_attendees", "陈刚、黄磊")
    clerk.fill("#id_meal_cost", "200")
    clerk.fill("#id_lodging_cost", "0")
    clerk.fill("#id_transport_cost", "35.5")
    clerk.fill("#id_other_cost", "0")
    clerk.set_input_files("#id_invoices", str(scan))
    clerk.click("button:has-text('结算并生成接待清单')")
    assert "接待清单已生成" in clerk.locator(".messages").inner_text()
    response = clerk.request.get(url + "list.pdf")
    text = PdfReader(io.BytesIO(response.body())).pages[0].extract_text().replace(" ", "")
    assert "公务接待清单" in text and "235.50" in text and "赵建平" in text
