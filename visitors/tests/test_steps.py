"""The step declarations of both flows, table-driven: (state × step × persona) → allowed or refused.

An allowed step writes its audit event and its work items; a refused one changes neither the record, nor the
grants, nor the work items, nor the notifications, nor the audit log (``tests.unchanged``)."""

import pytest
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from tests.unchanged import AUDIT, WORK_ITEMS, assert_unchanged, changes, database_state
from township_office import permissions, worklist
from township_office.models import AuditEvent, Notification, WorkItem
from township_office.steps import Refused
from visitors import workflow
from visitors.models import Contact, PetitionCase

from .conftest import registration_form

S = PetitionCase.Status
K = Contact.Status
PERSONAS = ["front_desk", "office_director", "deputy", "deputy_mayor", "resources_staff", "staff", "clerk"]


@pytest.fixture
def case_in(register, front_desk, office_director, deputy, departments):
    """case_in(state) → a case brought to ``state`` by the steps themselves."""

    def make(state):
        case = workflow.open_case(register(), by=front_desk, petition_type="claim")
        if state == "registered":
            return case
        if state == "declined":
            workflow.decline(case, by=office_director, notice_text="不属于信访事项")
            return case
        if state == "withdrawn":
            workflow.withdraw(case, by=front_desk)
            return case
        workflow.accept(
            case,
            by=office_director,
            notice_text="已受理",
            severity="minor",
            leader=deputy,
            lead_department=departments["自然资源所"],
            handled_with_opinion=True,
        )
        if state == "instructing":
            return case
        workflow.instruct(case, by=deputy, text="请自然资源所核实")
        if state == "handling":
            return case
        if state == "extension_asked":
            workflow.request_extension(case, by=office_director, days=10, reason="需县局测绘")
            return case
        workflow.reply(case, by=office_director, text="经核实，补偿款月底前发放。")
        if state == "replied":
            return case
        workflow.close(case, by=front_desk, satisfaction="satisfied")
        return case

    return make


CASE_ARGUMENTS = {
    "accept": lambda p: {
        "notice_text": "已受理",
        "severity": "minor",
        "leader": p["deputy_leader"],
        "lead_department": p["resources_staff"].department,
        "handled_with_opinion": True,
    },
    "decline": lambda p: {"notice_text": "不属于受理范围"},
    "withdraw": lambda p: {},
    "instruct": lambda p: {"text": "请核实"},
    "report_progress": lambda p: {"text": "已现场核实"},
    "request_extension": lambda p: {"days": 10, "reason": "需测绘"},
    "approve_extension": lambda p: {},
    "reject_extension": lambda p: {},
    "report_up": lambda p: {"text": "已报县信访局"},
    "reply": lambda p: {"text": "答复意见"},
    "close": lambda p: {"satisfaction": "basic"},
    "record_review_request": lambda p: {"kind": "review", "requested_on": timezone.localdate()},
}

# state → {step: personas allowed}; every other (step, persona) is refused
CASE_TABLE = {
    "registered": {"accept": {"office_director"}, "decline": {"office_director"}, "withdraw": {"front_desk"}},
    "instructing": {"instruct": {"deputy"}},
    "handling": {
        "report_progress": {"resources_staff"},
        "request_extension": {"office_director"},
        "report_up": {"office_director"},
        "reply": {"office_director"},
    },
    "extension_asked": {
        "report_progress": {"resources_staff"},
        "approve_extension": {"deputy"},
        "reject_extension": {"deputy"},
        "report_up": {"office_director"},
        "reply": {"office_director"},
    },
    "replied": {
        "close": {"front_desk", "office_director"},
        "report_up": {"office_director"},
        "record_review_request": {"front_desk", "office_director"},
    },
    "closed": {"record_review_request": {"front_desk", "office_director"}},
    "declined": {},
    "withdrawn": {},
}


def _user(people, persona):
    return people[{"deputy": "deputy_leader", "staff": "department_staff"}.get(persona, persona)]


def test_every_case_step_is_in_the_table():
    assert set(CASE_ARGUMENTS) == set(workflow.cases.steps)


