"""No input to a seals page gives a server error (property-based: Hypothesis)."""

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

TEXT = st.text(max_size=40) | st.sampled_from(["9999-12", "1-1", "0-0", "2026-11", "", "99999999999999999999", "-1"])
FUZZ = settings(max_examples=40, deadline=None, suppress_health_check=list(HealthCheck))


@pytest.mark.parametrize(
    "name,params,persona",
    [
        ("seals:register", ["month", "page", "format"], "seal_keeper"),
        ("seals:request_list", ["q", "status", "page"], "office_director"),
        ("seals:letter_list", ["q", "status", "page"], "office_director"),
    ],
)
def test_query_parameters(client_for, people, seals, name, params, persona):
    client = client_for(people[persona])

    @FUZZ
    @given(st.fixed_dictionaries({p: TEXT for p in params}))
    def run(query):
        if query.get("format") != "pdf":
            query.pop("format", None)
        response = client.get(reverse(name), query)
        assert response.status_code in (200, 400, 404), (query, response.status_code)

    run()


def test_request_form(client_for, staff, seals):
    client = client_for(staff)
    fields = ["seals", "use_type", "title", "recipient", "purpose", "copies", "contract_amount", "expected_return"]

    @FUZZ
    @given(st.fixed_dictionaries({f: TEXT for f in fields}), st.sampled_from(["draft", "submit"]))
    def run(data, action):
        response = client.post(reverse("seals:request_create"), {**data, "action": action})
        assert response.status_code in (302, 400), (data, response.status_code)

    run()


def test_letter_form(client_for, staff):
    client = client_for(staff)
    fields = ["recipient_unit", "persons", "person_count", "purpose", "valid_days"]

    @FUZZ
    @given(st.fixed_dictionaries({f: TEXT for f in fields}))
    def run(data):
        response = client.post(reverse("seals:letter_create"), data)
        assert response.status_code in (302, 400), (data, response.status_code)

    run()
