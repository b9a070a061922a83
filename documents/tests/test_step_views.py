"""The step pages: what each person is offered, refusals shown with 400 and the input kept, 403 and 404."""

import re

import pytest
from django.urls import reverse
from django.utils import timezone

from documents import workflow
from documents.models import IncomingDocument, OutgoingDocument
from township_office import worklist
from township_office.models import AuditEvent, IssuerCode

S = OutgoingDocument.Status


def step_url(document, name):
    kind = "incoming" if isinstance(document, IncomingDocument) else "outgoing"
    return reverse(f"documents:{kind}_step", args=[document.code, name])


def offered(client, document):
    page = client.get(document.get_absolute_url()).content.decode()
    return {name for name in workflow.incoming.steps | workflow.outgoing.steps if f'data-step="{name}"' in page}


def test_each_person_is_offered_exactly_the_available_steps(client_for, register, clerk, office_director, staff):
    document = register()
    assert offered(client_for(clerk), document) == {"correct"}
    assert offered(client_for(office_director), document) == {"correct", "return_to_sender", "propose", "chase"}


def test_clerk_corrects_a_registered_file_with_a_forgotten_scan(client_for, register, clerk, pdf_upload):
    document = register(title="关于冬季防火的通知")
    response = client_for(clerk).post(
        step_url(document, "correct"),
        {
            "correct-signed_for_at": "2026-11-25T09:00",
            "correct-source_org": "县人民政府办公室",
            "correct-source_doc_number": "县政办发〔2026〕15号",
            "correct-title": "关于做好冬季森林防火工作的通知",
            "correct-doc_type": "通知",
            "correct-secrecy": "none",
            "correct-urgency": "normal",
            "correct-copies": "1",
            "correct-pages": "3",
            "correct-deadline": document.deadline.isoformat(),
            "correct-nature": "for_action",
            "correct-attachments": pdf_upload("第2页.pdf"),
        },
    )
    assert response.status_code == 302
    document.refresh_from_db()
    assert document.title == "关于做好冬季森林防火工作的通知" and document.pages == 3
    assert document.attachments.get().name == "第2页.pdf"
    page = client_for(clerk).get(document.get_absolute_url()).content.decode()
    assert "文件标题：关于冬季防火的通知 → 关于做好冬季森林防火工作的通知" in page  # in the 流转记录
    event = AuditEvent.objects.get(action="更正登记")
    assert "签收时间" in event.comment  # 09:00 was typed over the registered time
    response = client_for(clerk).post(
        step_url(document, "correct"),
        {
            f"correct-{name}": value
            for name, value in {
                "signed_for_at": timezone.localtime(document.signed_for_at).strftime("%Y-%m-%dT%H:%M"),
                "source_org": "县人民政府办公室",
                "source_doc_number": "县政办发〔2026〕15号",
                "title": "关于做好冬季森林防火工作的通知",
                "doc_type": "通知",
                "secrecy": "none",
                "urgency": "normal",
                "copies": "1",
                "pages": "3",
                "deadline": document.deadline.isoformat(),
                "nature": "for_action",
            }.items()
        },
    )
    assert response.status_code == 400 and "没有需要更正的内容" in response.content.decode()  # the time as shown


def test_correction_after_proposal_is_403_for_the_clerk(client_for, routed, clerk):
    response = client_for(clerk).post(step_url(routed, "correct"), {"correct-title": "改标题"})
    assert response.status_code == 403
    assert "只有办公室主任可以更正登记" in response.content.decode()
    assert IncomingDocument.objects.get(pk=routed.pk).title != "改标题"


