"""印发 delivers: each township department chosen at drafting gets the 发文 to 签收 (a work item, view), one with no
active account is named for the paper copy; the office sees who signed and read it, a recipient only its own row."""

import pytest
from django.contrib.auth.models import Group
from django.urls import reverse
from django.utils import timezone

from documents import services, workflow
from documents.models import OutgoingDocument
from tests.unchanged import database_state
from township_office import permissions, worklist
from township_office.demo import DEMO_PASSWORD
from township_office.models import AuditEvent, Department, IssuerCode, Notification, User, WorkItem
from township_office.roles import Role
from township_office.steps import Refused

S = OutgoingDocument.Status
VILLAGES = ["长官村村民委员会", "柳林村村民委员会", "石桥村村民委员会", "河东村村民委员会", "新民社区居民委员会"]


@pytest.fixture
def stamped(monkeypatch):
    class Stamped:
        number, status, status_label, url, fully_stamped = "用印〔2026〕1号", "stamped", "已用印", "/seals/x/", True

    class Api:  # the seals app's narrow interface, with one fully stamped request
        requests_for = staticmethod(lambda object_type, code: [Stamped()])
        new_request_url = staticmethod(lambda object_type, code, title: "")

    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: Api)


@pytest.fixture
def to_issue(staff, deputy, office_director, clerk, pdf_upload, departments, stamped):
    """to_issue(names, issue=True, title=…) → a 发文 to those township departments, at 待印发 or issued."""

    def make(names, issue=True, title="关于做好冬季森林防火工作的通知"):
        document = services.draft_outgoing(
            by=staff,
            data={
                "issuer_code": IssuerCode.objects.get(code="长政发"),
                "title": title,
                "text": "为做好有关工作，现通知如下。\n一、总体要求\n请结合实际抓好落实。",
                "main_recipients": "各村（社区）",
            },
            body=pdf_upload(),
            recipient_departments=[departments[n] for n in names],
        )
        workflow.review(document, by=deputy, text="同意")
        workflow.check(document, by=office_director, text="核稿无误")
        workflow.sign_off(document, by=deputy, text="同意印发")
        workflow.recheck(document, by=clerk)
        workflow.number(document, by=clerk)
        workflow.seal(document, by=clerk)
        if issue:
            workflow.issue(document, by=clerk, copies=20, issued_on=timezone.localdate(), proofreader="孙悦")
        return OutgoingDocument.objects.get(pk=document.pk)

    return make


@pytest.fixture
def villages_and_resources(to_issue):
    """Issued to the five villages (only 长官村 has an account) and to 自然资源所 (马涛)."""
    return to_issue([*VILLAGES, "自然资源所"])


def _member(name, department_name):
    user = User.objects.create_user(name, password=DEMO_PASSWORD, full_name=name)
    user.department = Department.objects.get(name=department_name)
    user.save()
    user.groups.add(Group.objects.get(name=Role.DEPARTMENT_STAFF))
    return User.objects.get(pk=user.pk)


# --- 印发 ------------------------------------------------------------------------------------------------------


def test_issue_delivers_to_each_recipient_department(villages_and_resources, village_staff, resources_staff, clerk):
    document = villages_and_resources
    deliveries = {d.department.name: d for d in document.deliveries.select_related("department")}
    assert set(deliveries) == {*VILLAGES, "自然资源所"}
    assert {n for n, d in deliveries.items() if d.on_paper} == set(VILLAGES) - {"长官村村民委员会"}
    assert all(d.signed_at is None and d.delivered_at for d in deliveries.values())
    items = WorkItem.objects.filter(step="sign_for", done_at__isnull=True)
    assert {i.department.name for i in items} == {"长官村村民委员会", "自然资源所"}
    assert all(i.label == "待签收" and i.kind == WorkItem.Kind.ACT for i in items)  # the step's work=
    for member in (village_staff, resources_staff):
        assert worklist.waiting(member).get().step == "sign_for"
        assert {"view", "sign_for"} <= permissions.held(member, document)
        assert Notification.objects.filter(recipient=member, title__startswith="请签收").exists()
    assert "签收" not in [s.label for s in workflow.outgoing.available(document, clerk)]
    event = AuditEvent.objects.filter(action="印发", object_code=str(document.code)).get()
    assert event.comment == "20份，送达本镇 2 个单位签收，4 个单位无账号需纸质送达"


