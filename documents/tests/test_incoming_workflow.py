import pytest
from django.core.exceptions import PermissionDenied

from documents import workflow
from documents.models import Circulation, IncomingDocument, Instruction
from documents.permissions import visible_incoming
from township_office.models import AuditEvent
from township_office.steps import Refused

S = IncomingDocument.Status


def test_register_assigns_gapless_serial_per_year(register):
    first, second = register(), register(title="第二份")
    assert (first.serial, second.serial) == (1, 2)
    assert first.number == f"收文〔{first.year}〕1号"
    assert AuditEvent.objects.filter(action="签收登记", object_code=str(first.code)).exists()


def test_only_office_registers(register, staff, deputy):
    for user in (staff, deputy):
        with pytest.raises(PermissionDenied):  # registering is a service, not a step
            register(by=user)
    assert not IncomingDocument.objects.exists()


def test_full_incoming_story(routed, deputy, principal, staff, village_staff, clerk, office_director):
    assert routed.status == S.INSTRUCTING
    # The department and the leader now see the file; another department does not.
    assert visible_incoming(staff).filter(pk=routed.pk).exists()
    assert visible_incoming(deputy).filter(pk=routed.pk).exists()
    assert not visible_incoming(village_staff).filter(pk=routed.pk).exists()
    workflow.instruct(routed, by=deputy, text="请农业农村办公室抓紧落实。")
    routed.refresh_from_db()
    assert routed.status == S.HANDLING
    workflow.mark_read(routed, by=principal, comment="同意")
    workflow.report_progress(routed, by=staff, text="已部署各村排查。")
    workflow.complete(routed, by=staff, result="已完成排查并报县局。")
    routed.refresh_from_db()
    assert routed.status == S.COMPLETED
    workflow.archive_incoming(routed, by=clerk, retention="D30")
    routed.refresh_from_db()
    assert routed.status == S.ARCHIVED
    assert routed.archive_code == f"J012-{routed.year}-D30-BGS-0001"
    actions = list(AuditEvent.objects.filter(object_code=str(routed.code)).values_list("action", flat=True))
    assert actions[-1] == "签收登记"  # newest first
    for action in ("拟办", "批示", "已阅", "报告进展", "办结", "归档"):
        assert action in actions


@pytest.mark.parametrize(
    "actor,status,allowed",
    [
        ("office_director", S.REGISTERED, True),
        ("clerk", S.REGISTERED, False),
        ("deputy", S.REGISTERED, False),
        ("office_director", S.HANDLING, False),
    ],
)
def test_propose_table(request, register, actor, status, allowed, deputy, departments):
    document = register()
    IncomingDocument.objects.filter(pk=document.pk).update(status=status)
    document.refresh_from_db()
    user = request.getfixturevalue(actor)

    def run():
        return workflow.propose(
            document,
            by=user,
            proposal="拟办",
            leaders=[deputy],  # noqa: E731
            lead_department=departments["自然资源所"],
        )

    if allowed:
        run()
        document.refresh_from_db()
        assert document.status == S.INSTRUCTING
    else:
        with pytest.raises(Refused):
            run()
        document.refresh_from_db()
        assert document.status == status


def test_return_needs_reason_and_director(register, office_director, clerk):
    document = register()
    with pytest.raises(Refused):
        workflow.return_to_sender(document, by=clerk, reason="不属于本镇")
    with pytest.raises(Refused):
        workflow.return_to_sender(document, by=office_director, reason="  ")
    workflow.return_to_sender(document, by=office_director, reason="不属于本镇办理范围")
    document.refresh_from_db()
    assert (document.status, document.return_reason) == (S.RETURNED, "不属于本镇办理范围")


def test_instruct_refusals(routed, mayor, staff, deputy):
    with pytest.raises(Refused):
        workflow.instruct(routed, by=mayor, text="未呈批给我")  # a leader without the grant
    with pytest.raises(Refused):
        workflow.instruct(routed, by=staff, text="非领导")
    with pytest.raises(Refused):
        workflow.instruct(routed, by=deputy, text="")
    assert not Instruction.objects.exists()