@pytest.mark.parametrize("state", list(CASE_TABLE))
def test_case_step_table(state, case_in, people):
    case = case_in(state)
    allowed_here = CASE_TABLE[state]
    for name in workflow.cases.steps:
        for persona in PERSONAS:
            user = _user(people, persona)
            fresh = PetitionCase.objects.get(pk=case.pk)
            allowed = persona in allowed_here.get(name, ())
            assert workflow.cases.allows(fresh, user, name) is allowed, (state, name, persona)
            assert (name in [s.name for s in workflow.cases.available(fresh, user)]) is allowed
            before = database_state()
            arguments = CASE_ARGUMENTS[name](people)
            if allowed:
                with transaction.atomic():
                    workflow.cases[name](fresh, by=user, **arguments)
                    changed = changes(before)
                    assert AUDIT in changed, f"{name} wrote no audit event"
                    assert WORK_ITEMS in changed, f"{name} changed no work item"
                    transaction.set_rollback(True)
            else:
                with pytest.raises(Refused):
                    workflow.cases[name](fresh, by=user, **arguments)
                assert not changes(before), (state, name, persona)


CONTACT_ARGUMENTS = {
    "save_draft": lambda: {"data": {"matter": "补充：涉及两户"}},
    "submit": lambda: {},
    "withdraw_contact": lambda: {},
    "answer": lambda: {"answer": "已当场解释政策"},
    "open_case": lambda: {"petition_type": "claim"},
}
CONTACT_TABLE = {
    K.DRAFT: {"save_draft": {"front_desk"}, "submit": {"front_desk"}},
    K.OPEN: {
        "withdraw_contact": {"front_desk"},
        "answer": {"front_desk", "office_director"},
        "open_case": {"front_desk", "office_director"},
    },
    K.ANSWERED: {},
    K.CASE: {},
}


def test_every_contact_step_is_in_the_table():
    assert set(CONTACT_ARGUMENTS) == set(workflow.contacts.steps)


@pytest.mark.parametrize("state", list(CONTACT_TABLE))
def test_contact_step_table(state, register, front_desk, people):
    contact = register(draft=state == K.DRAFT)
    if state == K.ANSWERED:
        workflow.answer(contact, by=front_desk, answer="已答复")
    elif state == K.CASE:
        workflow.open_case(contact, by=front_desk, petition_type="claim")
    for name in workflow.contacts.steps:
        for persona in PERSONAS:
            user = _user(people, persona)
            fresh = Contact.objects.get(pk=contact.pk)
            allowed = persona in CONTACT_TABLE[state].get(name, ())
            assert workflow.contacts.allows(fresh, user, name) is allowed, (state, name, persona)
            before = database_state()
            if allowed:
                with transaction.atomic():
                    workflow.contacts[name](fresh, by=user, **CONTACT_ARGUMENTS[name]())
                    assert {AUDIT, WORK_ITEMS} <= set(changes(before)), name
                    transaction.set_rollback(True)
            else:
                with pytest.raises(Refused):
                    workflow.contacts[name](fresh, by=user, **CONTACT_ARGUMENTS[name]())
                assert not changes(before), (state, name, persona)


# --- What the steps give: work items, grants, notifications -----------------------------------------------


def test_work_items_follow_the_case(accept, case_in, people, office_director, deputy, resources_staff, front_desk):
    case = case_in("registered")
    item = worklist.waiting(office_director).get()
    assert item.step == "accept" and item.due == case.notice_due
    assert Notification.objects.get(recipient=office_director, work_item=item).read_at is None
    assert list(worklist.started_by(front_desk).filter(object_id=case.pk, kind="信访事项"))

    accept(case, leader=deputy, lead_department=resources_staff.department, handled_with_opinion=True)
    assert not worklist.waiting(office_director).exists()
    assert Notification.objects.get(recipient=office_director, work_item=item).read_at is not None
    assert worklist.waiting(deputy).get().step == "instruct"
    assert "instruct" in permissions.held(deputy, PetitionCase.objects.get(pk=case.pk))

    workflow.instruct(case, by=deputy, text="请核实")
    handling = worklist.waiting(resources_staff).get()
    assert handling.step == "report_progress" and handling.department == resources_staff.department
    assert handling.due == PetitionCase.objects.get(pk=case.pk).deadline

    workflow.request_extension(case, by=office_director, days=20, reason="需测绘")
    assert worklist.waiting(deputy).get().step == "approve_extension"
    workflow.approve_extension(case, by=deputy)
    case.refresh_from_db()
    assert not worklist.waiting(deputy).exists()
    assert worklist.waiting(resources_staff).get().due == case.effective_deadline  # the department's time too

    workflow.report_progress(case, by=resources_staff, text="已核实")
    assert not worklist.waiting(resources_staff).exists()
    assert worklist.waiting(office_director).get().step == "reply"
    workflow.reply(case, by=office_director, text="答复")
    assert worklist.waiting(front_desk).get().step == "close"  # the person who opened it
    workflow.close(case, by=front_desk, satisfaction="satisfied")
    assert not WorkItem.objects.filter(done_at__isnull=True).exclude(step="answer").exists()
    assert [i.step for i in worklist.done_by(front_desk)][:1] == ["close"]


