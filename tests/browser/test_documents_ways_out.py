"""公文流转 ways out in a real browser: correcting a registered 收文, a 发文 draft, 撤回, unblocking a stuck 会签, and
a leader's 批示 on a phone with its confirmation."""

from datetime import timedelta

import pytest
from django.utils import timezone

from conftest import screenshot
from township_office.models import Department, IssuerCode, User

pytestmark = pytest.mark.browser

PDF = {"name": "漏扫第2页.pdf", "mimeType": "application/pdf", "buffer": b"%PDF-1.4\n%%EOF\n"}


def _register(title="关于冬季防火的通知", **extra):
    from documents import services

    return services.register_incoming(
        by=User.objects.get(username="clerk"),
        data={
            "source_org": "县人民政府办公室",
            "title": title,
            "deadline": timezone.localdate() + timedelta(days=5),
            **extra,
        },
    )


def _awaiting_the_deputy(title, **extra):
    """A 收文 proposed to the deputy leader (陈刚) for 批示, led by 农业农村办公室."""
    from documents import workflow

    document = _register(title=title, **extra)
    workflow.propose(
        document,
        by=User.objects.get(username="office_director"),
        proposal="拟请陈刚副镇长阅示。",
        leaders=[User.objects.get(username="deputy_leader")],
        lead_department=Department.objects.get(name="农业农村办公室"),
    )
    return document


def _open_on_a_phone(browser_login, title):
    """The deputy leader on a phone opens the file from 我的待办 and unfolds 批示 (the steps bar starts folded)."""
    leader = browser_login("deputy_leader", phone=True)
    leader.click(f"a:has-text('{title}')")
    leader.wait_for_load_state("load")  # phrases.js listens once loaded; a tap before that inserts nothing
    leader.click("#step-instruct summary")
    return leader


def _open(page, name):
    step = page.locator(f"#step-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()


def _take(page, name, label):
    page.click(f"#step-{name} button:has-text('{label}') >> nth=0")


def test_clerk_corrects_a_registered_file_and_adds_a_forgotten_scan(browser_login):
    document = _register()
    clerk = browser_login("clerk")
    clerk.goto(clerk.base_url + document.get_absolute_url())
    _open(clerk, "correct")
    assert clerk.input_value("#id_correct-title") == "关于冬季防火的通知"
    clerk.fill("#id_correct-title", "关于做好冬季森林防火工作的通知")
    clerk.set_input_files("#id_correct-attachments", files=[PDF])
    clerk.fill("#id_correct-reason", "标题登记错漏，补扫第2页")
    screenshot(clerk, "documents-correct-form")
    _take(clerk, "correct", "更正登记")
    assert "登记信息已更正" in clerk.locator(".messages").inner_text()
    main = clerk.locator("main").inner_text()
    assert "文件标题：关于冬季防火的通知 → 关于做好冬季森林防火工作的通知" in main
    assert "漏扫第2页.pdf" in main
    screenshot(clerk, "documents-corrected")
    # After 拟办 the clerk is no longer offered the correction.
    from documents import workflow

    workflow.propose(
        document,
        by=User.objects.get(username="office_director"),
        proposal="请农业农村办公室办理",
        lead_department=Department.objects.get(name="农业农村办公室"),
    )
    clerk.goto(clerk.base_url + document.get_absolute_url())
    assert clerk.locator("#step-correct").count() == 0


def test_a_draft_is_saved_then_submitted(browser_login):
    staff = browser_login("department_staff")
    staff.click("text=拟稿")
    staff.select_option("#id_issuer_code", label=str(IssuerCode.objects.get(code="长政发")))
    staff.fill("#id_title", "关于秋冬季农田水利建设的实施意见")
    staff.fill("#id_main_recipients", "各村（居）委会")
    staff.click("button:has-text('保存草稿')")
    assert "草稿已保存" in staff.locator(".messages").inner_text()
    screenshot(staff, "documents-draft-saved")
    url = staff.url
    staff.goto(staff.base_url + "/todo/?tab=started")
    assert "关于秋冬季农田水利建设的实施意见" in staff.locator("main").inner_text()
    staff.click("a:has-text('关于秋冬季农田水利建设的实施意见')")
    assert staff.url == url
    _open(staff, "edit_draft")  # the 正文 written later, in the draft's page
    staff.fill("#id_edit_draft-text", "为加快农田水利建设，提出如下意见。\n一、目标任务\n今冬明春新建渠道十二公里。")
    _take(staff, "edit_draft", "修改草稿")
    assert "草稿已保存" in staff.locator(".messages").inner_text()
    _open(staff, "submit")
    _take(staff, "submit", "提交部门审核")
    assert "已提交部门审核" in staff.locator(".messages").inner_text()
    assert "待部门审核" in staff.locator("main").inner_text()
    screenshot(staff, "documents-draft-submitted")


def _submitted(countersign=()):
    from django.core.files.uploadedfile import SimpleUploadedFile

    from documents import services

    return services.draft_outgoing(
        by=User.objects.get(username="department_staff"),
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "关于秋冬季农田水利建设的实施意见",
            "text": "为做好有关工作，现通知如下。\n一、总体要求\n请结合实际抓好落实。",
            "main_recipients": "各村（居）委会",
        },
        body=SimpleUploadedFile("正文.pdf", PDF["buffer"], content_type="application/pdf"),
        countersign_departments=countersign,
    )