def test_issue_names_the_departments_without_accounts_before_and_after(to_issue, clerk, client_for):
    document = to_issue(VILLAGES, issue=False)
    confirm = workflow.issue.step.confirm_for(document)
    assert "送达 1 个本镇单位" in confirm
    assert (
        "柳林村村民委员会、石桥村村民委员会、河东村村民委员会、新民社区居民委员会 没有可用账号，需纸质送达" in confirm
    )
    client = client_for(clerk)
    page = client.get(document.get_absolute_url()).content.decode()
    assert "需纸质送达" in page  # in the 印发 form's confirmation
    response = client.post(
        reverse("documents:outgoing_step", args=[document.code, "issue"]),
        {"issue-copies": 20, "issue-issued_on": "2026-11-25", "issue-proofreader": "孙悦"},
        follow=True,
    )
    text = response.content.decode()
    assert "已印发，已送达 1 个本镇单位签收。柳林村村民委员会" in text
    assert "无账号，需纸质送达" in text  # the message and the delivery table


def test_issue_without_recipient_departments_delivers_nothing(to_issue):
    document = to_issue([])
    assert not document.deliveries.exists()
    assert not WorkItem.objects.filter(step="sign_for").exists()
    assert workflow.issue.step.confirm_for(to_issue([], issue=False)).startswith("未选择本镇收文单位")


def test_refused_issue_delivers_nothing(to_issue, clerk, village_staff):
    document = to_issue(VILLAGES, issue=False)
    before = database_state()
    with pytest.raises(Refused):
        workflow.issue(document, by=clerk, copies=0, issued_on=timezone.localdate(), proofreader="孙悦")
    with pytest.raises(Refused):
        workflow.issue(document, by=village_staff, copies=5, issued_on=timezone.localdate(), proofreader="孙悦")
    assert database_state() == before


# --- 签收 ------------------------------------------------------------------------------------------------------


def test_a_member_signs_for_the_department(villages_and_resources, village_staff, resources_staff):
    document = villages_and_resources
    assert [s.name for s in workflow.outgoing.available(document, village_staff)] == ["sign_for"]
    workflow.sign_for(document, by=village_staff)
    delivery = document.deliveries.get(department=village_staff.department)
    assert delivery.signed_by == village_staff and delivery.signed_at
    assert delivery.first_read_at is None  # signing is not reading
    item = WorkItem.objects.get(step="sign_for", department=village_staff.department)
    assert item.done_by == village_staff and item.done_at
    fresh = OutgoingDocument.objects.get(pk=document.pk)
    assert permissions.held(village_staff, fresh) == {"view"}  # reads it again, cannot sign twice
    assert "sign_for" in permissions.held(resources_staff, fresh)  # the other department still must
    assert worklist.waiting(resources_staff).get().step == "sign_for"
    assert AuditEvent.objects.filter(action="签收", comment="长官村村民委员会", actor=village_staff).exists()
    assert worklist.done_by(village_staff).first().step == "sign_for"  # 已办


SIGN_FOR_REFUSED = ["department_staff", "clerk", "office_director", "principal_leader", "deputy_leader", "stranger"]


@pytest.mark.parametrize("persona", SIGN_FOR_REFUSED)
def test_sign_for_is_refused_to_anyone_outside_the_recipients(villages_and_resources, people, stranger, persona):
    document = villages_and_resources
    user = stranger if persona == "stranger" else people[persona]
    assert not workflow.outgoing.allows(document, user, "sign_for")
    before = database_state()
    with pytest.raises(Refused) as refused:
        workflow.sign_for(document, by=user)
    assert refused.value.forbidden
    assert database_state() == before


def test_sign_for_is_refused_twice_and_to_another_member_after(villages_and_resources, village_staff):
    document = villages_and_resources
    workflow.sign_for(document, by=village_staff)
    colleague = _member("cgc2", "长官村村民委员会")
    for user in (village_staff, colleague):
        fresh = OutgoingDocument.objects.get(pk=document.pk)
        assert not workflow.outgoing.allows(fresh, user, "sign_for")
        before = database_state()
        with pytest.raises(Refused):
            workflow.sign_for(fresh, by=user)
        assert database_state() == before
    assert document.deliveries.get(department=village_staff.department).signed_by == village_staff


