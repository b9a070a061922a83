import threading
from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.db import connection
from django.utils import timezone

from seals import api, workflow
from seals.models import ApprovalStep, IntroductionLetter, Seal, SealRequest, Stamping
from seals.permissions import visible_requests
from township_office.steps import Refused
from township_office.workflow import TransitionNotAllowed

from .conftest import decide, submit_request

R = SealRequest.Status


def levels(request):
    return list(request.steps.values_list("level", flat=True))


def test_chain_by_tier(apply):
    assert levels(apply(["长官镇党政办公室"])) == ["office"]
    assert levels(apply(["长官镇农业农村办公室"])) == ["deputy"]
    assert levels(apply(["长官镇人民政府"])) == ["deputy", "principal"]
    assert levels(apply(["长官镇党政办公室", "长官镇人民政府"])) == ["deputy", "principal"]  # highest tier wins


def test_take_out_and_large_contracts_reach_the_principal(apply, settings):
    assert levels(
        apply(["长官镇党政办公室"], use_type="take_out", expected_return=timezone.now() + timedelta(hours=4))
    ) == ["office", "principal"]
    settings.SEAL_CONTRACT_PRINCIPAL_AMOUNT = 100000
    assert levels(apply(["长官镇农业农村办公室"], use_type="contract", contract_amount=Decimal("50000"))) == ["deputy"]
    assert levels(apply(["长官镇农业农村办公室"], use_type="contract", contract_amount=Decimal("150000"))) == [
        "deputy",
        "principal",
    ]


def test_full_story_and_register(apply, deputy, principal, seal_keeper, staff):
    request = apply(["长官镇人民政府"], copies=3)
    decide(request, by=deputy, approve=True, comment="同意")
    request.refresh_from_db()
    assert request.status == R.PENDING
    decide(request, by=principal, approve=True, comment="同意")
    request.refresh_from_db()
    assert request.status == R.APPROVED
    seal = request.seals.get()
    workflow.stamp(request, by=seal_keeper, seal=seal, copies=2)  # partial stamping
    request.refresh_from_db()
    assert (request.status, request.stamped_copies) == (R.APPROVED, 2)
    workflow.stamp(request, by=seal_keeper, seal=seal, copies=1)
    request.refresh_from_db()
    assert request.status == R.STAMPED
    assert workflow.verify_register() == (True, None, 2)
    assert api.requests_for("x", "y") == []


def test_wrong_role_and_wrong_department_leader_cannot_approve(apply, deputy_mayor, principal, staff, clerk):
    request = apply(["长官镇农业农村办公室"])
    for user in (deputy_mayor, principal, staff, clerk):  # deputy_mayor is not in charge of agriculture
        with pytest.raises(Refused):
            decide(request, by=user, approve=True)
    assert request.steps.get().decision == ApprovalStep.Decision.PENDING


def test_principal_cannot_skip_the_deputy_step(apply, principal):
    request = apply(["长官镇人民政府"])
    with pytest.raises(Refused):
        decide(request, by=principal, approve=True)


def test_no_stamping_before_full_approval(apply, deputy, seal_keeper):
    request = apply(["长官镇人民政府"])
    seal = request.seals.get()
    with pytest.raises(TransitionNotAllowed):
        workflow.stamp(request, by=seal_keeper, seal=seal, copies=1)
    decide(request, by=deputy, approve=True)
    request.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):  # principal step missing
        workflow.stamp(request, by=seal_keeper, seal=seal, copies=1)
    assert not Stamping.objects.exists()


@pytest.fixture
def approved(apply, deputy):
    request = apply(["长官镇农业农村办公室"], copies=3)
    decide(request, by=deputy, approve=True)
    request.refresh_from_db()
    return request


def test_only_a_custodian_stamps(approved, clerk, staff):
    for user in (clerk, staff):
        with pytest.raises(Refused):
            workflow.stamp(approved, by=user, seal=approved.seals.get(), copies=1)


def test_never_more_copies_than_approved(approved, seal_keeper):
    seal = approved.seals.get()
    with pytest.raises(Refused):
        workflow.stamp(approved, by=seal_keeper, seal=seal, copies=4)
    workflow.stamp(approved, by=seal_keeper, seal=seal, copies=3)
    approved.refresh_from_db()
    with pytest.raises(TransitionNotAllowed):
        workflow.stamp(approved, by=seal_keeper, seal=seal, copies=1)
    assert approved.stamped_copies == 3


