"""Creating a record is declared once per flow (``steps.Start``): the list's button, the create page and the quick-create
button on 我的待办 agree, for every persona."""

import pytest
from django.urls import reverse

from reception.workflow import plans
from seals.workflow import letters, requests
from supervision.workflow import items
from township_office.roles import has_role
from visitors.workflow import contacts

LISTS = [
    (requests, "seals:request_list"),
    (letters, "seals:letter_list"),
    (contacts, "visitors:contact_list"),
    (plans, "reception:list"),
    (items, "supervision:list"),
]
PERSONAS = ["office_director", "clerk", "front_desk", "department_staff", "principal_leader", "auditor"]


@pytest.mark.parametrize("flow,list_name", LISTS, ids=[name for _, name in LISTS])
@pytest.mark.parametrize("username", PERSONAS)
def test_the_list_button_and_the_create_page_follow_the_declaration(people, client, flow, list_name, username):
    user = people[username]
    client.force_login(user)
    start = flow.start
    allowed = has_role(user, *start.roles)
    create = client.get(reverse(start.url_name))
    assert create.status_code == (200 if allowed else 403), username
    if not allowed:
        assert start.refusal in create.content.decode()
    page = client.get(reverse(list_name))
    if page.status_code == 200:  # the list itself is for the app's readers
        assert (f'href="{reverse(start.url_name)}"' in page.content.decode()) is allowed


@pytest.mark.parametrize("username", PERSONAS)
def test_quick_create_buttons_use_the_declared_roles(people, client, username):
    from township_office import navigation

    user = people[username]
    quick = {url for _, url in navigation.quick_for(user)}
    for flow in (requests, contacts, plans):
        assert (reverse(flow.start.url_name) in quick) is has_role(user, *flow.start.roles), (username, flow.kind)
