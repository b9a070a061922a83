"""An installation upgraded from before the work items: `manage.py rebuild_worklist` derives who must act on each
record in flight from the declared steps and the grants already held (and is harmless to run again)."""

# ruff: noqa: F811 - the tests take the documents fixtures imported below by name
from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from documents.models import IncomingDocument, OutgoingDocument
from documents.tests.conftest import departments, pdf_upload, register  # noqa: F401 - fixtures
from documents.tests.test_incoming_steps import in_state  # noqa: F401 - brings a 收文 to a state by its steps
from documents.tests.test_outgoing_steps import new_draft, out_state, stamped  # noqa: F401 - likewise a 发文
from documents.tests.test_secret_register import entry  # noqa: F401 - a 密件 with two copies at the office
from tests.rebuild import difference, live_and_rebuilt
from township_office import steps, worklist
from township_office.models import Matter, WorkItem


def _forget_everything():
    WorkItem.objects.all().delete()
    Matter.objects.all().delete()


@pytest.mark.django_db
def test_files_in_flight_get_their_items_back(people, township):
    from documents import services, workflow

    clerk, director, deputy = people["clerk"], people["office_director"], people["deputy_leader"]
    waiting = services.register_incoming(
        by=clerk,
        data={"source_org": "县政府", "title": "待拟办的文件", "deadline": timezone.localdate() + timedelta(days=5)},
    )
    instructing = services.register_incoming(by=clerk, data={"source_org": "县政府", "title": "待批示的文件"})
    workflow.propose(instructing, by=director, proposal="请陈副镇长阅示", leaders=[deputy])
    _forget_everything()

    call_command("rebuild_worklist", verbosity=0)

    assert [(i.step, i.matter.url) for i in worklist.waiting(director)] == [("propose", waiting.get_absolute_url())]
    assert [(i.step, i.matter.url) for i in worklist.waiting(deputy)] == [("instruct", instructing.get_absolute_url())]
    assert worklist.matter_of(waiting).initiator == clerk
    assert {m.url for m in worklist.started_by(clerk)} == {waiting.get_absolute_url(), instructing.get_absolute_url()}
    before = WorkItem.objects.count()
    call_command("rebuild_worklist", verbosity=0)
    assert WorkItem.objects.count() == before


@pytest.mark.django_db
def test_documents_in_every_state_are_rebuilt_as_they_were_live(
    in_state,
    out_state,
    entry,
    clerk,
    principal,
    mayor,
    office_director,
):
    """收文, 发文 and 密件 records brought to their states by the steps: the rebuild gives the same open items
    (who, step, label, title, due, urgent, kind) and the same Matters as the live run."""
    from documents.workflow import secret_steps

    for state in IncomingDocument.Status.values:
        in_state(state)
    waiting = worklist.open_items(in_state(IncomingDocument.Status.INSTRUCTING), "instruct").get()
    steps.reassign(waiting, by=office_director, to_user=mayor, reason="陈副镇长出差")  # 转交: the rebuild follows it
    for state in OutgoingDocument.Status.values:
        out_state(state)
    first, second = entry.copy_set.order_by("pk")
    secret_steps.hand_over(first, by=clerk, to=principal)  # waits for 确认接收
    secret_steps.destroy(second, by=clerk, witness=office_director)  # waits for the witness
    live, rebuilt = live_and_rebuilt()
    assert {row[0] for row in live[0]} == {"收文", "发文", "密件"}
    assert rebuilt[0] == live[0], difference(live[0], rebuilt[0])
    assert rebuilt[1] == live[1], difference(live[1], rebuilt[1])
