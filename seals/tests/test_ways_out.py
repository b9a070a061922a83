"""Ways out through the pages: a draft saved, corrected, submitted and withdrawn; the applicant follows it in 我发起的."""

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from seals import workflow
from seals.models import SealRequest
from township_office import worklist
from township_office.models import AuditEvent

from .conftest import PDF, decide, submit_request


def form_data(known, **extra):
    data = {
        "seals": [known["长官镇农业农村办公室"].pk],
        "use_type": "certificate",
        "title": "补贴发放情况证明",
        "recipient": "县农业农村局",
        "purpose": "报送",
        "copies": 2,
    }
    data.update(extra)
    return data


def test_save_draft_without_a_file_only_the_applicant_sees_it(client_for, staff, seals, office_director, deputy):
    response = client_for(staff).post(reverse("seals:request_create"), form_data(seals, action="draft"))
    request = SealRequest.objects.get()
    assert response.status_code == 302 and response.url == request.get_absolute_url()
    assert request.status == SealRequest.Status.DRAFT and request.serial is None and not request.document
    assert AuditEvent.objects.filter(object_code=str(request.code), action="保存草稿").exists()
    page = client_for(staff).get(request.get_absolute_url()).content.decode()
    assert 'data-step="edit"' in page and 'data-step="submit"' in page and 'data-step="void"' in page
    started = client_for(staff).get(reverse("township_office:todo") + "?tab=started").content.decode()
    assert "补贴发放情况证明" in started and "草稿" in started
    for other in (office_director, deputy):
        assert client_for(other).get(request.get_absolute_url()).status_code == 404
        assert "补贴发放情况证明" not in client_for(other).get(reverse("seals:request_list")).content.decode()


def test_submitting_a_draft_without_its_file_is_refused_with_the_reason(client_for, staff, seals):
    client = client_for(staff)
    client.post(reverse("seals:request_create"), form_data(seals, action="draft"))
    request = SealRequest.objects.get()
    response = client.post(reverse("seals:request_step", args=[request.code, "submit"]))
    assert response.status_code == 400 and "请上传待用印的文件" in response.content.decode()
    request.refresh_from_db()
    assert request.status == SealRequest.Status.DRAFT


def test_edit_the_draft_then_submit_then_withdraw(client_for, staff, seals, deputy):
    client = client_for(staff)
    client.post(reverse("seals:request_create"), form_data(seals, action="draft"))
    request = SealRequest.objects.get()
    edit = reverse("seals:request_step", args=[request.code, "edit"])
    bad = {f"edit-{k}": v for k, v in form_data(seals, title="改正后的证明", copies=0).items()}
    response = client.post(edit, bad)
    assert response.status_code == 400
    page = response.content.decode()
    assert "用印份数至少为 1" in page and 'value="改正后的证明"' in page  # nothing typed is lost
    good = {f"edit-{k}": v for k, v in form_data(seals, title="改正后的证明").items()}
    good["edit-document"] = SimpleUploadedFile("证明.pdf", PDF)
    assert client.post(edit, good).status_code == 302
    request.refresh_from_db()
    assert request.title == "改正后的证明" and request.document_sha256
    assert worklist.matter_of(request).title.endswith("改正后的证明")

    assert client.post(reverse("seals:request_step", args=[request.code, "submit"])).status_code == 302
    request.refresh_from_db()
    assert request.status == SealRequest.Status.PENDING and request.serial == 1
    assert [i.step for i in worklist.waiting(deputy)] == ["approve_deputy"]

    assert client.post(reverse("seals:request_step", args=[request.code, "withdraw"])).status_code == 302
    request.refresh_from_db()
    assert request.status == SealRequest.Status.DRAFT and request.number == f"用印〔{request.year}〕1号"
    assert not worklist.waiting(deputy).exists()
    assert client_for(deputy).get(request.get_absolute_url()).status_code == 404


def test_withdraw_refused_after_the_first_decision(client_for, staff, seals, deputy):
    request = submit_request(
        by=staff,
        seals=[seals["长官镇人民政府"]],
        document=SimpleUploadedFile("a.pdf", PDF),
        data={"title": "申报书", "recipient": "县发改局", "purpose": "申报", "copies": 1, "use_type": "document"},
    )
    workflow.approve_deputy(request, by=deputy)
    page = client_for(staff).get(request.get_absolute_url()).content.decode()
    assert 'data-step="withdraw"' not in page
    response = client_for(staff).post(reverse("seals:request_step", args=[request.code, "withdraw"]))
    assert response.status_code == 403 and "已有审批意见，不能撤回" in response.content.decode()


