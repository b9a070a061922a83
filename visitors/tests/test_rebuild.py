"""``manage.py rebuild_worklist`` gives the contacts and cases the same open items as the steps gave them."""

from tests.rebuild import difference, live_and_rebuilt
from visitors import workflow

from .test_steps import CASE_TABLE, case_in  # noqa: F401 - the fixture that brings a case to a state by its steps


def test_every_state_of_a_contact_and_a_case_is_rebuilt_as_it_was_live(case_in, register, front_desk):  # noqa: F811
    for state in CASE_TABLE:
        case_in(state)
    register(draft=True, name="草稿人")
    register(name="待答复人")
    workflow.answer(register(name="已答复人"), by=front_desk, answer="已答复")
    live, rebuilt = live_and_rebuilt()
    assert live[0], "the states built give someone work"
    assert rebuilt[0] == live[0], difference(live[0], rebuilt[0])
    assert rebuilt[1] == live[1], difference(live[1], rebuilt[1])
