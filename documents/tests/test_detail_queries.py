"""The 收文 and 发文 pages cost a bounded number of queries for every role that opens them, whatever their history
(bench/README.md: 12): the step panel, its rules and the page share what they read, the signed-in person comes with
their groups and unread count (township_office/backends.py), and the office director's 转交 forms read the people
and departments one may hand a step to in one query."""

import pytest

from documents import workflow

LIMIT = 12
INCOMING = {"clerk": 11, "office_director": 12, "deputy_leader": 11, "principal_leader": 11}  # today's figures


@pytest.fixture
def handled(routed, deputy, principal):
    """The routed file instructed (now 办理, with its 主办/协办 work items) and read by the principal leader."""
    workflow.instruct(routed, by=deputy, text="请抓紧办理")
    routed.refresh_from_db()
    return routed


def test_incoming_page_queries_are_bounded_for_every_reader(
    handled, clerk, office_director, deputy, principal, staff, client_for, count_queries
):
    url = handled.get_absolute_url()
    counts = {u.username: count_queries(client_for(u), url) for u in (clerk, office_director, deputy, principal)}
    assert all(counts[name] <= INCOMING[name] for name in counts), counts
    for i in range(3):  # more history and more rows of every kind shown: not one query more
        workflow.report_progress(handled, by=staff, text=f"进展{i}")
        workflow.chase(handled, by=office_director, note=f"请加快{i}")
        handled.refresh_from_db()
    again = {u.username: count_queries(client_for(u), url) for u in (clerk, office_director, deputy, principal)}
    assert again == counts


def test_the_panel_rules_read_the_page_lists_once(routed, principal, client_for, count_queries):
    """已阅 (the reader's copy) and 办结 (the lead department) are decided from the lists the page shows."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    client = client_for(principal)
    client.get(routed.get_absolute_url())
    with CaptureQueriesContext(connection) as context:
        page = client.get(routed.get_absolute_url())
    assert "已阅" in page.content.decode()
    sql = [q["sql"] for q in context.captured_queries]
    assert sum(s.startswith('SELECT "documents_circulation"') for s in sql) == 1
    assert sum(s.startswith('SELECT "documents_assignment"') for s in sql) == 1
    held = [q for q in context.captured_queries if q["sql"].startswith('SELECT "auth_permission"."codename"')]
    assert held == []  # the grants came with the file


def test_outgoing_page_queries_are_bounded(drafted, staff, office_director, client_for, count_queries):
    assert count_queries(client_for(office_director), drafted.get_absolute_url()) <= LIMIT
    assert count_queries(client_for(staff), drafted.get_absolute_url()) <= LIMIT
