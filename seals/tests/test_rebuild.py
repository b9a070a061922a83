"""``manage.py rebuild_worklist`` gives the seal flows' records the same open items as the steps gave them."""

from seals import workflow
from tests.rebuild import difference, live_and_rebuilt

from .test_steps_table import make  # noqa: F401 - the fixture that brings a request to a state by its steps

STATES = ["draft", "pending", "pending_office", "pending_principal", "approved", "approved_out", "taken_out"]


def test_every_state_of_a_request_and_a_letter_is_rebuilt_as_it_was_live(make, people):  # noqa: F811
    for state in STATES:
        make(state)
    staff, deputy = people["department_staff"], people["deputy_leader"]
    data = {"recipient_unit": "县自然资源和规划局", "persons": "黄磊", "person_count": 1, "purpose": "项目对接"}
    workflow.apply_letter(by=staff, data=data | {"valid_days": 7})
    workflow.approve_letter(workflow.apply_letter(by=staff, data=data | {"valid_days": 7}), by=deputy)
    live, rebuilt = live_and_rebuilt()
    assert live[0], "the states built give someone work"
    assert rebuilt[0] == live[0], difference(live[0], rebuilt[0])
    assert rebuilt[1] == live[1], difference(live[1], rebuilt[1])
