"""Refusals at the views, confidentiality of the daily report, accused people, 我的待办 of the front desk."""

import io
from datetime import timedelta

import pytest
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from township_office.models import Notification
from township_office.workflow import TransitionNotAllowed
from visitors import services, workflow
from visitors.models import Contact, PetitionCase
from visitors.tasks import send_daily_report

from .conftest import VALID_IDS, registration_form

S = PetitionCase.Status


def _post(client, case, name, data=None):
    """POST step ``name`` of the case with its form's fields (prefixed by the step's name)."""
    data = {f"{name}-{key}": value for key, value in (data or {}).items()}
    return client.post(reverse("visitors:case_step", args=[case.code, name]), data)


@pytest.mark.parametrize(
    "who,step,data,message",
    [
        ("front_desk", "instruct", {"text": "批示"}, "不是该事项的批示领导"),
        ("office_director", "instruct", {"text": "批示"}, "不是该事项的批示领导"),
        ("resources_staff", "instruct", {"text": "批示"}, "不是该事项的批示领导"),
    ],
)
def test_wrong_role_is_refused_with_403(accepted, client_for, request, who, step, data, message):
    before = (accepted.status, accepted.instruction)
    response = _post(client_for(request.getfixturevalue(who)), accepted, step, data)
    assert response.status_code == 403 and message in response.content.decode()
    accepted.refresh_from_db()
    assert (accepted.status, accepted.instruction) == before


@pytest.mark.parametrize(
    "who,step,data,message",
    [
        ("deputy", "reply", {"text": "答复"}, "只有办公室主任可以答复"),
        ("deputy", "report_up", {"text": "报告"}, "只有办公室主任可以向上级报告"),
        ("deputy", "request_extension", {"days": 10, "reason": "复杂"}, "只有办公室主任可以申请延期"),
        ("front_desk", "report_progress", {"text": "进展"}, "未交您所在部门办理"),
    ],
)
def test_wrong_role_while_handling_is_refused_with_403(accepted, deputy, client_for, request, who, step, data, message):
    workflow.instruct(accepted, by=deputy, text="办理")
    before = (accepted.reply_text, accepted.report_up, accepted.extension_requested_days, accepted.progress.count())
    response = _post(client_for(request.getfixturevalue(who)), accepted, step, data)
    assert response.status_code == 403 and message in response.content.decode()
    accepted.refresh_from_db()
    assert (
        accepted.reply_text,
        accepted.report_up,
        accepted.extension_requested_days,
        accepted.progress.count(),
    ) == before


def test_front_desk_cannot_accept(register, front_desk, client_for, deputy, departments):
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    response = _post(
        client_for(front_desk),
        case,
        "accept",
        {
            "notice_text": "受理",
            "severity": "minor",
            "leader": deputy.pk,
            "lead_department": departments["财政所"].pk,
            "deadline": timezone.localdate().isoformat(),
        },
    )
    assert response.status_code == 403 and "只有办公室主任可以受理" in response.content.decode()
    case.refresh_from_db()
    assert case.status == S.REGISTERED and case.lead_department is None


def test_not_routed_users_get_404(accepted, client_for, principal, staff, clerk):
    """The minor case went to the deputy and 自然资源所: the principal, another department and a clerk never see it."""
    for user in (principal, staff, clerk):
        client = client_for(user)
        assert client.get(accepted.get_absolute_url()).status_code == 404
        assert _post(client, accepted, "instruct", {"text": "批示"}).status_code == 404
        assert client.get(reverse("visitors:case_assignment_pdf", args=[accepted.code])).status_code == 404
    assert client_for(staff).get(accepted.contact.get_absolute_url()).status_code == 404


def test_actions_are_post_only(accepted, client_for, deputy):
    url = reverse("visitors:case_step", args=[accepted.code, "instruct"])
    assert client_for(deputy).get(url).status_code == 405


def test_step_out_of_turn_is_refused_and_form_kept(accepted, client_for, resources_staff, office_director):
    """The department reports before the leader has instructed: refused, the text typed is still there."""
    response = _post(client_for(resources_staff), accepted, "report_progress", {"text": "已核实占地0.8亩"})
    page = response.content.decode()
    assert response.status_code == 400 and "不能报告办理进展" in page
    assert not accepted.progress.exists()
    accepted.refresh_from_db()
    assert accepted.status == S.INSTRUCTING and not accepted.reply_text


def test_refused_input_is_kept_beside_the_field(register, front_desk, office_director, client_for, deputy, departments):
    """受理 with a deadline past the law: the error stands beside 办理时限, everything typed is still there."""
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    too_late = timezone.localdate() + timedelta(days=61)
    response = _post(
        client_for(office_director),
        case,
        "accept",
        {
            "notice_text": "您反映的占地问题已受理",
            "severity": "minor",
            "leader": deputy.pk,
            "lead_department": departments["自然资源所"].pk,
            "deadline": too_late.isoformat(),
        },
    )
    page = response.content.decode()
    assert response.status_code == 400 and "您反映的占地问题已受理" in page
    assert '<div class="field has-error required">\n  <label for="id_accept-deadline">' in page
    assert "不超过60日" in page
    case.refresh_from_db()
    assert case.status == S.REGISTERED


