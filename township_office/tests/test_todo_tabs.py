"""我的待办: 已办 lists one line per record and step taken, the tabs carry their counts in constant queries, and
下一件 goes on to 待阅 once nothing is left to act on (over the test app's Dossier)."""

import re

import pytest
from django.urls import reverse

from tests.testapp.models import Dossier
from tests.testapp.workflow import close, handle, send
from township_office import todo, worklist
from township_office.models import WorkItem

TODO = reverse("township_office:todo")


def _dossier(title, initiator):
    d = Dossier.objects.create(title=title)
    worklist.track(d, kind="案卷", initiator=initiator)
    return d


def _done_lines(user):
    return [(item.matter.title, item.step) for item in worklist.done_by(user)]


def _tab_counts(page):
    return {
        key: (match.group(1) if (match := re.search(r'<span class="count">([^<]+)</span>', body)) else "")
        for key, body in re.findall(r'data-testid="tab-(\w+)">(.*?)</a>', page)
    }


def test_a_step_closing_everyones_items_is_one_line_of_done(township, office_director, clerk, staff):
    d = _dossier("修路协调", office_director)
    worklist.assign(d, "send", label="待交办", users=[office_director, clerk])  # both wait for 交办 (everyone=True)
    send(d, by=office_director, handler=staff)
    assert WorkItem.objects.filter(step="send", done_at__isnull=False).count() == 2  # both closed by the director
    assert WorkItem.objects.filter(step="send", done_by=office_director).count() == 1  # her own is her work
    assert _done_lines(office_director) == [("修路协调", "send")]
    assert _done_lines(clerk) == []  # the clerk did nothing


def test_items_made_moot_by_a_step_are_not_lines_of_done(township, office_director, staff):
    d = _dossier("修路协调", office_director)
    send(d, by=office_director, handler=staff)
    worklist.assign(d, "handle", label="待办理", users=[office_director])  # the director holds 办理 too
    close(d, by=office_director)  # 办结 settles every 办理 item: the staff's and the director's own
    assert WorkItem.objects.filter(step="handle", done_at__isnull=False, done_by__isnull=True).count() == 2  # moot
    assert _done_lines(office_director) == [("修路协调", "close"), ("修路协调", "send")]
    assert _done_lines(staff) == []


def test_a_step_taken_twice_is_two_lines(township, office_director, staff):
    d = _dossier("修路协调", office_director)
    send(d, by=office_director, handler=staff)
    handle(d, by=staff, note="已联系")
    handle(d, by=staff, note="已复查")  # 办理 again, later: a second line
    assert _done_lines(staff) == [("修路协调", "handle"), ("修路协调", "handle")]


def test_tabs_show_their_counts(township, client_for, office_director, staff):
    for i in range(3):
        send(_dossier(f"案卷{i}", office_director), by=office_director, handler=staff)
    reading = _dossier("会议纪要", office_director)
    worklist.assign(reading, "close", label="待阅", users=[staff], kind=WorkItem.Kind.READ)
    read_already = _dossier("简报", office_director)
    worklist.assign(read_already, "close", label="待阅", users=[staff], kind=WorkItem.Kind.READ)
    worklist.finish(read_already, "close", by=staff, decision="已阅")
    handle(Dossier.objects.get(title="案卷0"), by=staff, note="已联系")

    page = client_for(staff).get(TODO).content.decode()
    # 待办: the two still to handle; 待阅: the unread one; 已办: the 办理 and the 已阅; 我发起的: none
    assert _tab_counts(page) == {"todo": "2", "read": "1", "done": "2", "started": ""}
    page = client_for(office_director).get(TODO + "?tab=done").content.decode()
    assert _tab_counts(page) == {"todo": "", "read": "", "done": "3", "started": "5"}
    assert 'aria-current="page" data-testid="tab-done">已办 <span class="count">3</span>' in page


def test_tab_counts_stop_at_the_cap(township, office_director, staff, monkeypatch):
    monkeypatch.setattr(todo, "COUNT_CAP", 2)
    for i in range(4):
        send(_dossier(f"案卷{i}", office_director), by=office_director, handler=staff)
    assert todo.tab_counts(staff) == {"todo": "2+", "read": "", "done": "", "started": ""}
    assert todo.tab_counts(office_director) == {"todo": "", "read": "", "done": "2+", "started": "2+"}


@pytest.mark.parametrize("rows", [1, 20])
def test_tabs_and_their_counts_in_constant_queries(
    township, client_for, office_director, staff, rows, django_assert_num_queries
):
    for i in range(rows):
        d = _dossier(f"案卷{i}", office_director)
        send(d, by=office_director, handler=staff)
        worklist.assign(d, "close", label="待阅", users=[staff], kind=WorkItem.Kind.READ)
        _dossier(f"草稿{i}", staff)  # 我发起的
        handled = _dossier(f"已办{i}", office_director)
        send(handled, by=office_director, handler=staff)
        handle(handled, by=staff, note="已联系")  # 已办
    client = client_for(staff)
    client.get(TODO)  # warm the per-process caches (permission ids, township, the badge)
    for tab in ("todo", "read", "done", "started"):
        # session and user, the badge's unread notifications, the tab's page and its count, the four tab counts
        with django_assert_num_queries(5):
            response = client.get(TODO + f"?tab={tab}")
        assert response.status_code == 200


def test_next_goes_on_to_reading_once_nothing_is_left_to_act_on(township, client_for, office_director, staff):
    d = _dossier("修路协调", office_director)
    send(d, by=office_director, handler=staff)
    minutes = _dossier("会议纪要", office_director)
    worklist.assign(minutes, "close", label="待阅", users=[staff], kind=WorkItem.Kind.READ)
    worklist.assign(d, "close", label="待阅", users=[staff], kind=WorkItem.Kind.READ)  # the record handled: not next
    response = client_for(staff).post(
        reverse("dossier_step", args=[d.code, "handle"]), {"handle-note": "好", "next": "todo"}
    )
    assert response.status_code == 302 and response.url == minutes.get_absolute_url()
    worklist.finish(minutes, "close", by=staff, decision="已阅")
    other = _dossier("防汛值班", office_director)
    send(other, by=office_director, handler=staff)
    response = client_for(staff).post(
        reverse("dossier_step", args=[other.code, "handle"]), {"handle-note": "好", "next": "todo"}
    )
    assert response.url == d.get_absolute_url()  # the first record's 待阅 is elsewhere now
    worklist.finish(d, "close", by=staff, decision="已阅")
    last = _dossier("秋粮收购", office_director)
    send(last, by=office_director, handler=staff)
    response = client_for(staff).post(
        reverse("dossier_step", args=[last.code, "handle"]), {"handle-note": "好", "next": "todo"}
    )
    assert response.url == reverse("township_office:todo")  # nothing left to act on or to read