def test_the_drafter_withdraws_a_submitted_draft(browser_login):
    document = _submitted()
    deputy = browser_login("deputy_leader")
    assert "关于秋冬季农田水利建设的实施意见" in deputy.locator("main").inner_text()  # waiting for review

    staff = browser_login("department_staff")
    staff.goto(staff.base_url + document.get_absolute_url())
    _open(staff, "withdraw")
    staff.once("dialog", lambda dialog: dialog.accept())
    _take(staff, "withdraw", "撤回")
    assert "已撤回" in staff.locator(".messages").inner_text()
    assert staff.locator("#step-edit_draft").count() == 1
    screenshot(staff, "documents-withdrawn")

    deputy.reload()
    assert "关于秋冬季农田水利建设的实施意见" not in deputy.locator("main").inner_text()
    response = deputy.goto(deputy.base_url + document.get_absolute_url())
    assert response.status == 404  # the reviewer lost the draft with the step


def test_office_director_unblocks_a_stuck_countersign(browser_login):
    from documents import workflow
    from township_office.models import User as U

    document = _submitted(countersign=[Department.objects.get(name="自然资源所")])
    workflow.review(document, by=U.objects.get(username="deputy_leader"), text="同意")
    workflow.check(document, by=U.objects.get(username="office_director"), text="请自然资源所会签")
    # The department lost its only account after the 核稿: the 会签 is stuck.
    U.objects.filter(username="resources_staff").update(is_active=False)

    director = browser_login("office_director")
    director.goto(director.base_url + document.get_absolute_url())
    assert "自然资源所" in director.get_by_test_id("work-items").inner_text()
    _open(director, "skip_countersign")
    director.select_option("#id_skip_countersign-department", label="自然资源所")
    director.fill("#id_skip_countersign-reason", "该所经办人已调离，账号停用，经请示分管领导同意跳过会签")
    screenshot(director, "documents-skip-countersign-form")
    director.once("dialog", lambda dialog: dialog.accept())
    _take(director, "skip_countersign", "跳过会签")
    assert "已跳过会签" in director.locator(".messages").inner_text()
    main = director.locator("main").inner_text()
    assert "待签发" in main and "已跳过" in main and "该所经办人已调离" in main
    screenshot(director, "documents-countersign-skipped")