def test_bad_correction_keeps_input_with_400(client_for, register, clerk):
    document = register()
    response = client_for(clerk).post(
        step_url(document, "correct"),
        {"correct-title": "新的标题但缺来文单位", "correct-secrecy": "work_secret", "correct-nature": "for_action"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "新的标题但缺来文单位" in page and "内部、工作秘密文件请填写保密期限" in page
    assert IncomingDocument.objects.get(pk=document.pk).title == document.title


def test_department_without_accounts_cannot_be_chosen(client_for, register, office_director, departments):
    document = register()
    client = client_for(office_director)
    page = client.get(document.get_absolute_url() + "?step=propose").content.decode()
    assert "财政所（无账号）" in page
    response = client.post(
        step_url(document, "propose"),
        {
            "propose-proposal": "请财政所办理",
            "propose-lead_department": departments["财政所"].pk,
            "propose-circulation_mode": "sequential",
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "财政所 没有可用的用户账号" in page and "请财政所办理" in page
    assert IncomingDocument.objects.get(pk=document.pk).status == IncomingDocument.Status.REGISTERED


def _draft_form(**extra):
    return {
        "issuer_code": IssuerCode.objects.get(code="长政发").pk,
        "title": "关于秋冬季农田水利建设的实施意见",
        "doc_type": "意见",
        "importance": "routine",
        "secrecy": "none",
        "urgency": "normal",
        "main_recipients": "各村（居）委会",
        **extra,
    }


def test_save_a_draft_then_submit_it(client_for, staff, deputy, pdf_upload, township):
    client = client_for(staff)
    response = client.post(reverse("documents:outgoing_create"), _draft_form(action="draft"))
    assert response.status_code == 302
    document = OutgoingDocument.objects.get()
    assert document.status == S.DRAFT and not document.body
    assert not worklist.waiting(deputy).exists()
    started = client.get(reverse("township_office:todo") + "?tab=started").content.decode()
    assert "关于秋冬季农田水利建设的实施意见" in started
    assert offered(client, document) == {"edit_draft", "submit"}
    response = client.post(step_url(document, "submit"))
    assert response.status_code == 400 and "请先填写或导入正文再提交" in response.content.decode()
    edit = {f"edit_draft-{k}": v for k, v in _draft_form(text="为做好有关工作，现通知如下。").items()}
    assert client.post(step_url(document, "edit_draft"), edit).status_code == 302
    response = client.post(step_url(document, "submit"))
    assert response.status_code == 302
    assert OutgoingDocument.objects.get().status == S.DEPT_REVIEW
    assert worklist.waiting(deputy).get().step == "review"


def test_submit_at_once_with_countersign_department_without_accounts_is_accepted(
    client_for, staff, pdf_upload, departments, township
):
    """A department without an account signs the 会签 on paper (the office records it: documents/test_paper.py)."""
    response = client_for(staff).post(
        reverse("documents:outgoing_create"),
        _draft_form(action="submit", text="请财政所会签。", countersign_departments=[departments["财政所"].pk]),
    )
    assert response.status_code == 302
    document = OutgoingDocument.objects.get()
    assert document.status == S.DEPT_REVIEW
    assert [d.name for d in document.countersign_departments.all()] == ["财政所"]


def test_draft_is_the_drafters_own(client_for, staff, resources_staff, office_director, pdf_upload, township):
    client_for(staff).post(reverse("documents:outgoing_create"), _draft_form(action="draft"))
    document = OutgoingDocument.objects.get()
    for user in (resources_staff, office_director):
        assert client_for(user).get(document.get_absolute_url()).status_code == 404
        assert client_for(user).post(step_url(document, "submit")).status_code == 404


def test_withdraw_offered_to_the_drafter_only(client_for, drafted, staff, deputy):
    assert "withdraw" in offered(client_for(staff), drafted)
    assert "withdraw" not in offered(client_for(deputy), drafted)
    assert client_for(deputy).post(step_url(drafted, "withdraw")).status_code == 403
    assert client_for(staff).post(step_url(drafted, "withdraw")).status_code == 302
    assert OutgoingDocument.objects.get(pk=drafted.pk).status == S.DRAFT


@pytest.fixture
def countersigning(staff, pdf_upload, deputy, office_director, departments, township):
    from documents import services

    document = services.draft_outgoing(
        by=staff,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "联合发文",
            "main_recipients": "各村",
            "text": "请会签。",
        },
        body=pdf_upload(),
        countersign_departments=[departments["自然资源所"]],
    )
    workflow.review(document, by=deputy, text="同意")
    workflow.check(document, by=office_director, text="请会签")
    return OutgoingDocument.objects.get(pk=document.pk)


def test_skip_countersign_needs_a_reason_and_the_office_director(client_for, countersigning, clerk, office_director):
    department = countersigning.countersign_departments.get()
    data = {"skip_countersign-department": department.pk, "skip_countersign-reason": ""}
    assert client_for(clerk).post(step_url(countersigning, "skip_countersign"), data).status_code == 403
    response = client_for(office_director).post(step_url(countersigning, "skip_countersign"), data)
    assert response.status_code == 400
    data["skip_countersign-reason"] = "该所账号未开通"
    response = client_for(office_director).post(step_url(countersigning, "skip_countersign"), data)
    assert response.status_code == 302
    page = client_for(office_director).get(countersigning.get_absolute_url()).content.decode()
    assert "已跳过" in page and "该所账号未开通" in page
    assert AuditEvent.objects.filter(action="跳过会签").count() == 1


def test_outgoing_stranger_404_and_unknown_step_404(client_for, drafted, stranger, staff):
    assert client_for(stranger).post(step_url(drafted, "review"), {"review-text": "x"}).status_code == 404
    assert client_for(staff).post(step_url(drafted, "nosuchstep")).status_code == 404


def test_refused_review_after_withdrawal(client_for, drafted, deputy, staff):
    workflow.withdraw(drafted, by=staff)  # the drafter took it back meanwhile
    response = client_for(deputy).post(step_url(drafted, "review"), {"review-text": "同意，请办公室核稿"})
    assert response.status_code == 404  # the reviewer lost the document with the step
    workflow.submit(OutgoingDocument.objects.get(pk=drafted.pk), by=staff)
    response = client_for(deputy).post(step_url(drafted, "review_return"), {"review_return-text": ""})
    assert response.status_code == 400
    assert OutgoingDocument.objects.get(pk=drafted.pk).status == S.DEPT_REVIEW


def test_countersign_typed_after_a_skip_is_kept(client_for, countersigning, office_director, resources_staff):
    department = countersigning.countersign_departments.get()
    workflow.skip_countersign(countersigning, by=office_director, department=department, reason="无人值守")
    response = client_for(resources_staff).post(
        step_url(countersigning, "countersign"), {"countersign-text": "我所同意，建议补充耕地保护条款"}
    )
    assert response.status_code == 400  # the state moved on: not the person's fault
    page = response.content.decode()
    assert "我所同意，建议补充耕地保护条款" in page and "不能会签" in page


def test_forbidden_step_keeps_what_was_typed(client_for, routed, principal):
    response = client_for(principal).post(step_url(routed, "instruct"), {"instruct-text": "拟同意，请陈刚同志阅处"})
    assert response.status_code == 403
    assert "拟同意，请陈刚同志阅处" in response.content.decode()


def test_instruction_phrases_and_confirmation_are_offered(client_for, routed, deputy):
    page = client_for(deputy).get(routed.get_absolute_url()).content.decode()
    for phrase in ("同意", "已阅", "请×××阅处", "按程序办理"):
        assert f'data-phrase="{phrase}"' in page
    assert 'data-confirm="批示签发后不能修改' in page
    assert "township_office/js/phrases.js" in page and "<script>" not in page


def test_sign_off_without_typing_records_agreement(client_for, drafted, deputy, office_director):
    workflow.review(drafted, by=deputy, text="同意")
    workflow.check(drafted, by=office_director, text="核稿无误")
    response = client_for(deputy).post(step_url(drafted, "sign_off"), {"sign_off-text": ""})
    assert response.status_code == 302
    assert drafted.opinions.get(step="sign_off").text == "同意"
    assert OutgoingDocument.objects.get(pk=drafted.pk).status == S.RECHECK


def test_detail_pages_queries_do_not_grow_with_history(client_for, routed, deputy, staff, count_queries):
    workflow.instruct(routed, by=deputy, text="请抓紧")
    one = count_queries(client_for(deputy), routed.get_absolute_url())
    for i in range(4):
        workflow.instruct(routed, by=deputy, text=f"补充批示{i}")
        workflow.report_progress(routed, by=staff, text=f"进展{i}")
    assert count_queries(client_for(deputy), routed.get_absolute_url()) == one <= 20


def test_no_page_repeats_an_element_id(client_for, routed, deputy, office_director, staff, drafted):
    """Two forms on one page never share an id (each step's form has its prefix; 转交 forms theirs): a label or a
    screen reader would otherwise reach the wrong box."""
    import re
    from collections import Counter

    workflow.instruct(routed, by=deputy, text="请抓紧")
    pages = [
        (office_director, routed.get_absolute_url()),  # 办理: progress, 办结, 催办, 更正, 转交 …
        (staff, routed.get_absolute_url()),
        (deputy, routed.get_absolute_url()),
        (staff, drafted.get_absolute_url()),
        (office_director, reverse("documents:incoming_list")),
    ]
    for user, url in pages:
        page = client_for(user).get(url).content.decode()
        ids = Counter(re.findall(r'\sid="([^"]+)"', page))
        assert ids and not [i for i, n in ids.items() if n > 1], (user.username, url, ids.most_common(3))


def test_messages_are_announced_and_login_errors_alert(client, client_for, routed, deputy):
    response = client_for(deputy).post(step_url(routed, "instruct"), {"instruct-text": "请抓紧"}, follow=True)
    assert '<ul class="messages" role="status">' in response.content.decode()
    client.logout()
    page = client.post(reverse("login"), {"username": "deputy_leader", "password": "wrong"}).content.decode()
    assert 'role="alert"' in page


def _field_error(response, name):
    match = re.search(rf'id="id_{re.escape(name)}_error">(.*?)</div>', response.content.decode(), re.S)
    return match[1] if match else ""


@pytest.mark.parametrize("name", ["copies", "pages"])
@pytest.mark.parametrize("value", ["2147483648", "9" * 25])
def test_correction_with_a_huge_count_is_refused_beside_the_field(client_for, register, clerk, name, value):
    """Issue 22 §8: 更正登记 with 份数 or 页数 beyond the column was a 500 (SQLite's integer overflow)."""
    document = register(title="关于冬季防火的通知")
    before = IncomingDocument.objects.filter(pk=document.pk).values().get()
    data = {
        "correct-signed_for_at": "2026-11-25T09:00",
        "correct-source_org": "县人民政府办公室",
        "correct-source_doc_number": "县政办发〔2026〕15号",
        "correct-title": "关于做好冬季森林防火工作的通知",
        "correct-doc_type": "通知",
        "correct-secrecy": "none",
        "correct-urgency": "normal",
        "correct-copies": "1",
        "correct-pages": "3",
        "correct-deadline": document.deadline.isoformat(),
        "correct-nature": "for_action",
    }
    response = client_for(clerk).post(step_url(document, "correct"), {**data, f"correct-{name}": value})
    assert response.status_code == 400
    assert "2147483647" in _field_error(response, f"correct-{name}")
    assert IncomingDocument.objects.filter(pk=document.pk).values().get() == before
    assert not AuditEvent.objects.filter(action="更正登记").exists()