def test_withdrawn_case_gives_the_contact_back(case_in, front_desk, office_director):
    case = case_in("registered")
    workflow.withdraw(case, by=front_desk)
    case.refresh_from_db()
    assert case.status == S.WITHDRAWN and case.contact.status == K.OPEN
    assert not worklist.waiting(office_director).exists()
    assert worklist.waiting(front_desk).get().step == "answer"
    assert AuditEvent.objects.filter(action="撤回", object_code=str(case.code)).exists()


def test_rejected_extension_can_be_asked_again(case_in, office_director, deputy):
    case = case_in("extension_asked")
    workflow.reject_extension(case, by=deputy)
    case.refresh_from_db()
    assert case.extension_days == 0 and not case.extension_pending
    assert not worklist.waiting(deputy).exists()
    workflow.request_extension(case, by=office_director, days=5, reason="再补充材料")


def test_reassigning_the_instruction_moves_leader_grant_and_item(
    case_in, client_for, office_director, deputy, deputy_mayor
):
    case = case_in("instructing")
    item = worklist.open_items(case, "instruct").get()
    response = client_for(office_director).post(
        reverse("township_office:work_item_reassign", args=[item.pk]),
        {f"reassign-{item.pk}-to_user": deputy_mayor.pk, f"reassign-{item.pk}-reason": "陈刚出差"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.instructing_leader == deputy_mayor
    assert "instruct" not in permissions.held(deputy, case)
    workflow.instruct(case, by=deputy_mayor, text="请核实")


# --- Drafts of a registration -----------------------------------------------------------------------------


def test_draft_is_listed_in_started_and_hidden_from_others(register, front_desk, office_director, client_for):
    draft = register(draft=True, matter="")
    assert draft.status == K.DRAFT
    started = client_for(front_desk).get(reverse("township_office:todo") + "?tab=started").content.decode()
    assert draft.get_absolute_url() in started and "草稿" in started
    assert client_for(office_director).get(draft.get_absolute_url()).status_code == 404
    assert draft.name not in client_for(office_director).get(reverse("visitors:contact_list")).content.decode()


def test_draft_submitted_only_when_complete(register, front_desk):
    draft = register(draft=True, matter="")
    with pytest.raises(Refused, match="请填写反映问题"):
        workflow.submit(draft, by=front_desk)
    assert Contact.objects.get(pk=draft.pk).status == K.DRAFT
    workflow.save_draft(draft, by=front_desk, data={"matter": "宅基地纠纷"})
    workflow.submit(Contact.objects.get(pk=draft.pk), by=front_desk)
    assert Contact.objects.get(pk=draft.pk).status == K.OPEN
    assert worklist.waiting(front_desk).get().step == "answer"


def _form(**extra):
    return registration_form(**{"gender": "M", "address": "石桥村", **extra})


def test_draft_saved_edited_and_submitted_through_the_pages(client_for, front_desk, office_director):
    client = client_for(front_desk)
    response = client.post(reverse("visitors:contact_register"), _form(action="draft", matter="", id_number=""))
    draft = Contact.objects.get()
    assert response.url == draft.get_absolute_url() and draft.status == K.DRAFT
    page = client.get(draft.get_absolute_url()).content.decode()
    assert draft.get_edit_url() in page and 'data-step="submit"' in page
    # submitting the incomplete draft from the edit page: refused beside the fields, nothing lost
    response = client.post(draft.get_edit_url(), _form(action="submit", matter="", id_number="", address="河东村"))
    page = response.content.decode()
    assert response.status_code == 400 and "这个字段是必填项" in page and "河东村" in page
    assert Contact.objects.get().status == K.DRAFT
    response = client.post(
        draft.get_edit_url(), _form(action="submit", matter="宅基地纠纷", outcome="case", petition_type="claim")
    )
    case = PetitionCase.objects.get()
    assert response.url == case.get_absolute_url() and case.contact.status == K.CASE
    assert case.contact.matter == "宅基地纠纷" and case.opened_by == front_desk
    # nobody else edits it, and once submitted it is no draft any more
    assert client_for(office_director).get(draft.get_edit_url()).status_code in (302, 403)
    assert client_for(front_desk).post(draft.get_edit_url(), _form(action="draft")).status_code == 400


def test_step_view_refusal_403_and_404(case_in, client_for, front_desk, deputy, resources_staff, stranger):
    case = case_in("instructing")
    url = reverse("visitors:case_step", args=[case.code, "instruct"])
    response = client_for(deputy).post(url, {"instruct-text": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()
    response = client_for(resources_staff).post(url, {"instruct-text": "我来批"})
    assert response.status_code == 403 and "您不是该事项的批示领导" in response.content.decode()
    assert client_for(stranger).post(url, {"instruct-text": "x"}).status_code == 404
    response = client_for(deputy).post(
        reverse("visitors:case_step", args=[case.code, "report_progress"]), {"report_progress-text": "提前报告"}
    )
    assert response.status_code == 400 and "不能报告办理进展" in response.content.decode()
    assert PetitionCase.objects.get(pk=case.pk).status == S.INSTRUCTING
    response = client_for(deputy).post(url, {"instruct-text": "请核实"})
    assert response.status_code == 302 and PetitionCase.objects.get(pk=case.pk).status == S.HANDLING


def test_page_offers_exactly_the_available_steps(case_in, client_for, office_director, deputy, front_desk):
    case = case_in("registered")
    page = client_for(office_director).get(case.get_absolute_url()).content.decode()
    assert 'data-step="accept"' in page and 'data-step="decline"' in page and 'data-step="withdraw"' not in page
    page = client_for(front_desk).get(case.get_absolute_url()).content.decode()
    assert 'data-step="withdraw"' in page and 'data-step="accept"' not in page
    case = case_in("instructing")
    page = client_for(deputy).get(case.get_absolute_url()).content.decode()
    assert 'data-step="instruct"' in page and 'data-confirm="批示提交后不能修改，确定提交吗？"' in page


def test_reassigning_the_handling_moves_the_lead_department(case_in, client_for, office_director, departments):
    case = case_in("handling")
    item = worklist.open_items(case, "report_progress").get()
    new = departments["财政所"]
    response = client_for(office_director).post(
        reverse("township_office:work_item_reassign", args=[item.pk]),
        {f"reassign-{item.pk}-to_department": new.pk, f"reassign-{item.pk}-reason": "职责调整"},
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert case.lead_department == new
    caizheng = new.members.get()
    assert worklist.waiting(caizheng).get().step == "report_progress"
    workflow.report_progress(case, by=caizheng, text="已接手办理")


def test_the_case_instruction_offers_the_offices_phrases_then_the_leaders_own(case_in, deputy, client):
    import re

    deputy.phrases = ["请×××依法依规处理，按时答复"]
    deputy.save(update_fields=["phrases"])
    case = case_in("instructing")
    client.force_login(deputy)
    page = client.get(case.get_absolute_url()).content.decode()
    offered = re.findall(r'data-phrase="([^"]*)"', page)
    assert offered == ["同意", "已阅", "请×××阅处", "按程序办理", "请×××依法依规处理，按时答复"]
    assert "township_office/js/phrases.js" in page


def test_the_written_reply_offers_its_phrases(case_in, office_director, client):
    import re

    from visitors.forms import REPLY_PHRASES

    office_director.phrases = ["感谢您对我镇工作的理解和支持。"]
    office_director.save(update_fields=["phrases"])
    case = case_in("handling")
    client.force_login(office_director)
    page = client.get(case.get_absolute_url() + "?step=reply").content.decode()
    block = page.split('data-phrases-for="id_reply-text"', 1)[1].split("</div>", 1)[0]
    assert re.findall(r'data-phrase="([^"]*)"', block) == [*REPLY_PHRASES, "感谢您对我镇工作的理解和支持。"]


def test_a_post_to_the_draft_edit_step_url_is_refused_not_a_server_error(register, client_for, front_desk):
    """Issue 22 §8: 修改草稿 is taken on the draft's edit page (the whole registration form); its step URL has no
    form, and a POST there called the step without the data it needs (a 500). Now a refusal pointing to the page."""
    draft = register(draft=True, matter="")
    before = database_state()
    url = reverse("visitors:contact_step", args=[draft.code, "save_draft"])
    response = client_for(front_desk).post(url, {"matter": "宅基地纠纷"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "「修改草稿」不能在这里办理" in page and draft.get_edit_url() in page  # the page to use is linked
    assert_unchanged(before)