def test_leader_instructs_on_a_phone_with_confirmation(browser_login):
    document = _awaiting_the_deputy("关于开展高标准农田建设项目验收的通知", urgency="urgent")
    deputy = User.objects.get(username="deputy_leader")
    deputy.phrases = ["请×××牵头，周五前报结果"]  # kept on 我的常用批示语
    deputy.save(update_fields=["phrases"])
    leader = browser_login("deputy_leader", phone=True)
    leader.click("a:has-text('关于开展高标准农田建设项目验收的通知')")
    leader.wait_for_load_state("load")  # phrases.js listens once loaded; a tap before that inserts nothing
    # The steps bar starts folded, so the file is read first; a tap on its name unfolds 批示.
    assert leader.locator("#step-instruct").get_attribute("open") is None
    assert not leader.is_visible("#id_instruct-text")
    leader.click("#step-instruct summary")
    # 常用批示语: one tap each; "×××" is selected and typed over.
    leader.click("#step-instruct [data-phrase='同意']")
    leader.click("#step-instruct [data-phrase='请×××阅处']")
    leader.keyboard.type("黄磊同志")
    assert leader.input_value("#id_instruct-text") == "同意，请黄磊同志阅处"
    # The leader's own phrases follow the office's.
    leader.fill("#id_instruct-text", "")
    leader.click("#step-instruct [data-phrase='请×××牵头，周五前报结果']")
    leader.keyboard.type("农业农村办公室")
    assert leader.input_value("#id_instruct-text") == "请农业农村办公室牵头，周五前报结果"
    leader.fill("#id_instruct-text", "请农业农村办公室牵头组织验收，周五前报结果。")
    asked = []

    def dismiss(dialog):  # first: the leader hesitates; nothing is signed
        asked.append(dialog.message)
        dialog.dismiss()

    leader.once("dialog", dismiss)
    _take(leader, "instruct", "批示")
    assert asked and "不能修改" in asked[0]
    assert document.instructions.count() == 0
    assert leader.input_value("#id_instruct-text") == "请农业农村办公室牵头组织验收，周五前报结果。"
    screenshot(leader, "documents-instruct-phone")
    leader.once("dialog", lambda dialog: dialog.accept())
    _take(leader, "instruct", "批示")
    assert "批示已签发" in leader.locator(".messages").inner_text()
    assert document.instructions.get().text == "请农业农村办公室牵头组织验收，周五前报结果。"
    screenshot(leader, "documents-instructed-phone")


def test_a_step_sent_back_stays_unfolded_on_a_phone(browser_login):
    document = _awaiting_the_deputy("关于报送秋粮收购进度的函")
    leader = _open_on_a_phone(browser_login, "关于报送秋粮收购进度的函")
    leader.fill("#id_instruct-text", "   ")  # the browser's "required" lets spaces through; the server does not
    leader.once("dialog", lambda dialog: dialog.accept())
    _take(leader, "instruct", "批示")
    leader.wait_for_load_state("load")
    # The form comes back unfolded with its error under the field, not folded away out of sight.
    assert leader.locator("#step-instruct").get_attribute("open") is not None
    assert leader.is_visible("#id_instruct-text")
    assert "必填" in leader.locator("#step-instruct").inner_text()
    assert document.instructions.count() == 0


def _draw(page, canvas, points):
    canvas.scroll_into_view_if_needed()
    box = canvas.bounding_box()
    page.mouse.move(box["x"] + points[0][0], box["y"] + points[0][1])
    page.mouse.down()
    for x, y in points[1:]:
        page.mouse.move(box["x"] + x, box["y"] + y)
    page.mouse.up()


def test_leader_signs_an_instruction_by_hand_on_a_phone(browser_login):
    from documents.models import Instruction

    document = _awaiting_the_deputy("关于做好秋冬季农田水利建设的通知")
    leader = _open_on_a_phone(browser_login, "关于做好秋冬季农田水利建设的通知")
    leader.click("#step-instruct [data-phrase='同意']")
    leader.click("#step-instruct .signature-pad summary")
    canvas = leader.locator("#step-instruct [data-signature-canvas]")
    _draw(leader, canvas, [(40, 100), (60, 40), (80, 100)])
    assert leader.input_value("#id_instruct-signature").startswith("data:image/png;base64,")
    leader.click("#step-instruct [data-signature-clear]")  # a slip of the finger: start again
    assert leader.input_value("#id_instruct-signature") == ""
    _draw(leader, canvas, [(40, 100), (70, 40), (100, 100), (130, 40), (160, 100), (220, 70)])
    screenshot(leader, "documents-sign-by-hand-phone")
    leader.once("dialog", lambda dialog: dialog.accept())
    _take(leader, "instruct", "批示")
    assert "批示已签发" in leader.locator(".messages").inner_text()
    instruction = Instruction.objects.get(document=document)
    assert instruction.text == "同意" and len(bytes(instruction.signature)) > 100
    shown = leader.locator("img.signature")
    assert shown.count() == 1 and shown.get_attribute("alt") == "陈刚的手写签名"
    assert leader.evaluate("img => img.complete && img.naturalWidth > 0", shown.element_handle())
    assert "同意（附手写签名）" in leader.locator(".timeline").inner_text()
    screenshot(leader, "documents-signed-by-hand-phone")
