"""印信管理 in the browser: a 用印 draft saved, submitted and withdrawn; a leader approves on a phone after a
confirmation; the seal keeper stamps and reads the register check in plain words."""

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from conftest import screenshot

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def seals(township):
    from seals.demo import SEALS
    from seals.models import Seal
    from township_office.models import Department, User

    keeper = User.objects.get(username="seal_keeper")
    made = {}
    for name, kind, tier, dept in SEALS:
        seal = Seal.objects.create(
            name=name, kind=kind, tier=tier, department=Department.objects.filter(name=dept).first()
        )
        seal.custodians.add(keeper)
        made[name] = seal
    return made


def _open_step(page, name):
    page.locator(f"#step-{name}").evaluate("details => { details.open = true; }")


def _status(page):
    return page.locator("[data-testid=status]").inner_text()


def test_staff_saves_a_draft_submits_it_then_withdraws_it(browser_login, seals, tmp_path):
    pdf = tmp_path / "补贴发放证明.pdf"
    pdf.write_bytes(PDF)
    staff = browser_login("department_staff")
    staff.click("a:has-text('申请用印')")  # the quick-create button on 我的待办
    staff.check("label:has-text('长官镇农业农村办公室') input")
    staff.select_option("#id_use_type", "certificate")
    staff.fill("#id_title", "2026年耕地地力保护补贴发放情况证明")
    staff.fill("#id_recipient", "县农业农村局")
    staff.fill("#id_purpose", "报送补贴发放情况")
    staff.fill("#id_copies", "3")
    staff.set_input_files("#id_document", str(pdf))
    screenshot(staff, "seals-1-draft-form")
    staff.click("button:has-text('保存草稿')")
    assert "草稿已保存" in staff.locator(".messages").inner_text()
    assert _status(staff) == "草稿"
    url = staff.url

    # 我发起的 finds the draft
    staff.goto(staff.base_url + "/todo/?tab=started")
    started = staff.locator("main").inner_text()
    assert "耕地地力保护补贴" in started and "草稿" in started
    screenshot(staff, "seals-2-started-tab-with-draft")
    staff.goto(url)

    dialogs = []
    staff.on("dialog", lambda dialog: (dialogs.append(dialog.message), dialog.accept()))
    _open_step(staff, "submit")
    staff.locator("#step-submit button[type=submit]").first.click()
    staff.wait_for_selector(".messages")
    assert dialogs[-1] == "提交后进入审批，审批开始后不能修改。确定提交吗？"
    assert "已提交审批" in staff.locator(".messages").inner_text()
    assert _status(staff) == "审批中"
    assert "陈刚" in staff.locator("[data-testid=work-items]").inner_text()  # where it stands: with the deputy

    _open_step(staff, "withdraw")
    staff.locator("#step-withdraw button[type=submit]").first.click()
    staff.wait_for_selector(".messages")
    assert dialogs[-1].startswith("撤回后申请回到草稿")
    assert "已撤回" in staff.locator(".messages").inner_text()
    assert _status(staff) == "草稿"
    assert staff.locator("#step-submit").count() == 1 and staff.locator("#step-withdraw").count() == 0
    screenshot(staff, "seals-3-withdrawn-back-to-draft")


def test_leader_approves_on_a_phone_after_confirming(browser_login, seals, people):
    from seals import workflow
    from seals.models import SealRequest

    request = workflow.save_draft(
        by=people["department_staff"],
        seals=[seals["长官镇农业农村办公室"]],
        document=SimpleUploadedFile("证明.pdf", PDF),
        data={
            "title": "补贴发放情况证明",
            "recipient": "县农业农村局",
            "purpose": "报送",
            "copies": 2,
            "use_type": "certificate",
        },
    )
    workflow.submit(request, by=people["department_staff"])
    deputy = browser_login("deputy_leader", phone=True)
    deputy.click("text=补贴发放情况证明")  # from 我的待办
    assert _status(deputy) == "审批中"
    _open_step(deputy, "approve_deputy")
    deputy.fill("#id_approve_deputy-comment", "同意，按规定用印。")
    screenshot(deputy, "seals-4-deputy-approves-phone")

    answers = iter([False, True])  # first "取消", then "确定"
    seen = []

    def answer(dialog):
        seen.append(dialog.message)
        dialog.accept() if next(answers) else dialog.dismiss()

    deputy.on("dialog", answer)
    button = deputy.locator("#step-approve_deputy button[type=submit]").first
    button.click()
    assert seen == ["同意后不能撤销。确定同意吗？"]
    request.refresh_from_db()
    assert request.status == SealRequest.Status.PENDING  # cancelled: nothing happened
    button.click()
    deputy.wait_for_selector(".messages")
    assert len(seen) == 2 and "已同意" in deputy.locator(".messages").inner_text()
    assert _status(deputy) == "已批准待用印"
    screenshot(deputy, "seals-5-approved-phone")

    keeper = browser_login("seal_keeper")
    keeper.click("text=补贴发放情况证明")  # the custodian's item: 待用印
    _open_step(keeper, "stamp")
    asked = []
    keeper.once("dialog", lambda dialog: asked.append(dialog.message) or dialog.accept())
    keeper.locator("#step-stamp button[type=submit]").first.click()
    keeper.wait_for_selector(".messages")
    assert asked and "记入用印登记簿，不能撤销" in asked[0]  # the register entry is for good
    assert _status(keeper) == "已用印"
    keeper.click(".mainnav >> text=用印登记簿")
    check = keeper.locator("[data-testid=register-check]").inner_text()
    assert "登记簿完整，未被改动" in check and "哈希" not in keeper.locator("main").inner_text()
    assert keeper.input_value("#id_month") == timezone.localdate().strftime("%Y-%m")
    screenshot(keeper, "seals-6-register-plain-words")