def test_signed_instruction_is_immutable_but_can_be_followed(routed, deputy):
    first = workflow.instruct(routed, by=deputy, text="请抓紧办理。")
    first.text = "改写"
    with pytest.raises(PermissionError):
        first.save()
    with pytest.raises(PermissionError):
        first.delete()
    workflow.instruct(routed, by=deputy, text="补充：请周五前报结果。")
    assert list(Instruction.objects.values_list("text", flat=True)) == ["请抓紧办理。", "补充：请周五前报结果。"]


def test_sequential_circulation_passes_in_rank_order(register, office_director, principal, mayor, deputy):
    document = register()
    workflow.propose(document, by=office_director, proposal="请领导传阅", readers=[deputy, mayor, principal])
    rows = list(Circulation.objects.filter(document=document).order_by("order"))
    assert [r.reader for r in rows] == [principal, mayor, deputy]  # by rank
    assert rows[0].sent_at and not rows[1].sent_at
    with pytest.raises(Refused):
        workflow.mark_read(document, by=mayor)  # not yet his turn
    workflow.mark_read(document, by=principal, comment="阅")
    with pytest.raises(Refused):
        workflow.mark_read(document, by=principal)  # twice
    assert Circulation.objects.get(document=document, reader=mayor).sent_at is not None


def test_parallel_circulation_reaches_everyone_at_once(register, office_director, principal, mayor):
    document = register()
    workflow.propose(
        document,
        by=office_director,
        proposal="传阅",
        readers=[principal, mayor],
        circulation_mode=IncomingDocument.CirculationMode.PARALLEL,
    )
    assert Circulation.objects.filter(document=document, sent_at__isnull=False).count() == 2


def test_only_lead_department_completes(routed, deputy, staff, resources_staff):
    workflow.instruct(routed, by=deputy, text="办理")
    finance = resources_staff  # a support department's member
    with pytest.raises(Refused):
        workflow.complete(routed, by=finance, result="协办部门不能办结")
    workflow.report_progress(routed, by=finance, text="协办部门已提供资金数据")
    workflow.complete(routed, by=staff, result="主办部门办结")
    with pytest.raises(Refused):
        workflow.complete(routed, by=staff, result="再次办结")


def test_archived_file_is_read_only(routed, deputy, staff, clerk):
    workflow.instruct(routed, by=deputy, text="办理")
    workflow.complete(routed, by=staff, result="完成")
    workflow.archive_incoming(routed, by=clerk, retention="Y")
    routed.refresh_from_db()
    with pytest.raises(Refused):
        workflow.instruct(routed, by=deputy, text="归档后不得批示")
    with pytest.raises(Refused):
        workflow.report_progress(routed, by=staff, text="归档后不得报进展")
    with pytest.raises(Refused):
        workflow.archive_incoming(routed, by=clerk, retention="Y")


def test_secret_file_only_by_explicit_grant(register, clerk, office_director, deputy, people):
    secret = register(secrecy="internal", secrecy_term="10年")
    assert visible_incoming(clerk).filter(pk=secret.pk).exists()  # registering clerk, granted
    assert visible_incoming(office_director).filter(pk=secret.pk).exists()
    other_clerk = people["front_desk"]
    assert not visible_incoming(other_clerk).filter(pk=secret.pk).exists()
    assert not visible_incoming(deputy).filter(pk=secret.pk).exists()
    workflow.propose(secret, by=office_director, proposal="呈阅", leaders=[deputy])
    assert visible_incoming(deputy).filter(pk=secret.pk).exists()


def test_system_admin_and_auditor_see_no_document(register, system_admin, auditor):
    register()
    assert not visible_incoming(system_admin).exists()
    assert not visible_incoming(auditor).exists()


def test_manual_chase_notifies_handlers(routed, office_director, staff, clerk, django_capture_on_commit_callbacks):
    from township_office.models import Notification

    with pytest.raises(Refused):
        workflow.chase(routed, by=clerk, note="请抓紧")
    with django_capture_on_commit_callbacks(execute=True):
        workflow.chase(routed, by=office_director, note="请本周内办结")
    assert Notification.objects.filter(recipient=staff, title__startswith="催办").exists()