def test_changed_file_voids_the_approval(approved, seal_keeper):
    with open(approved.document.path, "ab") as f:
        f.write(b"tampered")
    with pytest.raises(Refused):
        workflow.stamp(approved, by=seal_keeper, seal=approved.seals.get(), copies=1)
    approved.refresh_from_db()
    assert approved.status == R.VOID and approved.stamped_copies == 0


def test_disabled_seal_cannot_be_requested_or_stamped(apply, approved, seals, seal_keeper):
    Seal.objects.filter(pk=seals["长官镇农业农村办公室"].pk).update(status=Seal.Status.DISABLED)
    with pytest.raises(Refused):
        apply(["长官镇农业农村办公室"])
    with pytest.raises(Refused):
        workflow.stamp(approved, by=seal_keeper, seal=Seal.objects.get(pk=seals["长官镇农业农村办公室"].pk), copies=1)


def test_no_request_without_a_document(staff, seals):
    with pytest.raises(Refused):
        submit_request(
            by=staff,
            seals=[seals["长官镇党政办公室"]],
            document=None,
            data={"title": "空白纸", "recipient": "某单位", "purpose": "盖章", "copies": 1, "use_type": "certificate"},
        )
    assert not SealRequest.objects.exists()


def test_rejection_needs_a_reason_and_ends_the_request(apply, deputy):
    request = apply()
    with pytest.raises(Refused):
        decide(request, by=deputy, approve=False, comment="")
    decide(request, by=deputy, approve=False, comment="证明内容与台账不符")
    request.refresh_from_db()
    assert request.status == R.REJECTED


def test_pressing_twice_counts_once(approved, deputy):
    with pytest.raises(TransitionNotAllowed):
        decide(approved, by=deputy, approve=True)


def test_visibility(apply, staff, resources_staff, deputy, deputy_mayor, seal_keeper, office_director):
    request = apply()
    assert visible_requests(staff).filter(pk=request.pk).exists()
    assert visible_requests(deputy).filter(pk=request.pk).exists()
    assert visible_requests(office_director).filter(pk=request.pk).exists()
    for user in (resources_staff, deputy_mayor, seal_keeper):  # the custodian sees it once approved
        assert not visible_requests(user).filter(pk=request.pk).exists()
    decide(request, by=deputy, approve=True)
    assert visible_requests(seal_keeper).filter(pk=request.pk).exists()


def test_register_detects_tampering(approved, seal_keeper):
    seal = approved.seals.get()
    workflow.stamp(approved, by=seal_keeper, seal=seal, copies=1)
    workflow.stamp(approved, by=seal_keeper, seal=seal, copies=1)
    call_command("verify_seal_register", stdout=open("/dev/null", "w"))
    with pytest.raises(PermissionError):
        Stamping.objects.filter(seq=1).update(copies=9)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE seals_stamping SET copies = 9 WHERE seq = 2")
    with pytest.raises(CommandError) as error:
        call_command("verify_seal_register")
    assert "第 2 条" in str(error.value)


def test_take_out_signed_back_in_and_chased(
    apply, deputy, principal, seal_keeper, staff, django_capture_on_commit_callbacks
):
    from seals.tasks import chase_overdue_returns
    from township_office.models import Notification

    request = apply(["长官镇党政办公室"], use_type="take_out", expected_return=timezone.now() - timedelta(hours=1))
    from township_office.models import User

    director = User.objects.get(username="office_director")
    decide(request, by=director, approve=True)
    request.refresh_from_db()
    decide(request, by=principal, approve=True)
    request.refresh_from_db()
    workflow.take_out(request, by=seal_keeper)
    with django_capture_on_commit_callbacks(execute=True):
        assert chase_overdue_returns() == 1
        chase_overdue_returns()
    assert Notification.objects.filter(recipient=staff, title__startswith="印章外带逾期").count() == 1
    workflow.sign_back_in(request, by=seal_keeper)
    assert chase_overdue_returns() == 0


def test_introduction_letter(staff, deputy, deputy_mayor, township):
    with pytest.raises(ValidationError):  # the service refuses a blank letter
        workflow.apply_letter(
            by=staff,
            data={"recipient_unit": "县局", "persons": "", "person_count": 1, "purpose": "联系", "valid_days": 7},
        )
    letter = workflow.apply_letter(
        by=staff,
        data={
            "recipient_unit": "县自然资源和规划局",
            "persons": "黄磊",
            "person_count": 1,
            "purpose": "项目对接",
            "valid_days": 7,
        },
    )
    with pytest.raises(Refused):
        workflow.approve_letter(letter, by=deputy_mayor)
    workflow.approve_letter(letter, by=deputy, comment="同意")
    letter.refresh_from_db()
    assert letter.status == IntroductionLetter.Status.APPROVED and letter.approver == deputy
    workflow.void_letter(letter, by=staff, reason="行程取消")
    second = workflow.apply_letter(
        by=staff,
        data={"recipient_unit": "县局", "persons": "黄磊", "person_count": 1, "purpose": "联系", "valid_days": 3},
    )
    assert (letter.serial, second.serial) == (1, 2)  # the voided letter keeps its number