def test_submit_from_the_form_refused_keeps_the_input(client_for, staff, seals, settings):
    from township_office.models import User

    User.objects.filter(groups__name="deputy_leader").update(is_active=False)
    User.objects.filter(groups__name="principal_leader").update(is_active=False)
    response = client_for(staff).post(
        reverse("seals:request_create"),
        form_data(seals, action="submit", document=SimpleUploadedFile("a.pdf", PDF)),
    )
    page = response.content.decode()
    assert response.status_code == 400 and "没有可以审批的主要领导" in page and "补贴发放情况证明" in page
    assert not SealRequest.objects.exists()


def test_huge_or_bad_seal_ids_are_invalid_choices_not_500(client_for, staff, seals):
    for value in ("99999999999999999999999", "9223372036854775807", "9223372036854775808", "-1", "abc", "1e5", "１"):
        response = client_for(staff).post(
            reverse("seals:request_create"), form_data(seals, seals=[value], action="draft")
        )
        assert response.status_code == 400, value
        assert "选择一个有效的选项" in response.content.decode() or "有效" in response.content.decode()


def test_huge_seal_id_in_the_stamp_form_is_400(client_for, apply, deputy, seal_keeper):
    request = apply()
    decide(request, by=deputy, approve=True)
    response = client_for(seal_keeper).post(
        reverse("seals:request_step", args=[request.code, "stamp"]),
        {"stamp-seal": "99999999999999999999999", "stamp-copies": "1"},
    )
    assert response.status_code == 400


def test_missing_stored_file_answers_a_clear_page(client_for, apply, staff, caplog):
    import os

    request = apply()
    os.remove(request.document.path)
    with caplog.at_level("ERROR", logger="township_office.uploads"):
        response = client_for(staff).get(reverse("seals:request_document", args=[request.code]))
    assert response.status_code == 404
    assert "文件缺失，请联系系统管理员" in response.content.decode()
    assert any("missing" in r.getMessage() and request.document.name in r.getMessage() for r in caplog.records)


def test_document_is_served_with_the_type_of_its_content(client_for, apply, staff):
    """Through township_office.uploads.serve: the type comes from the content, never from the stored name."""
    from django.core.files.base import ContentFile

    request = apply()
    png = b"\x89PNG\r\n\x1a\n" + b"\x00" * 32
    request.document.save("证明.html", ContentFile(png), save=False)
    SealRequest.objects.filter(pk=request.pk).update(document=request.document.name)
    response = client_for(staff).get(reverse("seals:request_document", args=[request.code]))
    assert response.status_code == 200 and b"".join(response.streaming_content) == png
    assert response["Content-Type"] == "image/png" and response["X-Content-Type-Options"] == "nosniff"
    assert "attachment" in response["Content-Disposition"]