def test_report_up_and_extension_approval_only_while_handling(accepted, deputy, office_director, front_desk):
    with pytest.raises(TransitionNotAllowed):
        workflow.report_up(accepted, by=office_director, text="报告")
    workflow.instruct(accepted, by=deputy, text="办理")
    accepted.refresh_from_db()
    workflow.request_extension(accepted, by=office_director, days=10, reason="需测绘")
    workflow.reply(accepted, by=office_director, text="答复")
    accepted.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        workflow.approve_extension(accepted, by=deputy)
    accepted.refresh_from_db()
    assert accepted.extension_days == 0


def test_only_accusations_name_the_accused(register, front_desk, deputy, departments):
    with pytest.raises(TransitionNotAllowed):
        workflow.open_case(register(), by=front_desk, petition_type="claim", accused_person=deputy)
    assert Contact.objects.get().status == Contact.Status.OPEN


def test_accused_leader_cannot_instruct(register, front_desk, office_director, deputy, deputy_mayor, departments):
    case = workflow.open_case(register(), by=front_desk, petition_type="accusation", accused_person=deputy)
    accept = dict(
        by=office_director,
        notice_text="受理",
        severity="minor",
        lead_department=departments["纪检监察办公室"],
        deadline=timezone.localdate() + timedelta(days=30),
    )
    with pytest.raises(TransitionNotAllowed, match="被反映人"):
        workflow.accept(case, leader=deputy, **accept)
    workflow.accept(case, leader=deputy_mayor, **accept)
    case.refresh_from_db()
    assert case.instructing_leader == deputy_mayor and case.forwarded_to.startswith("镇纪委")


def test_registration_names_the_accused_person(client_for, front_desk, deputy):
    data = registration_form(
        channel="call",  # a 来信 has its own form (test_letter_form.py)
        name="匿名群众",
        id_number=None,
        phone=None,
        address="石桥村",
        category="other",
        matter="反映某干部违规收取费用",
        outcome="case",
        petition_type="suggestion",
        accused_person=deputy.pk,
    )
    client = client_for(front_desk)
    response = client.post(reverse("visitors:contact_register"), data)
    assert response.status_code == 400 and "只有检举控告类" in response.content.decode()
    assert "反映某干部违规收取费用" in response.content.decode() and not Contact.objects.exists()
    response = client.post(reverse("visitors:contact_register"), {**data, "petition_type": "accusation"})
    case = PetitionCase.objects.get()
    assert response.url == case.get_absolute_url() and case.accused_person == deputy


def _accusation_against(who, register, front_desk):
    contact = register(name="举报人", id_number=VALID_IDS[3], phone="13922222222", matter="举报领导违规")
    return workflow.open_case(contact, by=front_desk, petition_type="accusation", accused_person=who)


def test_daily_report_never_shows_an_accusation_to_the_accused(
    register, front_desk, principal, office_director, client_for, django_capture_on_commit_callbacks
):
    case = _accusation_against(principal, register, front_desk)
    page = client_for(principal).get(reverse("visitors:daily_report")).content.decode()
    assert case.number not in page and "举报领导违规" not in page
    assert case.number in client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    with django_capture_on_commit_callbacks(execute=True):
        send_daily_report()
    note = Notification.objects.get(recipient=principal, title__contains="每日来文来电来访汇报")
    response = client_for(principal).get(note.url)
    text = PdfReader(io.BytesIO(b"".join(response.streaming_content))).pages[0].extract_text().replace(" ", "")
    # counted, never shown: the accused leader's figures are the office director's
    assert "新增信访事项（1件）" in text and "另有1件按规定回避" in text and "举报领导违规" not in text
    assert case.number not in text


def test_daily_report_shows_a_principal_leader_what_was_not_routed_to_him(
    accepted, client_for, principal, office_director
):
    """The whole day for a principal leader: a case (and its contact) he would get 404 on is listed and counted,
    without a link to the page he cannot open."""
    PetitionCase.objects.filter(pk=accepted.pk).update(deadline=timezone.localdate() - timedelta(days=1))
    assert client_for(principal).get(accepted.get_absolute_url()).status_code == 404
    page = client_for(principal).get(reverse("visitors:daily_report")).content.decode()
    assert accepted.number in page and accepted.get_absolute_url() not in page
    assert accepted.contact.get_absolute_url() not in page and "未分送本人" in page
    report = services.daily_report(viewer=principal)
    assert [line["number"] for line in report["overdue"]] == [accepted.number] and report["overdue_total"] == 1
    assert [line["url"] for line in report["visits"]] == [""] and report["visits"][0]["not_routed"]
    page = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    assert accepted.get_absolute_url() in page and accepted.contact.get_absolute_url() in page
    assert "本汇报已按您的查阅权限筛选" in page
    report = services.daily_report(viewer=office_director)
    assert [line["number"] for line in report["overdue"]] == [accepted.number] and report["overdue_total"] == 1


