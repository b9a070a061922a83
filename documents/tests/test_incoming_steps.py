"""收文: (state × step × persona) → allowed or refused, from the flow's declaration; an allowed step writes its
audit event, grants and work items, a refused one changes nothing."""

import pytest

from documents import workflow
from documents.models import IncomingDocument
from tests.unchanged import database_state
from township_office import notifications, permissions, steps, worklist
from township_office.models import AuditEvent, WorkItem
from township_office.steps import Refused

S = IncomingDocument.Status


@pytest.fixture
def in_state(register, office_director, deputy, principal, staff, clerk, departments):
    def make(state):
        document = register()
        if state == S.RETURNED:
            workflow.return_to_sender(document, by=office_director, reason="不属于本镇办理")
        if state in (S.INSTRUCTING, S.HANDLING, S.COMPLETED, S.ARCHIVED):
            workflow.propose(
                document,
                by=office_director,
                proposal="拟请陈刚副镇长阅示。",
                leaders=[deputy],
                lead_department=departments["农业农村办公室"],
                support_departments=[departments["自然资源所"]],
                readers=[principal],
            )
        if state in (S.HANDLING, S.COMPLETED, S.ARCHIVED):
            workflow.instruct(document, by=deputy, text="请抓紧落实。")
        if state in (S.COMPLETED, S.ARCHIVED):
            workflow.complete(document, by=staff, result="已办结。")
        if state == S.ARCHIVED:
            workflow.archive_incoming(document, by=clerk, retention="D30")
        document = IncomingDocument.objects.get(pk=document.pk)
        assert document.status == state
        return document

    return make


def arguments(step, people, departments):
    return {
        "correct": {"changes": {"title": "更正后的标题"}},
        "return_to_sender": {"reason": "不属于本镇办理"},
        "propose": {"proposal": "拟办", "leaders": [people["deputy_leader"]]},
        "instruct": {"text": "同意"},
        "mark_read": {"comment": "阅"},
        "report_progress": {"text": "已部署"},
        "complete": {"result": "已办结"},
        "chase": {"note": "请抓紧"},
        "archive_incoming": {"retention": "D10"},
    }[step]


R, IN, H, C, RET, A = S.REGISTERED, S.INSTRUCTING, S.HANDLING, S.COMPLETED, S.RETURNED, S.ARCHIVED

# (state, step, persona, allowed)
CASES = [
    (R, "correct", "clerk", True),
    (R, "correct", "office_director", True),
    (R, "correct", "department_staff", False),
    (IN, "correct", "clerk", False),  # after 拟办 only the office director corrects
    (IN, "correct", "office_director", True),
    (H, "correct", "office_director", True),
    (A, "correct", "office_director", False),
    (R, "return_to_sender", "office_director", True),
    (R, "return_to_sender", "clerk", False),
    (IN, "return_to_sender", "office_director", False),
    (R, "propose", "office_director", True),
    (R, "propose", "clerk", False),
    (R, "propose", "deputy_leader", False),
    (H, "propose", "office_director", False),
    (IN, "instruct", "deputy_leader", True),
    (H, "instruct", "deputy_leader", True),  # a later instruction may follow
    (IN, "instruct", "mayor", False),  # a leader not asked
    (IN, "instruct", "principal_leader", False),  # a reader is not asked to instruct
    (IN, "instruct", "department_staff", False),
    (A, "instruct", "deputy_leader", False),
    (IN, "mark_read", "principal_leader", True),
    (IN, "mark_read", "mayor", False),
    (R, "mark_read", "principal_leader", False),
    (H, "report_progress", "department_staff", True),
    (H, "report_progress", "resources_staff", True),
    (H, "report_progress", "village_staff", False),
    (IN, "report_progress", "department_staff", False),
    (H, "report_progress", "clerk", True),
    (H, "complete", "department_staff", True),
    (H, "complete", "resources_staff", False),  # a support department only reports progress
    (H, "complete", "office_director", True),
    (IN, "complete", "department_staff", False),
    (H, "complete", "village_staff", False),
    (R, "chase", "office_director", True),
    (H, "chase", "office_director", True),
    (H, "chase", "clerk", False),
    (C, "chase", "office_director", False),
    (C, "archive_incoming", "clerk", True),
    (RET, "archive_incoming", "clerk", True),
    (C, "archive_incoming", "office_director", True),
    (C, "archive_incoming", "department_staff", False),
    (H, "archive_incoming", "clerk", False),
    (A, "archive_incoming", "clerk", False),
]