def test_letter_steps_through_the_page(client_for, staff, deputy):
    letter = workflow.apply_letter(
        by=staff,
        data={"recipient_unit": "县局", "persons": "黄磊", "person_count": 1, "purpose": "联系", "valid_days": 3},
    )
    page = client_for(deputy).get(letter.get_absolute_url()).content.decode()
    assert 'data-step="approve_letter"' in page and 'data-step="void_letter"' not in page
    url = reverse("seals:letter_step", args=[letter.code, "reject_letter"])
    response = client_for(deputy).post(url, {"reject_letter-reason": ""})
    assert response.status_code == 400
    response = client_for(staff).post(reverse("seals:letter_step", args=[letter.code, "approve_letter"]))
    assert response.status_code == 403
    response = client_for(deputy).post(
        reverse("seals:letter_step", args=[letter.code, "approve_letter"]), {"approve_letter-comment": "同意"}
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.printable
    page = client_for(staff).get(letter.get_absolute_url()).content.decode()
    assert "打印介绍信" in page and 'data-step="void_letter"' in page


def test_out_of_range_numbers_and_dates_are_400_not_500(client_for, staff, seals):
    client = client_for(staff)
    cases = [
        {"copies": "99999999999999999999999"},
        {"copies": "-3"},
        {"contract_amount": "1e400", "use_type": "contract"},
        {"use_type": "take_out", "expected_return": "0001-01-01T00:00"},
        {"use_type": "take_out", "expected_return": "9999-12-31T23:59"},
        {"title": "a\x00b"},
    ]
    for extra in cases:
        response = client.post(reverse("seals:request_create"), form_data(seals, action="draft", **extra))
        assert response.status_code == 400, extra
    assert not SealRequest.objects.exists()
    letter = {"recipient_unit": "县局", "persons": "黄磊", "purpose": "联系"}
    for extra in ({"person_count": "99999999999999999999", "valid_days": 3}, {"person_count": 1, "valid_days": 0}):
        assert client.post(reverse("seals:letter_create"), letter | extra).status_code == 400, extra


def test_stamping_with_the_stored_file_missing_is_refused_not_voided(client_for, apply, deputy, seal_keeper, caplog):
    import os

    request = apply()
    decide(request, by=deputy, approve=True)
    request.refresh_from_db()
    os.remove(request.document.path)
    with caplog.at_level("ERROR", logger="seals.workflow"):
        response = client_for(seal_keeper).post(
            reverse("seals:request_step", args=[request.code, "stamp"]),
            {"stamp-seal": request.seals.get().pk, "stamp-copies": 1},
        )
    assert response.status_code == 400 and "文件缺失，请联系系统管理员" in response.content.decode()
    request.refresh_from_db()
    assert request.status == SealRequest.Status.APPROVED
    assert any("missing" in r.getMessage() for r in caplog.records)


def test_the_applicant_follows_the_request_in_started(client_for, apply, staff, deputy, seal_keeper):
    request = apply(copies=1)
    started = reverse("township_office:todo") + "?tab=started"

    def state():
        page = client_for(staff).get(started).content.decode()
        assert request.title in page
        return page

    assert "审批中" in state()
    decide(request, by=deputy, approve=True)
    assert "已批准待用印" in state()
    request.refresh_from_db()
    workflow.stamp(request, by=seal_keeper, seal=request.seals.get(), copies=1)
    assert "已用印" in state()
    assert [i.step for i in worklist.waiting(seal_keeper)] == []
    done = client_for(seal_keeper).get(reverse("township_office:todo") + "?tab=done").content.decode()
    assert request.title in done


def test_detail_page_queries_are_bounded(client_for, apply, deputy, seal_keeper, office_director, count_queries):
    request = apply()
    for user in (deputy, office_director, staff_of(request)):
        assert count_queries(client_for(user), request.get_absolute_url()) <= 16
    decide(request, by=deputy, approve=True)
    assert count_queries(client_for(seal_keeper), request.get_absolute_url()) <= 18


def staff_of(request):
    return request.applicant


def test_a_linked_draft_is_not_shown_to_the_linked_document(staff, seals):
    from seals import api

    data = {"title": "关于农田水利的实施意见", "recipient": "各村", "purpose": "发文用印", "copies": 3}
    data |= {"use_type": "document", "linked_object_type": "documents.outgoingdocument", "linked_object_code": "abc"}
    draft = workflow.save_draft(by=staff, data=data, seals=[seals["长官镇人民政府"]])
    assert api.requests_for("documents.outgoingdocument", "abc") == []
    draft.document = SimpleUploadedFile("a.pdf", PDF)
    draft.save()
    workflow.submit(draft, by=staff)
    assert [s.status for s in api.requests_for("documents.outgoingdocument", "abc")] == ["pending"]


def test_withdrawn_request_takes_back_the_approvers_notifications(
    apply, staff, deputy, django_capture_on_commit_callbacks
):
    """Issue 22 §9: notifications follow access. The approver asked loses the request when it is withdrawn, and
    with it 「请审批用印：…」; the applicant, who still sees the request, keeps theirs."""
    from township_office.models import Notification

    with django_capture_on_commit_callbacks(execute=True):
        request = apply(seal_names=("长官镇人民政府",))
    assert Notification.objects.filter(recipient=deputy, url=request.get_absolute_url()).exists()
    notify_applicant = Notification.objects.create(recipient=staff, title="已提交", url=request.get_absolute_url())
    with django_capture_on_commit_callbacks(execute=True):
        workflow.withdraw(request, by=staff)
    assert not Notification.objects.filter(recipient=deputy, url=request.get_absolute_url()).exists()
    assert Notification.objects.filter(pk=notify_applicant.pk).exists()
