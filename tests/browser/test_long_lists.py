"""In the browser, at more rows than a page: the 99+ badge, indexed search, and the wrong role refused."""

import pytest

from conftest import screenshot
from township_office import todo
from township_office.models import User

pytestmark = pytest.mark.browser


def test_office_director_sees_capped_badge_and_finds_a_file_by_title(browser_login):
    from documents import services

    clerk = User.objects.get(username="clerk")
    for i in range(todo.COUNT_CAP + 1):
        services.register_incoming(by=clerk, data={"source_org": "县政府", "title": f"待拟办通知{i}"})
    services.register_incoming(by=clerk, data={"source_org": "县农业农村局", "title": "关于开展冬季秸秆禁烧巡查的通知"})

    page = browser_login("office_director")
    assert page.get_by_test_id("todo-count").inner_text() == f"{todo.COUNT_CAP}+"
    assert "共 101 条" in page.locator(".pagination").inner_text()
    screenshot(page, "office-director-todo-99plus")

    page.goto(f"{page.base_url}/documents/?q=秸秆禁烧巡查")
    rows = page.locator("table tbody tr")
    assert rows.count() == 1 and "关于开展冬季秸秆禁烧巡查的通知" in rows.first.inner_text()
    page.goto(f"{page.base_url}/documents/")
    assert "下一页" in page.locator(".pagination").inner_text()
    screenshot(page, "office-director-incoming-paged")


def test_department_staff_is_refused_the_archive_catalogue(browser_login):
    page = browser_login("department_staff")
    response = page.goto(f"{page.base_url}/documents/archive/")
    assert response.status == 403
    assert "只有办公室可以查看归档文件目录" in page.locator("body").inner_text()


def test_on_a_phone_the_filters_fold_behind_one_button(browser_login):
    from documents import services

    clerk = User.objects.get(username="clerk")
    services.register_incoming(by=clerk, data={"source_org": "县农业农村局", "title": "关于开展冬季秸秆禁烧巡查的通知"})
    page = browser_login("clerk", phone=True)
    page.goto(f"{page.base_url}/documents/")
    page.wait_for_load_state("load")
    toggle = page.locator("button.filters-toggle")
    assert toggle.inner_text() == "筛选" and not page.is_visible("form.filters")
    first_row = page.locator("table tbody tr").first
    assert first_row.bounding_box()["y"] < 844  # the list starts on the first screen
    screenshot(page, "filters-folded-phone")
    toggle.click()
    assert page.is_visible("form.filters") and toggle.get_attribute("aria-expanded") == "true"
    page.fill("#id_q", "秸秆")
    page.click("form.filters button[type=submit]")
    page.wait_for_load_state("load")
    # The filter applied is counted on the button; the list shows what matched.
    assert page.locator("button.filters-toggle").inner_text() == "筛选（已选 1 项）"
    assert "关于开展冬季秸秆禁烧巡查的通知" in page.locator("table tbody").inner_text()
