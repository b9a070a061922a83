"""The plan's pages: what each person is offered, refusals (400 with input kept, 403, 404), drafts, the rule check."""

import re
from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from reception import workflow
from reception.models import Reception
from township_office import worklist
from township_office.models import Department, WorkItem

S = Reception.Status


def fresh(reception):
    return Reception.objects.select_related("created_by", "approved_by").get(pk=reception.pk)


def step_url(reception, name):
    return reverse("reception:step", args=[reception.code, name])


def plan_data(start=None, guests=3, diners="2", **changes):
    start = start or timezone.localtime() + timedelta(days=6)
    fmt = "%Y-%m-%dT%H:%M"
    data = {
        "visiting_unit": "县农业农村局",
        "purpose": "高标准农田项目督导",
        "letter_number": "县农函〔2026〕56号",
        "letter_date": timezone.localdate().isoformat(),
        "start": start.strftime(fmt),
        "end": (start + timedelta(hours=5)).strftime(fmt),
        "has_meal": "on",
        "meal_time": (start + timedelta(hours=3)).strftime(fmt),
        "meal_place": "镇机关食堂",
        "meal_menu": "家常菜四菜一汤",
        "meal_diners": diners,
        "meal_cost_per_person": "40",
        "lodging": "none",
        "lodging_rooms": "0",
        "guests-TOTAL_FORMS": str(guests),
        "guests-INITIAL_FORMS": "0",
        "items-TOTAL_FORMS": "1",
        "items-INITIAL_FORMS": "0",
        "materials-TOTAL_FORMS": "0",
        "materials-INITIAL_FORMS": "0",
        "items-0-start": start.strftime(fmt),
        "items-0-end": (start + timedelta(hours=1)).strftime(fmt),
        "items-0-place": "一楼会议室",
        "items-0-activity": "听取项目汇报",
    }
    for i in range(guests):
        data.update({f"guests-{i}-name": f"来宾{i}", f"guests-{i}-unit": "县农业农村局", f"guests-{i}-title": "科员"})
    data.update(changes)
    return data


def with_scan(data):
    return {**data, "letter_scan": SimpleUploadedFile("公函.pdf", b"%PDF-1.4\n%%EOF\n", content_type="application/pdf")}


# --- Drafts ---------------------------------------------------------------------------------------------------


def test_save_a_draft_then_submit(client_for, clerk, office_director, rooms):
    client = client_for(clerk)
    response = client.post(reverse("reception:create"), with_scan({**plan_data(guests=4), "draft": "1"}))
    assert response.status_code == 302
    reception = Reception.objects.get()
    assert reception.status == S.DRAFT and reception.guests.count() == 4  # a fourth row added beyond the form's
    assert reception.checklist.count() == len(workflow.DEFAULT_CHECKLIST)
    assert not WorkItem.objects.filter(done_at__isnull=True).exists()  # nobody is asked anything yet
    started = client.get(reverse("township_office:todo") + "?tab=started").content.decode()
    assert "县农业农村局" in started and "方案编制中" in started
    page = client.get(reception.get_absolute_url()).content.decode()
    assert 'data-step="submit"' in page and 'data-testid="edit-plan"' in page
    response = client.post(step_url(reception, "submit"))
    assert response.status_code == 302 and fresh(reception).status == S.PENDING
    assert worklist.waiting(office_director).get().matter.url == reception.get_absolute_url()


def test_save_and_submit_at_once(client_for, clerk):
    response = client_for(clerk).post(reverse("reception:create"), with_scan({**plan_data(), "submit": "1"}))
    assert response.status_code == 302
    assert Reception.objects.get().status == S.PENDING


def test_save_and_submit_with_a_breach_keeps_the_draft_and_says_why(client_for, clerk):
    response = client_for(clerk).post(reverse("reception:create"), with_scan({**plan_data(diners="5"), "submit": "1"}))
    assert response.status_code == 400
    assert "陪餐人数 5 人超过规定" in response.content.decode()
    assert Reception.objects.get().status == S.DRAFT


