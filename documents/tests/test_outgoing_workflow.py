import threading

import pytest
from django.core.exceptions import ValidationError
from django.db import connection

from documents import services, workflow
from documents.models import OutgoingDocument
from township_office.models import IssuerCode
from township_office.steps import Refused

S = OutgoingDocument.Status


def _to_numbering(document, deputy, office_director, clerk):
    workflow.review(document, by=deputy, text="同意")
    workflow.check(document, by=office_director, text="核稿无误")
    workflow.sign_off(document, by=deputy, text="同意印发")
    workflow.recheck(document, by=clerk, text="复核无误")
    document.refresh_from_db()
    return document


def test_outgoing_story_with_numbering(drafted, deputy, office_director, clerk, monkeypatch):
    assert drafted.status == S.DEPT_REVIEW
    document = _to_numbering(drafted, deputy, office_director, clerk)
    assert document.status == S.NUMBERING and document.doc_number == ""
    number = workflow.number(document, by=clerk)
    assert number == f"长政发〔{document.year}〕1号"
    document.refresh_from_db()

    class Stamped:
        number, status, status_label, url, fully_stamped = "用印〔2026〕1号", "stamped", "已用印", "/seals/x/", True

    monkeypatch.setattr(workflow.outgoing_steps, "seal_requests_for", lambda d: [Stamped()])
    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: object())
    workflow.seal(document, by=clerk)
    workflow.issue(document, by=clerk, copies=30, issued_on=document.created_at.date(), proofreader="孙悦")
    document.refresh_from_db()
    assert (document.status, document.copies) == (S.ISSUED, 30)
    workflow.archive_outgoing(document, by=clerk, retention="D10")
    document.refresh_from_db()
    assert document.status == S.ARCHIVED and document.archive_code.endswith("-D10-BGS-0001")


def test_numbers_are_gapless_per_issuer_code(staff, pdf_upload, deputy, office_director, clerk, township):
    numbers = []
    for code in ("长政发", "长政发", "长委发"):
        document = services.draft_outgoing(
            by=staff,
            data={
                "issuer_code": IssuerCode.objects.get(code=code),
                "title": "文",
                "main_recipients": "各村",
                "text": "正文。",
            },
            body=pdf_upload(),
        )
        document = _to_numbering(document, deputy, office_director, clerk)
        if code == "长委发":  # party documents are important: signed by the principal leader
            pass
        numbers.append(workflow.number(document, by=clerk))
    year = numbers[0][4:8]
    assert numbers == [f"长政发〔{year}〕1号", f"长政发〔{year}〕2号", f"长委发〔{year}〕1号"]


def test_no_number_before_sign_off(drafted, clerk):
    with pytest.raises(Refused):
        workflow.number(drafted, by=clerk)
    drafted.refresh_from_db()
    assert drafted.doc_number == ""


def test_important_documents_need_the_principal_leader(drafted, deputy, office_director, principal):
    OutgoingDocument.objects.filter(pk=drafted.pk).update(importance=OutgoingDocument.Importance.IMPORTANT)
    drafted.refresh_from_db()
    workflow.review(drafted, by=deputy, text="同意")
    workflow.check(drafted, by=office_director, text="核稿")
    with pytest.raises(Refused):
        workflow.sign_off(drafted, by=deputy, text="同意")  # not granted for important documents
    workflow.sign_off(drafted, by=principal, text="同意")
    drafted.refresh_from_db()
    assert drafted.status == S.RECHECK and drafted.signer == principal


def test_deputy_of_another_area_cannot_review_or_sign(drafted, deputy_mayor):
    with pytest.raises(Refused):
        workflow.review(drafted, by=deputy_mayor, text="同意")


def test_return_for_changes_and_resubmit(drafted, deputy, staff, resources_staff, pdf_upload):
    workflow.review_return(drafted, by=deputy, text="请补充资金来源")
    drafted.refresh_from_db()
    assert drafted.status == S.DRAFT
    with pytest.raises(Refused):
        workflow.submit(drafted, by=resources_staff)
    workflow.edit_draft(drafted, by=staff, changes={"text": "修改后的正文。"})
    workflow.submit(drafted, by=staff)
    drafted.refresh_from_db()
    assert drafted.status == S.DEPT_REVIEW
    assert [v.text for v in drafted.versions.order_by("number")][-1] == "修改后的正文。"


def test_countersign_by_every_department_before_sign_off(
    staff, pdf_upload, deputy, office_director, departments, resources_staff
):
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
    workflow.check(document, by=office_director, text="请自然资源所会签")
    document.refresh_from_db()
    assert document.status == S.COUNTERSIGN
    with pytest.raises(Refused):
        workflow.countersign(document, by=staff, text="非会签部门")
    workflow.countersign(document, by=resources_staff, text="同意")
    document.refresh_from_db()
    assert document.status == S.SIGN_OFF


def test_sealing_requires_a_stamped_request(drafted, deputy, office_director, clerk, monkeypatch):
    document = _to_numbering(drafted, deputy, office_director, clerk)
    workflow.number(document, by=clerk)
    document.refresh_from_db()
    monkeypatch.setattr(workflow.outgoing_steps, "seal_requests_for", lambda d: [])
    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: object())  # the seals app is installed
    with pytest.raises(Refused):
        workflow.seal(document, by=clerk)
    document.refresh_from_db()
    assert document.status == S.SEALING


def test_drafting_needs_a_real_document(staff, township):
    from django.core.files.uploadedfile import SimpleUploadedFile

    with pytest.raises(ValidationError):
        services.draft_outgoing(
            by=staff,
            data={"issuer_code": IssuerCode.objects.get(code="长政发"), "title": "空白", "main_recipients": "各村"},
            body=SimpleUploadedFile("x.pdf", b"not a pdf"),
        )
    assert not OutgoingDocument.objects.exists()


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_concurrent_registration_keeps_serials_gapless(township, people):
    from documents import services

    clerk = people["clerk"]
    errors, barrier = [], threading.Barrier(8)

    def register(i):
        try:
            barrier.wait()
            services.register_incoming(by=clerk, data={"source_org": "县政府", "title": f"并发登记{i}"})
        except Exception as error:  # noqa: BLE001
            errors.append(error)
        finally:
            connection.close()

    threads = [threading.Thread(target=register, args=(i,)) for i in range(8)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    from documents.models import IncomingDocument

    assert errors == []
    assert sorted(IncomingDocument.objects.values_list("serial", flat=True)) == list(range(1, 9))


def test_without_the_seals_app_the_clerk_confirms_sealing(drafted, deputy, office_director, clerk, monkeypatch):
    document = _to_numbering(drafted, deputy, office_director, clerk)
    workflow.number(document, by=clerk)
    document.refresh_from_db()
    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: None)
    workflow.seal(document, by=clerk)
    document.refresh_from_db()
    assert document.status == S.ISSUING