@pytest.mark.parametrize("state,name,persona,allowed", CASES)
def test_incoming_step_table(in_state, people, departments, state, name, persona, allowed):
    document = in_state(state)
    user = people[persona]
    flow = workflow.incoming
    assert flow.allows(document, user, name) is allowed
    assert (name in [s.name for s in flow.available(document, user)]) is allowed
    before = database_state()
    if allowed:
        flow[name](document, by=user, **arguments(name, people, departments))
        after = database_state()
        assert after["township_office.AuditEvent"] != before["township_office.AuditEvent"]  # audited
        assert AuditEvent.objects.order_by("-pk").first().object_code == str(document.code)
        assert after != before
        assert WorkItem.objects.filter(done_by=user, step=name).exists()  # 已办 lists it
    else:
        with pytest.raises(Refused):
            flow[name](document, by=user, **arguments(name, people, departments))
        assert database_state() == before


def test_register_gives_the_office_directors_a_proposal_item(register, office_director):
    document = register()
    [item] = worklist.waiting(office_director)
    assert (item.step, item.label, item.due) == ("propose", "待拟办", document.deadline)
    assert worklist.started_by(document.registered_by).get().url == document.get_absolute_url()


def test_propose_assigns_leaders_departments_and_readers(in_state, deputy, principal, staff, resources_staff):
    document = in_state(S.INSTRUCTING)
    instruct = WorkItem.objects.get(step="instruct", done_at__isnull=True)
    assert instruct.assignee == deputy and instruct.due == document.deadline
    read = WorkItem.objects.get(step="mark_read")
    assert read.assignee == principal and read.kind == WorkItem.Kind.READ
    assert not worklist.waiting(staff).exists()  # 办理 once the leader has instructed
    assert {"instruct", "view"} <= permissions.held(deputy, document)
    assert {"handle", "view"} <= permissions.held(staff, document)
    assert "read" in permissions.held(principal, document)
    workflow.instruct(document, by=deputy, text="请抓紧")
    assert worklist.waiting(staff).get().step == "complete"
    assert worklist.waiting(resources_staff).get().step == "report_progress"
    assert not worklist.waiting(deputy).exists()


def test_urgent_files_make_urgent_items(register, office_director, deputy):
    document = register(urgency="extra_urgent")
    workflow.propose(document, by=office_director, proposal="急呈", leaders=[deputy])
    assert WorkItem.objects.get(step="instruct").urgent is True


def test_sequential_reading_hands_the_read_item_on(register, office_director, principal, mayor):
    document = register()
    workflow.propose(document, by=office_director, proposal="传阅", readers=[principal, mayor])
    assert list(worklist.read_items(mayor)) == []
    workflow.mark_read(document, by=principal)
    assert worklist.read_items(principal).get().done_at is not None
    assert worklist.read_items(mayor).get().done_at is None


def test_report_progress_is_one_transaction(in_state, staff, monkeypatch):
    document = in_state(S.HANDLING)
    before = database_state()

    def broken(*args, **kwargs):
        raise RuntimeError("notification store down")

    monkeypatch.setattr(notifications, "notify", broken)  # what every step's run.notify calls
    with pytest.raises(RuntimeError):
        workflow.report_progress(document, by=staff, text="已部署")
    with pytest.raises(RuntimeError):
        workflow.chase(document, by=staff.__class__.objects.get(username="office_director"), note="催")
    assert database_state() == before


def test_correction_keeps_before_and_after_and_renames_the_matter(register, clerk, pdf_upload):
    document = register(title="关于做好冬季防火的通知")
    workflow.correct(
        document,
        by=clerk,
        changes={"title": "关于做好冬季森林防火工作的通知", "source_doc_number": "县政办发〔2026〕15号"},
        files=[pdf_upload("漏扫第2页.pdf")],
        reason="标题登记错漏",
    )
    event = AuditEvent.objects.filter(action="更正登记").get()
    assert "文件标题：关于做好冬季防火的通知 → 关于做好冬季森林防火工作的通知" in event.comment
    assert "补充附件：漏扫第2页.pdf" in event.comment and "说明：标题登记错漏" in event.comment
    assert "来文字号" not in event.comment  # unchanged values are not listed
    assert document.attachments.get().name == "漏扫第2页.pdf"
    assert worklist.matter_of(document).title.endswith("关于做好冬季森林防火工作的通知")
    with pytest.raises(Refused, match="没有需要更正的内容"):
        workflow.correct(document, by=clerk, changes={"title": "关于做好冬季森林防火工作的通知"})


