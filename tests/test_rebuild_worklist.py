"""An installation upgraded from before the work items: `manage.py rebuild_worklist` derives who must act on each
record in flight from the declared steps and the grants already held (and is harmless to run again)."""

from datetime import timedelta

import pytest
from django.core.management import call_command
from django.utils import timezone

from township_office import worklist
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