@pytest.mark.postgres
@pytest.mark.django_db(transaction=True)
def test_two_leaders_pressing_at_once_approve_once(township, people):
    from django.core.files.uploadedfile import SimpleUploadedFile

    keeper = people["seal_keeper"]
    seal = Seal.objects.create(name="长官镇党政办公室", kind="office", tier=3)
    seal.custodians.add(keeper)
    request = submit_request(
        by=people["department_staff"],
        seals=[seal],
        document=SimpleUploadedFile("a.pdf", b"%PDF-1.4"),
        data={"title": "证明", "recipient": "县", "purpose": "报", "copies": 4, "use_type": "certificate"},
    )
    director = people["office_director"]
    results, barrier = [], threading.Barrier(4)

    def press():
        try:
            barrier.wait()
            decide(SealRequest.objects.get(pk=request.pk), by=director, approve=True)
            results.append("ok")
        except TransitionNotAllowed:
            results.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=press) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert results.count("ok") == 1
    from township_office.models import AuditEvent

    assert AuditEvent.objects.filter(object_code=str(request.code), action__contains="同意").count() == 1

    stamps, barrier2 = [], threading.Barrier(4)

    def stamp():
        try:
            barrier2.wait()
            workflow.stamp(SealRequest.objects.get(pk=request.pk), by=keeper, seal=seal, copies=2)
            stamps.append("ok")
        except TransitionNotAllowed:
            stamps.append("refused")
        finally:
            connection.close()

    threads = [threading.Thread(target=stamp) for _ in range(4)]
    [t.start() for t in threads]
    [t.join() for t in threads]
    assert stamps.count("ok") == 2
    assert SealRequest.objects.get(pk=request.pk).stamped_copies == 4
    assert workflow.verify_register()[0]


def test_month_verification_sees_tampering_in_the_month_and_at_its_start(approved, seal_keeper):
    seal = approved.seals.get()
    workflow.stamp(approved, by=seal_keeper, seal=seal, copies=1)
    workflow.stamp(approved, by=seal_keeper, seal=seal, copies=1)
    now = timezone.localtime()
    assert workflow.verify_month(now.year, now.month) == (True, None, 2)
    with connection.cursor() as cursor:
        cursor.execute("UPDATE seals_stamping SET copies = 5 WHERE seq = 1")
    ok, broken, _ = workflow.verify_month(now.year, now.month)
    assert not ok and broken.seq == 1


def test_every_seal_of_a_request_is_applied_to_every_approved_copy(apply, deputy, principal, seal_keeper, seals):
    request = apply(["长官镇人民政府", "法定代表人名章"], copies=3, use_type="document")
    decide(request, by=deputy, approve=True)
    request.refresh_from_db()
    decide(request, by=principal, approve=True)
    request.refresh_from_db()
    government, legal = seals["长官镇人民政府"], seals["法定代表人名章"]
    workflow.stamp(request, by=seal_keeper, seal=government, copies=3)
    request.refresh_from_db()
    assert (request.status, request.stamped_copies) == (R.APPROVED, 0)  # the name seal is still to be applied
    with pytest.raises(Refused):
        workflow.stamp(request, by=seal_keeper, seal=government, copies=1)
    workflow.stamp(request, by=seal_keeper, seal=legal, copies=2)
    request.refresh_from_db()
    assert (request.status, request.stamped_copies) == (R.APPROVED, 2)
    with pytest.raises(Refused):
        workflow.stamp(request, by=seal_keeper, seal=legal, copies=2)
    workflow.stamp(request, by=seal_keeper, seal=legal, copies=1)
    request.refresh_from_db()
    assert (request.status, request.stamped_copies) == (R.STAMPED, 3)
    assert Stamping.objects.filter(request=request).count() == 3
    assert workflow.verify_register() == (True, None, 3)


def test_a_seal_not_in_the_request_cannot_be_stamped(approved, seal_keeper, seals):
    with pytest.raises(Refused):
        workflow.stamp(approved, by=seal_keeper, seal=seals["长官镇人民政府"], copies=1)
    assert not Stamping.objects.exists()
