"""``manage.py rebuild_worklist`` gives the reception plans the same open items as the steps gave them."""

from tests.rebuild import difference, live_and_rebuilt

from .test_workflow import STATES, prepared  # noqa: F401 - the fixture that brings a plan to a state by its steps


def test_every_state_of_a_plan_is_rebuilt_as_it_was_live(prepared):  # noqa: F811
    prepare, people = prepared
    for days, state in enumerate(STATES):
        prepare(state, days_later=days * 2)
    live, rebuilt = live_and_rebuilt()
    assert live[0], "the states built give someone work"
    assert rebuilt[0] == live[0], difference(live[0], rebuilt[0])
    assert rebuilt[1] == live[1], difference(live[1], rebuilt[1])