def test_daily_report_of_the_office_director_leaves_out_an_accusation_naming_him(
    register, front_desk, office_director, client_for
):
    """Any other reader's report is per reader: what they would get 404 on is neither listed nor counted."""
    case = _accusation_against(office_director, register, front_desk)
    assert client_for(office_director).get(case.get_absolute_url()).status_code == 404
    report = services.daily_report(viewer=office_director)
    assert report["new_cases"] == [] and report["visits"] == [] and report["counts"]["visits"] == 0
    page = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()
    assert case.number not in page and "举报领导违规" not in page and "按规定回避" not in page


def test_daily_report_lists_a_contact_whose_case_the_reader_may_open(accepted, principal):
    """A leader granted the case (not the registration) gets its contact's line, leading to the case."""
    from township_office import permissions

    permissions.grant(accepted, "view", users=[principal])
    report = services.daily_report(viewer=principal)
    assert [line["url"] for line in report["visits"]] == [accepted.get_absolute_url()]
    assert [line["number"] for line in report["new_cases"]] == [accepted.number]


def test_daily_report_marks_extra_urgent_files(accepted, client_for, office_director, clerk):
    """特急 files stand out on the page, and every line has every mark (the template never asks a line in vain)."""
    from documents import services as documents

    documents.register_incoming(
        by=clerk, data={"source_org": "县应急管理局", "title": "森林火险特急通知", "urgency": "extra_urgent"}
    )
    documents.register_incoming(by=clerk, data={"source_org": "县农业农村局", "title": "加急的函", "urgency": "urgent"})
    page = client_for(office_director).get(reverse("visitors:daily_report")).content.decode()

    def line(title):
        text = page[page.index(title) :]
        return text[: text.index("</li>")]

    assert '<strong class="tag danger">特急</strong>' in line("森林火险特急通知")
    assert "特急" not in line("加急的函")
    report = services.daily_report(viewer=office_director)
    sections = ("incoming", "calls", "visits", "new_cases", "due_soon", "overdue")
    assert all(set(services.LINE) <= set(one) for key in sections for one in report[key])
    assert report["incoming"] and report["visits"] and report["new_cases"]


def test_daily_report_refused_to_clerk_and_desk(client_for, clerk, front_desk, township):
    for user in (clerk, front_desk):
        response = client_for(user).get(reverse("visitors:daily_report"))
        assert response.status_code == 403 and "每日汇报供主要领导和办公室主任查阅" in response.content.decode()


def test_daily_report_counts_only_yesterday_and_today(register, office_director):
    old = register(channel="call", id_number="", name="前天来电")
    Contact.objects.filter(pk=old.pk).update(received_at=timezone.now() - timedelta(days=2))
    register(channel="call", id_number="", name="今天来电")
    report = services.daily_report(viewer=office_director)
    assert [line["source"] for line in report["calls"]] == ["今天来电"]


def test_front_desk_todo_lists_contacts_not_yet_answered(register, client_for, front_desk, office_director):
    waiting = register(name="只登记的来访人")
    page = client_for(front_desk).get(reverse("township_office:todo")).content.decode()
    assert "只登记的来访人" in page and waiting.get_absolute_url() in page
    workflow.answer_on_the_spot(waiting, by=front_desk, answer="已当场解释政策")
    assert "只登记的来访人" not in client_for(front_desk).get(reverse("township_office:todo")).content.decode()
    assert "只登记的来访人" not in client_for(office_director).get(reverse("township_office:todo")).content.decode()
    done = client_for(front_desk).get(reverse("township_office:todo") + "?tab=done").content.decode()
    assert "只登记的来访人" in done


def test_contact_list_query_count_is_constant(register, front_desk, client_for, count_queries):
    client = client_for(front_desk)
    register()
    list_one = count_queries(client, reverse("visitors:contact_list"))
    for i in range(19):
        register(name=f"来访人{i}", id_number="", phone=f"139000000{i:02d}", channel="call")
    assert count_queries(client, reverse("visitors:contact_list")) == list_one


def test_open_case_from_contact_page_keeps_the_choice_on_error(register, client_for, front_desk, deputy):
    contact = register()
    url = reverse("visitors:contact_step", args=[contact.code, "open_case"])
    response = client_for(front_desk).post(
        url, {"open_case-petition_type": "claim", "open_case-accused_person": deputy.pk}
    )
    assert response.status_code == 400 and "只有检举控告类" in response.content.decode()
    contact.refresh_from_db()
    assert contact.status == Contact.Status.OPEN and not contact.cases.exists()
    response = client_for(front_desk).post(
        url, {"open_case-petition_type": "accusation", "open_case-accused_person": deputy.pk}
    )
    assert response.url == contact.get_absolute_url()
    assert contact.cases.get().accused_person == deputy