def test_reassigning_an_instruction_moves_the_leader(in_state, office_director, deputy, deputy_mayor, staff):
    document = in_state(S.INSTRUCTING)
    item = WorkItem.objects.get(step="instruct", done_at__isnull=True)
    steps.reassign(item, by=office_director, to_user=deputy_mayor, reason="陈刚出差")
    document = IncomingDocument.objects.get(pk=document.pk)
    assert list(document.instructing_leaders.all()) == [deputy_mayor]
    assert "instruct" not in permissions.held(deputy, document)
    workflow.instruct(document, by=deputy_mayor, text="同意")
    document.refresh_from_db()
    assert document.status == S.HANDLING  # the file did not wait for the leader who left


def test_reassigning_the_lead_department_moves_the_assignment(in_state, office_director, village_staff, staff):
    document = in_state(S.HANDLING)
    item = WorkItem.objects.get(step="complete", done_at__isnull=True)
    steps.reassign(item, by=office_director, to_department=village_staff.department, reason="改由村委会办理")
    document = IncomingDocument.objects.get(pk=document.pk)
    assert document.assignments.get(role="lead").department == village_staff.department
    assert workflow.incoming.allows(document, village_staff, "complete")
    assert not workflow.incoming.allows(IncomingDocument.objects.get(pk=document.pk), staff, "complete")


def test_reassigning_the_office_completion_to_a_clerk(register, office_director, clerk):
    document = register()
    workflow.propose(
        document, by=office_director, proposal="传阅即可", readers=[clerk.__class__.objects.get(username="mayor")]
    )
    IncomingDocument.objects.filter(pk=document.pk).update(status=S.HANDLING)
    document = IncomingDocument.objects.get(pk=document.pk)
    # no lead department: the office completes (what 批示 hands on for such a file)
    worklist.assign(
        document, "complete", label=workflow.incoming["complete"].work_for(document), users=[office_director]
    )
    item = WorkItem.objects.get(step="complete", done_at__isnull=True)
    steps.reassign(item, by=office_director, to_user=clerk, reason="文书办结")
    assert worklist.waiting(clerk).get().step == "complete"
    workflow.complete(IncomingDocument.objects.get(pk=document.pk), by=clerk, result="已办结")


# 办理 is left out: its 主办/协办 items come from the file's assignments, which the declarations do not carry.
@pytest.mark.parametrize("state", [S.REGISTERED, S.RETURNED, S.INSTRUCTING, S.COMPLETED, S.ARCHIVED])
def test_the_open_items_are_those_the_declarations_give(in_state, state):
    """Each open work item is named after the step that closes it, and is held by whom the step declarations say
    (``Flow.duties``, which ``manage.py rebuild_worklist`` gives records that predate work items): 归档 is the
    clerks' work, though the office director may archive too."""
    document = in_state(state)
    live = set(worklist.open_items(document).values_list("step", "assignee_id", "department_id", "label", "kind"))
    declared = set()
    for step, people, departments in workflow.incoming.duties(document):
        shown = (step.work_for(document), WorkItem.Kind.READ if step.reading else WorkItem.Kind.ACT)
        declared |= {(step.name, u.pk, None, *shown) for u in people}
        declared |= {(step.name, None, d.pk, *shown) for d in departments}
    assert live == declared


def test_archiving_closes_the_clerks_item_whoever_archives(in_state, office_director, clerk):
    document = in_state(S.COMPLETED)
    waiting = worklist.open_items(document).filter(step="archive_incoming")
    assert set(waiting.values_list("assignee_id", flat=True)) == {clerk.pk}
    workflow.archive_incoming(document, by=office_director, retention="D30")
    assert not worklist.open_items(document).filter(kind=WorkItem.Kind.ACT).exists()
    assert not worklist.waiting_all(clerk).filter(matter__object_id=document.pk, kind=WorkItem.Kind.ACT).exists()


def test_the_migration_renames_the_old_archive_items_and_closes_the_archived_ones(in_state, clerk):
    import importlib

    from django.apps import apps

    migration = importlib.import_module("documents.migrations.0011_archive_work_items")
    waiting, archived = in_state(S.COMPLETED), in_state(S.ARCHIVED)
    WorkItem.objects.filter(step="archive_incoming").delete()
    for document in (waiting, archived):  # as the clerks' items were written before
        WorkItem.objects.create(matter=worklist.matter_of(document), step="archive", label="归档", assignee=clerk)
    migration.rename_and_close(apps, None)
    assert not WorkItem.objects.filter(step="archive").exists()
    assert list(worklist.open_items(waiting, "archive_incoming").values_list("assignee_id", flat=True)) == [clerk.pk]
    assert not worklist.open_items(archived, "archive_incoming").exists()