def test_sign_for_is_refused_before_issue_and_kept_after_archive(to_issue, village_staff, clerk):
    waiting = to_issue(VILLAGES, issue=False)
    before = database_state()
    with pytest.raises(Refused):
        workflow.sign_for(waiting, by=village_staff)
    assert database_state() == before
    document = to_issue(VILLAGES, title="关于冬季征兵工作的通知")
    workflow.archive_outgoing(document, by=clerk, retention="D10")
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert document.status == S.ARCHIVED
    assert worklist.waiting(village_staff).get().step == "sign_for"  # 归档 does not close the villages' 签收
    workflow.sign_for(document, by=village_staff)
    assert document.deliveries.get(department=village_staff.department).signed_at


def test_a_department_that_got_an_account_after_issue_is_still_on_paper(villages_and_resources):
    late = _member("liulin", "柳林村村民委员会")
    document = OutgoingDocument.objects.get(pk=villages_and_resources.pk)
    assert not workflow.outgoing.allows(document, late, "sign_for")
    assert document.deliveries.get(department=late.department).on_paper


def test_duties_rebuild_the_sign_for_items(villages_and_resources, village_staff):
    document = villages_and_resources
    duties = {step.name: departments for step, _, departments in workflow.outgoing.duties(document)}
    assert {d.name for d in duties["sign_for"]} == {"长官村村民委员会", "自然资源所"}
    workflow.sign_for(document, by=village_staff)
    duties = {step.name: departments for step, _, departments in workflow.outgoing.duties(document)}
    assert {d.name for d in duties["sign_for"]} == {"自然资源所"}


# --- Reading, visibility, the page -----------------------------------------------------------------------------


def test_reading_after_signing_records_the_first_reader(villages_and_resources, village_staff, client_for):
    document = villages_and_resources
    client = client_for(village_staff)
    assert client.get(document.get_absolute_url()).status_code == 200  # read before signing: not recorded
    assert document.deliveries.get(department=village_staff.department).first_read_at is None
    response = client.post(reverse("documents:outgoing_step", args=[document.code, "sign_for"]))
    assert response.status_code == 302
    colleague = _member("cgc2", "长官村村民委员会")
    assert client_for(colleague).get(reverse("documents:outgoing_document", args=[document.code])).status_code == 200
    client_for(village_staff).get(document.get_absolute_url())
    delivery = document.deliveries.get(department=village_staff.department)
    assert delivery.first_read_by == colleague and delivery.first_read_at >= delivery.signed_at


def test_the_preview_viewer_counts_as_reading(villages_and_resources, village_staff, client_for):
    document = villages_and_resources
    workflow.sign_for(document, by=village_staff)
    client = client_for(village_staff)
    assert client.get(f"/preview/outgoing-document/{document.code}/").status_code == 200
    assert document.deliveries.get(department=village_staff.department).first_read_by == village_staff


def test_only_recipients_with_accounts_see_the_issued_document(to_issue, village_staff, client_for, stranger):
    waiting = to_issue(VILLAGES, issue=False)
    assert client_for(village_staff).get(waiting.get_absolute_url()).status_code == 404
    document = to_issue(["长官村村民委员会"], title="只送长官村的通知")
    assert client_for(village_staff).get(document.get_absolute_url()).status_code == 200
    shiqiao = _member("shiqiao", "石桥村村民委员会")  # a village with an account, not a recipient
    liulin = _member("liulin", "柳林村村民委员会")
    for user in (shiqiao, liulin, stranger):
        client = client_for(user)
        assert client.get(document.get_absolute_url()).status_code == 404
        assert client.get(reverse("documents:outgoing_body", args=[document.code])).status_code == 404
        assert client.get(f"/preview/outgoing-body/{document.code}/").status_code == 404
        assert "只送长官村的通知" not in client.get(reverse("documents:received_list")).content.decode()
        assert "只送长官村的通知" not in client.get(reverse("documents:outgoing_list")).content.decode()
        post = client.post(reverse("documents:outgoing_step", args=[document.code, "sign_for"]))
        assert post.status_code == 404
    assert not document.deliveries.filter(signed_at__isnull=False).exists()


