"""The 拟办 form is compact on a phone and on a desktop: leaders in a grid by rank, departments grouped with one tap
for a whole group and a search box (on main the page was 2,364 px tall with four single-column lists)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import ARTIFACTS, screenshot
from township_office.models import User

pytestmark = pytest.mark.browser

# viewport, the most the 拟办 form may take (px), leader tiles per row. On the phone every checkbox row is at least
# 44 px tall (the touch target) and the 常用语 chips take two rows: 1,650 px with the demo's 18 units and 8 leaders.
SIZES = {
    "phone": ({"width": 390, "height": 844}, 1750, 3),
    "desktop": ({"width": 1366, "height": 768}, 1100, 6),
}


def _registered():
    from documents import services

    return services.register_incoming(
        by=User.objects.get(username="clerk"),
        data={
            "source_org": "县人民政府办公室",
            "title": "关于开展冬季安全生产大检查的通知",
            "deadline": timezone.localdate() + timedelta(days=5),
        },
    )


def _rows(locator):
    return len({round(box["y"]) for box in (item.bounding_box() for item in locator.all())})


@pytest.mark.parametrize("viewport", ["phone", "desktop"])
def test_the_proposal_form_is_compact(browser_login, viewport):
    size, most, per_row = SIZES[viewport]
    document = _registered()
    page = browser_login("office_director", phone=viewport == "phone")
    page.set_viewport_size(size)
    page.goto(page.base_url + document.get_absolute_url())
    step = page.locator("#step-propose")
    if step.get_attribute("open") is None:
        step.locator("summary").click()
    form = step.locator("form")
    assert form.bounding_box()["height"] < most

    # Leaders: tiles in rank order, a full row each (6 leaders: one row on a desktop, two on a phone).
    tiles = page.locator("#id_propose-leaders .leader-tile")
    assert tiles.count() == 6
    assert tiles.first.inner_text().startswith("王建国") and "党委书记" in tiles.first.inner_text()
    assert _rows(tiles) == 6 // per_row
    tiles.nth(3).click()
    assert page.locator("#id_propose-leaders input:checked").count() == 1

    # Departments: grouped, one tap for a whole group, a search box.
    picker = page.locator("#id_propose-support_departments")
    picker.locator("button:has-text('全部村（居）')").click()
    assert picker.locator("input:checked").count() == 5
    picker.locator("button:has-text('全部村（居）')").click()  # a second tap clears the group
    assert picker.locator("input:checked").count() == 0
    picker.locator("[data-picker-search]").fill("农业")
    visible = [o for o in picker.locator(".picker-option").all() if o.is_visible()]
    assert [o.inner_text().strip() for o in visible] == ["农业农村办公室"]
    picker.locator("[data-picker-search]").fill("")

    screenshot(page, f"proposal-compact-{viewport}")
    # The whole form as one picture (on a phone the steps are a bottom sheet that scrolls by itself).
    page.evaluate("document.querySelector('.steps').style.cssText = 'position: static; max-height: none'")
    form.screenshot(path=f"{ARTIFACTS}/proposal-form-{viewport}.png")