def test_invalid_plan_is_400_with_everything_kept(client_for, clerk):
    data = plan_data(**{"end": "", "visiting_unit": "县财政局", "guests-1-name": "钱红"})
    response = client_for(clerk).post(reverse("reception:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert 'value="县财政局"' in page and 'value="钱红"' in page and "这个字段是必填项" in page
    assert not Reception.objects.exists()


def test_department_without_accounts_cannot_prepare_a_material(client_for, clerk):
    unstaffed = Department.objects.get(name="党建工作办公室")
    assert not unstaffed.members.filter(is_active=True).exists()
    data = plan_data(
        **{
            "materials-TOTAL_FORMS": "1",
            "materials-0-title": "党建汇报",
            "materials-0-department": str(unstaffed.pk),
            "materials-0-deadline": timezone.localdate().isoformat(),
        }
    )
    response = client_for(clerk).post(reverse("reception:create"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "党建工作办公室 没有可用的用户账号" in page and "党建工作办公室（无账号）" in page


def test_material_due_after_the_start_is_refused(client_for, clerk, staff):
    start = timezone.localtime() + timedelta(days=6)
    data = plan_data(
        start=start,
        **{
            "materials-TOTAL_FORMS": "1",
            "materials-0-title": "项目汇报",
            "materials-0-department": str(staff.department_id),
            "materials-0-deadline": (start.date() + timedelta(days=1)).isoformat(),
        },
    )
    response = client_for(clerk).post(reverse("reception:create"), with_scan(data))
    assert response.status_code == 400 and "材料须在接待开始前完成" in response.content.decode()


def test_inactive_leader_cannot_be_chosen(client_for, clerk, deputy):
    deputy.is_active = False
    deputy.save()
    response = client_for(clerk).post(reverse("reception:create"), plan_data(accompanying_leaders=[str(deputy.pk)]))
    assert response.status_code == 400 and "没有可用的账号" in response.content.decode()


def test_only_the_office_drafts(client_for, staff, deputy):
    for user in (staff, deputy):
        assert client_for(user).get(reverse("reception:create")).status_code == 403
        assert client_for(user).post(reverse("reception:check_new"), plan_data()).status_code == 403


# --- What each person is offered; refusals ---------------------------------------------------------------------


def test_each_person_sees_exactly_their_steps(make_reception, client_for, clerk, office_director, deputy, staff):
    reception = make_reception(material="项目汇报材料")
    workflow.submit(reception, by=clerk)
    page = client_for(office_director).get(reception.get_absolute_url() + "?step=approve").content.decode()
    assert 'data-step="approve"' in page and 'data-step="send_back"' in page
    assert 'data-confirm="批准后即按此方案接待，确定批准吗？"' in page
    assert 'data-step="withdraw"' not in page
    page = client_for(clerk).get(reception.get_absolute_url()).content.decode()
    assert 'data-step="withdraw"' in page and 'data-step="approve"' not in page and 'data-step="cancel"' in page
    page = client_for(staff).get(reception.get_absolute_url()).content.decode()
    assert 'name="finish_material-material"' in page and "data-step=" not in page
    page = client_for(deputy).get(reception.get_absolute_url()).content.decode()
    assert "data-step=" not in page and 'data-testid="edit-plan"' not in page


def test_refused_approval_is_400_with_the_comment_kept(make_reception, client_for, clerk, office_director):
    reception = make_reception()
    workflow.submit(reception, by=clerk)
    Reception.objects.filter(pk=reception.pk).update(meal_diners=9)  # a breach slipped in since
    response = client_for(office_director).post(step_url(reception, "approve"), {"approve-comment": "同意，注意节约"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "陪餐人数 9 人超过规定" in page and "同意，注意节约" in page
    assert fresh(reception).status == S.PENDING


def test_approval_offers_the_office_phrases_then_the_leaders_own(make_reception, client_for, clerk, principal):
    reception = make_reception(is_major=True)  # a major reception: the principal leader decides
    workflow.submit(reception, by=clerk)
    principal.phrases = ["同意，注意节俭", "同意"]  # one of the office's own is not offered twice
    principal.save(update_fields=["phrases"])
    page = client_for(principal).get(reception.get_absolute_url() + "?step=approve").content.decode()
    form = page[page.index('data-step="approve"') :]
    form = form[: form.index("</form>")]
    assert re.findall(r'data-phrase="([^"]*)"', form) == ["同意", "按程序办理", "同意，注意节俭"]
    assert 'data-phrases-for="id_approve-comment"' in form and 'name="approve-comment"' in form
    assert "township_office/js/phrases.js" in page and "township_office/css/phrases.css" in page
    assert page.count("township_office/js/phrases.js") == 1
    assert 'data-phrase="' not in client_for(clerk).get(reception.get_absolute_url()).content.decode()


def test_approval_opinion_may_be_left_empty_or_tapped(make_reception, client_for, clerk, office_director):
    from township_office.models import AuditEvent

    empty = make_reception()
    tapped = make_reception(start=empty.end + timedelta(days=1), room=None, leaders=[])  # no clash with the first
    for reception, typed in ((empty, ""), (tapped, "同意，按程序办理")):
        workflow.submit(reception, by=clerk)
        response = client_for(office_director).post(step_url(reception, "approve"), {"approve-comment": typed})
        assert response.status_code == 302 and fresh(reception).status == S.APPROVED
        event = AuditEvent.objects.filter(action="批准", object_code=str(reception.code)).get()
        assert event.comment == typed


def test_send_back_needs_a_reason(make_reception, client_for, clerk, office_director):
    reception = make_reception()
    workflow.submit(reception, by=clerk)
    response = client_for(office_director).post(step_url(reception, "send_back"), {"send_back-reason": "  "})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = client_for(office_director).post(step_url(reception, "send_back"), {"send_back-reason": "补充公函"})
    assert response.status_code == 302 and fresh(reception).status == S.DRAFT


def test_forbidden_step_is_403_and_stranger_404(make_reception, client_for, clerk, deputy, stranger):
    reception = make_reception()
    workflow.submit(reception, by=clerk)
    response = client_for(clerk).post(step_url(reception, "approve"))
    assert response.status_code == 403 and "您不是该接待方案的审批人" in response.content.decode()
    response = client_for(deputy).post(step_url(reception, "withdraw"))
    assert response.status_code == 403 and "只有方案起草人可以撤回" in response.content.decode()
    assert client_for(stranger).post(step_url(reception, "cancel"), {"cancel-reason": "x"}).status_code == 404
    assert client_for(stranger).get(reverse("reception:edit", args=[reception.code])).status_code == 404
    assert client_for(clerk).post(step_url(reception, "nosuchstep")).status_code == 404
    assert client_for(clerk).post(step_url(reception, "edit")).status_code == 404
    response = client_for(deputy).get(reverse("reception:edit", args=[reception.code]))
    assert response.status_code == 403 and "只有办公室主任、文书/秘书可以修改方案" in response.content.decode()
    assert fresh(reception).status == S.PENDING


def test_cancel_from_the_page_with_a_reason(make_reception, client_for, clerk):
    reception = make_reception()
    page = client_for(clerk).get(reception.get_absolute_url() + "?step=cancel").content.decode()
    assert 'data-step="cancel"' in page and 'data-confirm="取消后不能恢复，确定取消这次接待吗？"' in page
    response = client_for(clerk).post(step_url(reception, "cancel"), {"cancel-reason": ""})
    assert response.status_code == 400 and fresh(reception).status == S.DRAFT
    response = client_for(clerk).post(step_url(reception, "cancel"), {"cancel-reason": "来访单位行程调整"})
    assert response.status_code == 302 and fresh(reception).status == S.CANCELLED
    page = client_for(clerk).get(reception.get_absolute_url()).content.decode()
    assert "来访单位行程调整" in page and 'data-step="cancel"' not in page


# --- A closed reception: clear refusals, never a 500 -------------------------------------------------------------


@pytest.fixture
def closed(make_reception, clerk, office_director, costs):
    reception = make_reception(start=timezone.now() - timedelta(days=2), checklist=["确认用车"])
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    workflow.tick(fresh(reception), by=clerk, item=reception.checklist.get())
    workflow.close(
        fresh(reception), by=clerk, costs=costs, attendees="陈刚", invoices=SimpleUploadedFile("发票.pdf", b"%PDF-1.4")
    )
    return fresh(reception)


def test_closed_reception_edit_and_checklist_are_refused_with_400(closed, client_for, clerk, deputy):
    client = client_for(clerk)
    edit = reverse("reception:edit", args=[closed.code])
    response = client.get(edit)
    assert response.status_code == 400 and "当前为「已结算」，不能修改方案" in response.content.decode()
    assert client.post(edit, plan_data()).status_code == 400
    response = client.post(step_url(closed, "tick"), {"tick-item": closed.checklist.get().pk})
    assert response.status_code == 400 and "不能勾选清单" in response.content.decode()
    response = client.post(step_url(closed, "add_checklist_item"), {"add_checklist_item-text": "补充"})
    assert response.status_code == 400 and closed.checklist.count() == 1
    assert client.post(reverse("reception:check", args=[closed.code]), plan_data()).status_code == 403
    assert client_for(deputy).get(edit).status_code == 400  # the state is checked first: nobody edits it now


def test_invoices_stay_visible_after_closing(closed, client_for, clerk, stranger, principal):
    page = client_for(clerk).get(closed.get_absolute_url()).content.decode()
    invoices = reverse("reception:invoices", args=[closed.code])
    assert invoices in page and "合计 <strong>247.80</strong> 元" in page
    response = client_for(clerk).get(invoices)
    assert response.status_code == 200 and b"".join(response.streaming_content).startswith(b"%PDF")
    assert client_for(stranger).get(invoices).status_code == 404
    assert client_for(principal).get(invoices).status_code == 404  # not a participant of this plan


# --- Editing ---------------------------------------------------------------------------------------------------


def test_edit_removes_a_leader_who_then_loses_view(make_reception, client_for, clerk, office_director, deputy):
    from reception.forms import PlanForms
    from reception.tests.test_workflow import _plan_data

    reception = make_reception()
    workflow.submit(reception, by=clerk)
    workflow.approve(fresh(reception), by=office_director)
    assert client_for(deputy).get(reception.get_absolute_url()).status_code == 200
    data = _plan_data(PlanForms(instance=fresh(reception)), accompanying_leaders=[])
    response = client_for(clerk).post(reverse("reception:edit", args=[reception.code]), data)
    assert response.status_code == 302, response.content.decode()[:3000]
    reception = fresh(reception)
    assert reception.status == S.PENDING and reception.accompanying_leaders.count() == 0
    assert client_for(deputy).get(reception.get_absolute_url()).status_code == 404
    assert not worklist.read_items(deputy).filter(done_at__isnull=True).exists()


def test_rule_check_endpoint_answers_the_breaches_of_the_typed_plan(client_for, clerk, make_reception, stranger):
    client = client_for(clerk)
    answer = client.post(reverse("reception:check_new"), plan_data(diners="5")).json()
    assert any("陪餐人数 5 人超过规定" in b for b in answer["breaches"])
    assert any("第六条" in b for b in answer["breaches"])  # no scan chosen yet
    answer = client.post(reverse("reception:check_new"), {**plan_data(), "has_new_scan": "1"}).json()
    assert answer["breaches"] == []
    answer = client.post(
        reverse("reception:check_new"), {**plan_data(meal_menu="配茅台酒"), "has_new_scan": "1"}
    ).json()
    assert any("酒水" in b for b in answer["breaches"])
    reception = make_reception()
    assert not Reception.objects.filter(meal_diners=5).exists()  # nothing saved
    assert client_for(stranger).post(reverse("reception:check", args=[reception.code]), plan_data()).status_code == 404


def test_form_has_add_row_buttons_labels_and_no_inline_script(client_for, clerk, rooms):
    page = client_for(clerk).get(reverse("reception:create")).content.decode()
    assert page.count("data-add-row") == 3 and "reception/plan.js" in page
    assert '<label class="visually-hidden" for="id_guests-0-name">姓名（第1行）</label>' in page
    assert '<label class="visually-hidden" for="id_items-0-meeting_room">会议室（第1行）</label>' in page
    assert "<script>" not in page
    assert "不用会议室" in page


def test_plan_form_offers_the_leaders_as_tiles_in_rank_order(client_for, clerk, make_reception, deputy, people):
    from township_office.models import Position

    Position.objects.filter(user=people["deputy_mayor"]).update(rank=0)  # ranked first, though created late
    people["discipline_secretary"].is_active = False
    people["discipline_secretary"].save()
    page = client_for(clerk).get(reverse("reception:create")).content.decode()
    assert '<div id="id_accompanying_leaders" class="leader-grid">' in page
    tiles = re.findall(r'<label class="leader-tile"[^>]*>(.*?)</label>', page, re.DOTALL)
    names = [re.search(r'<span class="name">(.*?)</span>', tile).group(1) for tile in tiles]
    assert names == ["刘洋", "王建国", "李志强", "张敏", "陈刚", *names[5:]] and "赵琳" not in names
    assert "<small>党委委员、副镇长</small>" in tiles[names.index("陈刚")]  # the title under the name
    page = client_for(clerk).get(reverse("reception:edit", args=[make_reception().code])).content.decode()
    chosen = [
        t for t in re.findall(r'<label class="leader-tile"[^>]*>(.*?)</label>', page, re.DOTALL) if " checked" in t
    ]
    assert len(chosen) == 1 and '<span class="name">陈刚</span>' in chosen[0]


@pytest.mark.parametrize(
    "changes",
    [
        {"accompanying_leaders": ["9" * 30]},
        {"items-0-meeting_room": "9" * 30},
        {"items-0-department": "9" * 30},
        {"start": "0001-01-01T00:00"},
        {"letter_date": "9999-12-31"},
        {"items-0-start": "0001-01-01T09:00"},
        {"meal_diners": "9" * 30},
        {"guests-TOTAL_FORMS": "9" * 12},
        {"visiting_unit": "县\x00局"},
    ],
)
def test_hostile_plan_input_is_400_never_500(client_for, clerk, rooms, changes):
    client = client_for(clerk)
    data = {**plan_data(), **changes}
    response = client.post(reverse("reception:create"), data)
    assert response.status_code == 400
    assert client.post(reverse("reception:check_new"), data).status_code == 200


@pytest.mark.parametrize(
    "name,data",
    [
        ("tick", {"tick-item": "9" * 30}),
        ("tick", {"tick-item": "abc"}),
        ("finish_material", {"finish_material-material": "9" * 30}),
        ("add_checklist_item", {"add_checklist_item-text": "x\x00y"}),
    ],
)
def test_hostile_step_input_is_400(make_reception, client_for, clerk, staff, name, data):
    reception = make_reception(material="项目汇报材料", checklist=["确认用车"])
    workflow.submit(reception, by=clerk)
    user = staff if name == "finish_material" else clerk
    response = client_for(user).post(step_url(reception, name), data)
    assert response.status_code == 400
    assert 'data-testid="refusal"' in response.content.decode() or 'class="error"' in response.content.decode()


def test_plan_page_queries_do_not_grow_with_the_plan(make_reception, client_for, clerk, office_director, count_queries):
    from reception.models import ChecklistItem, Guest, Material

    small = make_reception(guests=1, material="项目汇报", checklist=["确认用车"], room=None)
    workflow.submit(small, by=clerk)
    large = make_reception(guests=10, material="项目汇报", checklist=["确认用车"], room=None, leaders=[])
    for i in range(5):
        Guest.objects.create(reception=large, name=f"随员{i}", unit="县农业农村局", title="科员")
        ChecklistItem.objects.create(reception=large, text=f"事项{i}")
        Material.objects.create(
            reception=large,
            title=f"材料{i}",
            deadline=large.materials.get(title="项目汇报").deadline,
            department=large.materials.get(title="项目汇报").department,
        )
    workflow.submit(large, by=clerk)
    # As the drafter: the office director's page adds the core's 转交 form per open work item (one query each).
    client = client_for(clerk)
    one = count_queries(client, small.get_absolute_url())
    assert count_queries(client, large.get_absolute_url()) <= one <= 22


def test_a_start_already_past_warns_on_the_form_and_is_saved_all_the_same(client_for, clerk, rooms):
    from datetime import UTC, datetime

    import time_machine

    # 07:30 on 1 December in Beijing (23:30 UTC the day before); the plan starts at 09:00 on 30 November.
    with time_machine.travel(datetime(2026, 11, 30, 23, 30, tzinfo=UTC), tick=False):
        client = client_for(clerk)
        past = datetime(2026, 11, 30, 9, 0, tzinfo=timezone.get_current_timezone())
        data = plan_data(start=past)
        answer = client.post(reverse("reception:check_new"), {**data, "has_new_scan": "1"}).json()
        assert answer["warnings"] == [
            "开始时间 2026年11月30日 09:00 已经过去：请核对日期是否填写正确（补登已经发生的接待可以照常保存）。"
        ]
        assert answer["breaches"] == []  # a warning, not a breach of the rules
        # Sent back for another field, the form shows the warning above the plan, beside the error.
        page = client.post(reverse("reception:create"), {**data, "end": ""}).content.decode()
        assert "2026年11月30日 09:00 已经过去" in page.split('data-testid="plan-warnings"', 1)[1].split("</ul>", 1)[0]
        # Saved all the same, and the warning follows to the plan's page.
        response = client.post(reverse("reception:create"), with_scan({**data, "draft": "1"}), follow=True)
        assert response.status_code == 200 and Reception.objects.count() == 1
        assert "2026年11月30日 09:00 已经过去" in response.content.decode()
        # A start still ahead (later the same morning, Beijing time) warns of nothing.
        ahead = datetime(2026, 12, 1, 9, 0, tzinfo=timezone.get_current_timezone())
        answer = client.post(reverse("reception:check_new"), plan_data(start=ahead)).json()
        assert answer["warnings"] == []
        reception = Reception.objects.get()
        edit = reverse("reception:edit", args=[reception.code])
        assert "已经过去" not in client.get(edit).content.decode()  # not on opening the plan again