def test_the_office_and_the_drafter_see_every_row(villages_and_resources, village_staff, clerk, staff, client_for):
    document = villages_and_resources
    workflow.sign_for(document, by=village_staff)
    for user in (clerk, staff):
        page = client_for(user).get(document.get_absolute_url()).content.decode()
        section = page[page.index('data-testid="deliveries"') :]
        assert "已签收 1 / 共 6 个单位" in section
        assert "林红" in section and "未签收" in section and "无账号，需纸质送达" in section
        for name in VILLAGES:
            assert name in section


def test_a_recipient_sees_only_its_own_row(villages_and_resources, village_staff, resources_staff, client_for):
    document = villages_and_resources
    workflow.sign_for(document, by=resources_staff)
    page = client_for(village_staff).get(document.get_absolute_url()).content.decode()
    section = page[page.index('data-testid="received"') :]
    section = section[: section.index("</section>")]
    assert "长官村村民委员会" in section and "未签收" in section
    assert "自然资源所" not in page and "柳林村" not in page
    assert "马涛" not in page  # nor who signed elsewhere, among the current holders
    assert "流转记录" not in page  # the office's file is not shown to a recipient
    workflow.sign_for(document, by=village_staff)
    page = client_for(village_staff).get(document.get_absolute_url()).content.decode()
    section = page[page.index('data-testid="received"') :]
    assert "已签收" in section and "林红" in section  # its own 签收
    assert "马涛" not in page


def test_detail_queries_do_not_grow_with_recipients(to_issue, clerk, village_staff, client_for, count_queries):
    one = to_issue(["长官村村民委员会", "柳林村村民委员会"])  # one on paper: the 登记纸质送达 form is on both pages
    many = to_issue([*VILLAGES, "自然资源所", "财政所", "司法所"], title="送达多个单位的通知")
    client = client_for(clerk)
    assert count_queries(client, one.get_absolute_url()) == count_queries(client, many.get_absolute_url())
    client = client_for(village_staff)
    assert count_queries(client, one.get_absolute_url()) == count_queries(client, many.get_absolute_url())


# --- 下发文件 ----------------------------------------------------------------------------------------------------


def test_received_list_shows_what_was_delivered_to_my_department(
    villages_and_resources, to_issue, village_staff, client_for
):
    to_issue(["自然资源所"], title="只送自然资源所的通知")
    client = client_for(village_staff)
    page = client.get(reverse("documents:received_list")).content.decode()
    assert "关于做好冬季森林防火工作的通知" in page and "未签收" in page
    assert "只送自然资源所的通知" not in page
    assert "下发文件" in page  # in the navigation too
    workflow.sign_for(villages_and_resources, by=village_staff)
    assert (
        "关于做好冬季森林防火工作的通知"
        not in client.get(reverse("documents:received_list"), {"signed": "no"}).content.decode()
    )
    signed = client.get(reverse("documents:received_list"), {"signed": "yes", "q": "森林防火"}).content.decode()
    assert "关于做好冬季森林防火工作的通知" in signed and "已签收" in signed
    assert client.get(reverse("documents:received_list"), {"signed": "maybe"}).status_code == 400


def test_received_list_is_empty_without_a_department(villages_and_resources, principal, client_for):
    page = client_for(principal).get(reverse("documents:received_list")).content.decode()
    assert "关于做好冬季森林防火工作的通知" not in page and "没有所在部门" in page


def test_received_list_queries_do_not_grow(to_issue, village_staff, client_for, count_queries):
    to_issue(["长官村村民委员会"])
    client = client_for(village_staff)
    one = count_queries(client, reverse("documents:received_list"))
    for n in range(19):
        to_issue(["长官村村民委员会"], title=f"第{n}号通知")
    assert count_queries(client, reverse("documents:received_list")) == one <= 12


# --- The drafting form ---------------------------------------------------------------------------------------


