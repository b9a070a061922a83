"""督查督办 in the browser at 390×844: a leader's 批示 becomes a 督办事项 with two milestones in one post; the 牵头单位
feeds back twice from a phone; the light turns 黄 then 红 as the server clock moves (the morning job recomputes it);
a 延期 asked after the deadline is refused; the leader 销号 from his phone; the month's 通报 PDF lists the item."""

import io
from datetime import UTC, date, datetime, timedelta

import pytest
import time_machine
from pypdf import PdfReader

from conftest import screenshot

pytestmark = pytest.mark.browser
D = date(2035, 3, 5)  # a day far enough ahead that the browser's cookies are all still valid


def beijing(day, hour=7, minute=30):
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=UTC) - timedelta(hours=8)


def open_step(page, step):
    details = page.locator(f"#step-{step}")
    if details.get_attribute("open") is None:
        details.locator("summary").click()
    return details


def take(page, step):
    details = open_step(page, step)
    if details.locator("form[data-confirm]").count():
        page.once("dialog", lambda dialog: dialog.accept())
    details.locator("button[type=submit]:not([name=next])").click()


def no_sideways_scroll(page):
    assert page.evaluate("document.documentElement.scrollWidth") <= 390


def test_supervision_story(browser_login, township):
    from documents import services as documents
    from documents import workflow as incoming
    from supervision import services
    from supervision.models import SupervisionItem
    from township_office.models import Department, User

    with time_machine.travel(beijing(D), tick=True) as clock:
        clerk, director, deputy = (User.objects.get(username=u) for u in ("clerk", "office_director", "deputy_leader"))
        document = documents.register_incoming(
            by=clerk,
            data={
                "source_org": "县人民政府办公室",
                "title": "关于开展秸秆禁烧专项督查的通知",
                "doc_type": "通知",
                "deadline": D + timedelta(days=10),
            },
        )
        incoming.propose(
            document,
            by=director,
            proposal="拟请陈刚副镇长阅示。",
            leaders=[deputy],
            lead_department=Department.objects.get(name="农业农村办公室"),
        )
        document.refresh_from_db()
        incoming.instruct(document, by=deputy, text="请农业农村办公室牵头，列入督办，按节点反馈。")

        # The leader, on his phone: 列入督办 from the file he instructed, two milestones in the one form.
        leader = browser_login("deputy_leader", phone=True)
        leader.goto(leader.base_url + document.get_absolute_url())
        leader.click("[data-testid=list-for-supervision]")
        assert leader.input_value("#id_title") == "关于开展秸秆禁烧专项督查的通知"
        assert leader.input_value("#id_deadline") == "2035-03-15"
        leader.fill("#id_m1_title", "完成宣传发动")
        leader.fill("#id_m1_due", "2035-03-10")
        leader.fill("#id_m2_title", "完成全域巡查")
        leader.fill("#id_m2_due", "2035-03-12")
        no_sideways_scroll(leader)
        leader.click("[data-testid=item-form] button.primary")
        assert "已立项：督〔2035〕1号" in leader.locator(".messages").inner_text()
        item = SupervisionItem.objects.get()
        assert leader.locator("[data-testid=light]").inner_text() == "绿灯"
        screenshot(leader, "supervision-1-listed-phone")

        # The 牵头单位 feeds back the first milestone from its phone (its 我的待办 says what is due).
        staff = browser_login("department_staff", phone=True)
        assert "待反馈督办：完成宣传发动" in staff.locator("main").inner_text()
        staff.goto(staff.base_url + item.get_absolute_url())
        details = open_step(staff, "feedback")
        details.locator("select").select_option(label="完成宣传发动（03月10日）")
        details.locator("textarea").fill("已张贴标语30条，各村广播每日两次。")
        take(staff, "feedback")
        assert "反馈已提交" in staff.locator(".messages").inner_text()
        no_sideways_scroll(staff)

        # Three days before the second milestone, the morning job turns the item yellow.
        clock.move_to(beijing(D + timedelta(days=6)))
        services.refresh_lights()
        staff = browser_login("department_staff", phone=True)
        staff.goto(staff.base_url + item.get_absolute_url())
        assert staff.locator("[data-testid=light]").inner_text() == "黄灯"
        screenshot(staff, "supervision-2-yellow-phone")
        details = open_step(staff, "feedback")
        details.locator("textarea").fill("全域巡查完成，发现火点2处已处置。")
        take(staff, "feedback")
        assert "反馈已提交" in staff.locator(".messages").inner_text()

        # The evening of the deadline: the 延期申请 form is on the page; it is sent after midnight and refused.
        clock.move_to(beijing(D + timedelta(days=10), 23, 55))
        staff = browser_login("department_staff", phone=True)
        staff.goto(staff.base_url + item.get_absolute_url())
        details = open_step(staff, "request_extension")
        details.locator("textarea").fill("巡查范围扩大，需延期五天")
        details.locator("input[type=date]").fill("2035-03-20")
        clock.move_to(beijing(D + timedelta(days=11), 0, 5))
        take(staff, "request_extension")
        assert "已超过办结时限" in staff.locator("[data-testid=refusal]").inner_text()
        assert staff.locator("#step-request_extension").count() == 0  # no longer offered
        assert "巡查范围扩大，需延期五天" in staff.locator("[data-testid=kept-input]").inner_text()  # nothing lost
        item.refresh_from_db()
        assert item.extended_deadline is None and not item.extensions.exists()

        # The morning job: red, counted from the original date.
        clock.move_to(beijing(D + timedelta(days=11)))
        services.refresh_lights()
        staff = browser_login("department_staff", phone=True)
        staff.goto(staff.base_url + item.get_absolute_url())
        assert staff.locator("[data-testid=light]").inner_text() == "红灯"
        details = open_step(staff, "request_done")
        details.locator("textarea").fill("专项督查完成，火点全部处置，建立长效巡查机制。")
        take(staff, "request_done")
        assert "等待交办领导销号" in staff.locator(".messages").inner_text()

        # The leader 销号 from his phone, starting from his board.
        leader = browser_login("deputy_leader", phone=True)
        leader.goto(leader.base_url + "/supervision/board/")
        leader.locator("[data-testid=board-red] summary").first.click()  # the last feedback, one tap away
        assert "建立长效" not in leader.locator("[data-testid=board-red]").inner_text()
        assert "全域巡查完成" in leader.locator("[data-testid=board-red]").inner_text()
        screenshot(leader, "supervision-3-board-phone")
        leader.click("[data-testid=board-red] a")
        take(leader, "sign_off")
        assert "已销号" in leader.locator(".messages").inner_text()
        assert leader.locator("[data-testid=status]").inner_text() == "已销号"

        # The month's 通报 lists it among the red items, in the PDF too.
        director_page = browser_login("office_director", phone=True)
        director_page.goto(director_page.base_url + "/supervision/monthly/?month=2035-03")
        assert "督〔2035〕1号" in director_page.locator("[data-testid=red-items]").inner_text()
        no_sideways_scroll(director_page)
        href = director_page.locator("[data-testid=monthly-pdf]").get_attribute("href")
        response = director_page.request.get(director_page.base_url + href)
        assert response.status == 200
        text = "".join(page.extract_text() for page in PdfReader(io.BytesIO(response.body())).pages)
        assert "督〔2035〕1号" in text and "秸秆禁烧" in text
        screenshot(director_page, "supervision-4-monthly-phone")