def test_the_draft_form_offers_the_departments_grouped(staff, client_for, departments, township):
    client = client_for(staff)
    page = client.get(reverse("documents:outgoing_create")).content.decode()
    assert "主送/抄送单位（本镇）" in page and "data-department-picker" in page
    assert "全部村（居）" in page and "柳林村村民委员会（无账号）" in page
    # 会签部门 in the same grouped picker, with its own search box
    assert '<div id="id_countersign_departments" class="department-picker" data-department-picker>' in page
    response = client.post(
        reverse("documents:outgoing_create"),
        {
            "action": "draft",
            "issuer_code": IssuerCode.objects.get(code="长政发").pk,
            "title": "关于秋冬季农田水利建设的实施意见",
            "doc_type": "意见",
            "importance": "routine",
            "secrecy": "none",
            "urgency": "normal",
            "main_recipients": "各村（社区）",
            "recipient_departments": [departments[n].pk for n in VILLAGES],
        },
    )
    assert response.status_code == 302
    document = OutgoingDocument.objects.get(title="关于秋冬季农田水利建设的实施意见")
    assert {d.name for d in document.recipient_departments.all()} == set(VILLAGES)
    workflow.edit_draft(
        document, by=staff, changes={"title": document.title}, recipient_departments=[departments["自然资源所"]]
    )
    assert [d.name for d in document.recipient_departments.all()] == ["自然资源所"]
    bad = client.post(reverse("documents:outgoing_create"), {"action": "draft", "recipient_departments": ["x"]})
    assert bad.status_code == 400


def test_outgoing_search_finds_by_title(villages_and_resources, to_issue, clerk, client_for):
    """The 发文 search index is kept current again on SQLite (0010 restores the triggers 0005/0007 dropped)."""
    second = to_issue([], title="关于秋粮收购的函")
    page = client_for(clerk).get(reverse("documents:outgoing_list"), {"q": "森林防火"}).content.decode()
    assert "关于做好冬季森林防火工作的通知" in page and "秋粮" not in page
    # The year in the number is this year's (any year the suite runs in).
    assert second.doc_number == f"长政发〔{timezone.localdate().year}〕2号"
    page = client_for(clerk).get(reverse("documents:outgoing_list"), {"q": second.doc_number}).content.decode()
    assert "秋粮" in page and "森林防火" not in page


def test_sign_for_through_the_page_refused_with_the_reason(villages_and_resources, village_staff, clerk, client_for):
    document = villages_and_resources
    url = reverse("documents:outgoing_step", args=[document.code, "sign_for"])
    before = database_state()
    refused = client_for(clerk).post(url)
    assert refused.status_code == 403 and "不是该文的收文单位" in refused.content.decode()
    assert database_state() == before
    client = client_for(village_staff)
    assert client.post(url, {"next": "todo"}).status_code == 302
    signed = database_state()
    again = client.post(url)
    assert again.status_code == 403 and "已经签收" in again.content.decode()
    assert database_state() == signed  # nothing more signed, audited, closed or granted


def test_the_office_director_hands_a_sign_for_to_another_department(
    villages_and_resources, village_staff, resources_staff, office_director
):
    from township_office import steps

    document = villages_and_resources
    item = WorkItem.objects.get(step="sign_for", department=village_staff.department, done_at__isnull=True)
    before = database_state()
    with pytest.raises(Refused, match="已是该文的收文单位"):  # 自然资源所 has its own delivery
        steps.reassign(item, by=office_director, to_department=resources_staff.department, reason="村文书休假")
    assert database_state() == before
    staff_department = Department.objects.get(name="农业农村办公室")
    steps.reassign(item, by=office_director, to_department=staff_department, reason="村文书休假")
    document = OutgoingDocument.objects.get(pk=document.pk)
    assert not workflow.outgoing.allows(document, village_staff, "sign_for")
    drafter = document.drafter  # a member of 农业农村办公室
    assert workflow.outgoing.allows(document, drafter, "sign_for")
    workflow.sign_for(document, by=drafter)
    delivery = document.deliveries.get(department=staff_department)
    assert delivery.signed_by == drafter and not delivery.on_paper
    assert not document.deliveries.filter(department=village_staff.department).exists()
