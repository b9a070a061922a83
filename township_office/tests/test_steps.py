"""The step declarations, work items, grants and the one action-view helper (over the test app's Dossier)."""

import re

import pytest
from django.contrib.messages import get_messages
from django.urls import reverse

from tests.testapp.models import Dossier
from tests.testapp.workflow import close, dossiers, handle, send
from tests.unchanged import database_state
from township_office import permissions, steps, worklist
from township_office.models import AuditEvent, Notification, WorkItem
from township_office.steps import Refused


@pytest.fixture
def dossier(township, office_director):
    d = Dossier.objects.create(title="修路协调")
    worklist.track(d, kind="案卷", initiator=office_director)
    return d


# (step, persona, prepare) → allowed?
CASES = [
    ("send", "office_director", None, True),
    ("send", "clerk", None, False),
    ("send", "staff", None, False),
    ("handle", "staff", "grant_staff", True),
    ("handle", "staff", None, False),
    ("handle", "clerk", None, False),
    ("close", "clerk", None, True),
    ("close", "office_director", None, True),
    ("close", "staff", "grant_staff", False),
    ("close", "clerk", "done", False),
    ("send", "office_director", "done", False),
    ("close", "clerk", "locked", False),
]


@pytest.mark.parametrize("name,persona,prepare,allowed", CASES)
def test_step_table(request, dossier, people, staff, name, persona, prepare, allowed):
    user = people[{"staff": "department_staff"}.get(persona, persona)]
    if prepare == "grant_staff":
        permissions.grant(dossier, ["view", "handle"], users=[staff])
    elif prepare == "done":
        Dossier.objects.filter(pk=dossier.pk).update(status=Dossier.Status.DONE)
        dossier.refresh_from_db()
    elif prepare == "locked":
        Dossier.objects.filter(pk=dossier.pk).update(title="锁定")
        dossier.refresh_from_db()
    assert dossiers.allows(dossier, user, name) is allowed
    assert (name in [s.name for s in dossiers.available(dossier, user)]) is allowed
    arguments = {"send": {"handler": staff}, "handle": {"note": "已联系"}, "close": {}}[name]
    before = database_state()
    if allowed:
        dossiers[name](dossier, by=user, **arguments)
        audited = database_state()["township_office.AuditEvent"] != before["township_office.AuditEvent"]
        assert audited or name == "handle"
    else:
        with pytest.raises(Refused):
            dossiers[name](dossier, by=user, **arguments)
        assert database_state() == before


def test_send_then_handle_moves_work_items_and_clears_notification(dossier, office_director, staff, clerk):
    send(dossier, by=office_director, handler=staff)
    item = WorkItem.objects.get(step="handle")
    assert item.assignee == staff and item.done_at is None
    assert list(worklist.waiting(staff)) == [item]
    note = Notification.objects.get(recipient=staff)
    assert note.read_at is None and note.work_item == item
    handle(dossier, by=staff, note="已联系")
    item.refresh_from_db()
    assert item.done_by == staff and item.decision == "办理"
    note.refresh_from_db()
    assert note.read_at is not None
    assert list(worklist.done_by(staff)) == [item]
    assert list(worklist.started_by(office_director)) == [worklist.matter_of(dossier)]


def test_state_change_closes_moot_items(dossier, office_director, staff, clerk):
    send(dossier, by=office_director, handler=staff)
    close(dossier, by=clerk)
    item = WorkItem.objects.get(step="handle")
    # moot, not done: closed, saying who moved the record on, but in nobody's 已办
    assert item.done_at is not None and item.done_by is None and item.decision == f"{clerk.get_full_name()}已办结"
    assert not worklist.done_by(clerk).filter(step="handle").exists() and not worklist.waiting(staff).exists()
    assert worklist.matter_of(dossier).state == "已办结"


def test_set_grants_takes_back_from_who_left(dossier, office_director, staff, resources_staff):
    send(dossier, by=office_director, handler=staff)
    send(dossier, by=office_director, handler=resources_staff)
    assert "handle" in permissions.held(resources_staff, Dossier.objects.get(pk=dossier.pk))
    assert "handle" not in permissions.held(staff, Dossier.objects.get(pk=dossier.pk))


def test_refusal_that_keeps_changes_commits_then_refuses(dossier, staff):
    permissions.grant(dossier, ["view", "handle"], users=[staff])
    with pytest.raises(Refused, match="作废"):
        handle(dossier, by=staff, note="void")
    assert Dossier.objects.get(pk=dossier.pk).title == "已作废"
    with pytest.raises(Refused):
        handle(dossier, by=staff, note="fail")
    assert Dossier.objects.get(pk=dossier.pk).title == "已作废"


def test_action_view_shows_refusal_with_400_and_keeps_input(client_for, dossier, clerk, staff):
    permissions.grant(dossier, ["view", "handle"], users=[staff])
    url = reverse("dossier_step", args=[dossier.code, "handle"])
    response = client_for(staff).post(url, {"handle-note": "fail"})
    assert response.status_code == 400
    page = response.content.decode()
    assert "办理情况不合要求。" in page and 'value="fail"' in page
    response = client_for(staff).post(url, {"handle-note": ""})
    assert response.status_code == 400 and "这个字段是必填项" in response.content.decode()


def test_action_view_forbidden_step_is_403_and_stranger_404(client_for, dossier, staff, stranger, clerk):
    permissions.grant(dossier, ["view"], users=[staff])
    response = client_for(staff).post(reverse("dossier_step", args=[dossier.code, "close"]))
    assert response.status_code == 403 and "只有办公室主任、文书/秘书可以办结。" in response.content.decode()
    response = client_for(stranger).post(reverse("dossier_step", args=[dossier.code, "close"]))
    assert response.status_code == 404
    response = client_for(clerk).post(reverse("dossier_step", args=[dossier.code, "nosuchstep"]))
    assert response.status_code == 404


def test_page_offers_exactly_the_available_steps(client_for, dossier, clerk, office_director):
    page = client_for(clerk).get(dossier.get_absolute_url()).content.decode()
    assert 'data-step="close"' in page and 'data-step="send"' not in page
    assert 'data-confirm="办结后不能再修改，确定吗？"' in page
    page = client_for(office_director).get(dossier.get_absolute_url()).content.decode()
    assert 'data-step="send"' in page and 'data-step="close"' in page
    # Two steps, both closed: the form of neither is rendered until asked for (see the test below).
    assert 'name="send-handler"' not in page
    page = client_for(office_director).get(dossier.get_absolute_url() + "?step=send").content.decode()
    assert 'name="send-handler"' in page


def test_a_closed_steps_form_is_fetched_from_the_steps_url_or_opened_by_a_plain_link(
    client_for, dossier, office_director, clerk, stranger
):
    url = reverse("dossier_step", args=[dossier.code, "send"])
    client = client_for(office_director)
    page = client.get(dossier.get_absolute_url()).content.decode()
    # The closed step offers a link to the record's page with its form (no JavaScript) and where the page fetches
    # its form from.
    opened_url = f"{dossier.get_absolute_url()}?step=send#step-send"
    assert f'<a href="{opened_url}">填写「交办」</a>' in page and f'data-form-url="{url}?form=1"' in page
    before = database_state(audit=True)
    fragment = client.get(url, {"form": 1})
    assert fragment.status_code == 200
    html = fragment.content.decode()
    assert html.strip().startswith("<form") and 'name="send-handler"' in html and "csrfmiddlewaretoken" in html
    assert f'action="{url}"' in html and "<html" not in html
    # The plain link: the record's page with that step unfolded and its form rendered. The step's URL itself
    # answers nothing else to a GET.
    assert client.get(url).status_code == 405
    page = client.get(opened_url.split("#")[0]).content.decode()
    opened = re.search(r'<details[^>]*data-step="send"[^>]*>', page).group(0)
    assert " open" in opened and "data-keep-open" in opened and 'name="send-handler"' in page
    assert database_state(audit=True) == before  # showing a form changes nothing
    # Someone who may see the record but not take the step is refused with the reason; a stranger gets 404.
    refused = client_for(clerk).get(url, {"form": 1})
    assert refused.status_code == 403 and "只有办公室主任可以交办。" in refused.content.decode()
    assert client_for(stranger).get(url, {"form": 1}).status_code == 404
    assert client.get(reverse("dossier_step", args=[dossier.code, "nosuchstep"]), {"form": 1}).status_code == 404


def test_action_view_success_redirects_to_next_waiting(client_for, dossier, office_director, staff):
    other = Dossier.objects.create(title="防汛值班")
    worklist.track(other, kind="案卷", initiator=office_director)
    send(other, by=office_director, handler=staff)
    send(dossier, by=office_director, handler=staff)
    response = client_for(staff).post(
        reverse("dossier_step", args=[dossier.code, "handle"]), {"handle-note": "好", "next": "todo"}
    )
    assert response.status_code == 302 and response.url == other.get_absolute_url()


def test_reassign_moves_item_grant_and_notification(client_for, dossier, office_director, staff, resources_staff):
    send(dossier, by=office_director, handler=staff)
    item = WorkItem.objects.get(step="handle", done_at__isnull=True)
    response = client_for(office_director).post(
        reverse("township_office:work_item_reassign", args=[item.pk]),
        {f"reassign-{item.pk}-to_user": resources_staff.pk, f"reassign-{item.pk}-reason": "原经办人出差"},
    )
    assert response.status_code == 302
    item.refresh_from_db()
    assert item.done_at is not None and item.decision.startswith("转交")
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert "handle" not in permissions.held(staff, fresh) and "view" not in permissions.held(staff, fresh)
    assert "handle" in permissions.held(resources_staff, Dossier.objects.get(pk=dossier.pk))
    assert worklist.waiting(resources_staff).get().step == "handle"
    assert AuditEvent.objects.filter(action="转交待办", comment__contains="原经办人出差").exists()


def test_reassign_refused_for_others(client_for, dossier, office_director, staff, clerk, resources_staff):
    send(dossier, by=office_director, handler=staff)
    item = WorkItem.objects.get(step="handle", done_at__isnull=True)
    response = client_for(clerk).post(
        reverse("township_office:work_item_reassign", args=[item.pk]),
        {f"reassign-{item.pk}-to_user": resources_staff.pk},
    )
    assert response.status_code == 404
    item.refresh_from_db()
    assert item.done_at is None


def test_home_tabs_in_constant_queries(client_for, office_director, staff, django_assert_max_num_queries):
    for i in range(25):
        d = Dossier.objects.create(title=f"案卷{i}")
        worklist.track(d, kind="案卷", initiator=office_director)
        send(d, by=office_director, handler=staff)
    client = client_for(staff)
    client.get(reverse("township_office:todo"))  # warm the per-process caches (permission ids, township)
    for tab in ("todo", "read", "done", "started"):
        with django_assert_max_num_queries(8):
            response = client.get(reverse("township_office:todo") + f"?tab={tab}")
        assert response.status_code == 200
    page = client.get(reverse("township_office:todo")).content.decode()
    assert "案卷24" in page and "待办理" in page
    done = client_for(office_director).get(reverse("township_office:todo") + "?tab=done").content.decode()
    assert "案卷3" in done
    started = client_for(office_director).get(reverse("township_office:todo") + "?tab=started").content.decode()
    assert "案卷0" in started and "办理中" in started


def test_quick_create_buttons_follow_roles(client_for, clerk, front_desk, staff):
    page = client_for(clerk).get(reverse("township_office:todo")).content.decode()
    assert "登记收文" in page and "登记来访" not in page
    page = client_for(front_desk).get(reverse("township_office:todo")).content.decode()
    assert "登记来访" in page and "登记收文" not in page
    page = client_for(staff).get(reverse("township_office:todo")).content.decode()
    assert "拟稿" in page and "申请用印" in page


def test_rebuild_worklist_gives_records_in_flight_their_items(township, staff, people):
    from django.core.management import call_command

    legacy = Dossier.objects.create(title="升级前的案卷")
    permissions.grant(legacy, ["view", "handle"], users=[staff])
    finished = Dossier.objects.create(title="升级前已办结", status=Dossier.Status.DONE)
    permissions.grant(finished, ["view", "handle"], users=[staff])
    call_command("rebuild_worklist", verbosity=0)
    assert [i.matter.title for i in worklist.waiting(staff)] == ["升级前的案卷"]
    assert worklist.matter_of(finished).state == "已办结"
    call_command("rebuild_worklist", verbosity=0)  # again: nothing doubles
    assert worklist.waiting(staff).count() == 1


def test_page_with_many_open_items_reads_reassign_candidates_once(dossier, office_director, people, rf):
    from township_office import steps as core_steps

    for username in ("department_staff", "resources_staff", "village_staff", "clerk"):
        worklist.assign(dossier, "handle", label="待办理", users=[people[username]])
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    context = core_steps.page_context(dossiers, dossier, office_director)
    with CaptureQueriesContext(connection) as few:
        html = "".join(str(item.reassign_form) for item in context["work_items"])
    assert "转交给" in html and len(few.captured_queries) <= 1


def test_a_rule_may_refuse_as_not_yet_rather_than_not_you(dossier, clerk):
    from township_office.steps import Refused as StepRefused

    step = dossiers["close"]
    original = step.rule
    object.__setattr__(step, "rule", lambda d, user: StepRefused("还没到时候。"))
    try:
        refusal = dossiers.refusal(step, dossier, clerk)
    finally:
        object.__setattr__(step, "rule", original)
    assert refusal.message == "还没到时候。" and not refusal.forbidden


def test_an_item_the_step_opens_again_for_the_same_person_stays_open(dossier, office_director, staff):
    """A partial step (copies left to stamp) gives the person a fresh item of the same step: it is not closed."""
    send(dossier, by=office_director, handler=staff)
    handle(dossier, by=staff, note="部分完成")  # closes the item that waited
    assert not worklist.waiting(staff).exists()
    worklist.assign(dossier, "handle", label="待办理", users=[staff])
    from township_office import steps as core_steps

    @dossiers.step("再办", source=[Dossier.Status.OPEN], grant="handle", work="待再办")
    def handle_again(run, dossier):
        run.hand_to("handle_again", users=[run.by], exclusive=False)

    try:
        worklist.assign(dossier, "handle_again", label="待再办", users=[staff])
        handle_again(dossier, by=staff)
        item = WorkItem.objects.get(step="handle_again", done_at__isnull=True)
        assert item.assignee == staff  # given again by the step: still waiting
        assert worklist.done_by(staff).filter(step="handle_again").exists()  # and the step is in 已办
    finally:
        del dossiers.steps["handle_again"]
        assert core_steps.flow_for(Dossier) is dossiers


def test_todo_page_merges_own_and_department_items_in_deadline_order(client_for, office_director, staff):
    """我的待办 reads the person's items and the department's separately (each off its index) and merges them:
    the same rows, in the same order (deadline first, none last; urgent first; oldest first) as one query."""
    from datetime import date, timedelta

    today = date(2026, 11, 25)
    dues = [None, today + timedelta(days=3), today, None, today + timedelta(days=1), today]
    for i, due in enumerate(dues * 6):  # 36 items: more than a page
        d = Dossier.objects.create(title=f"案卷{i:02d}")
        worklist.track(d, kind="案卷", initiator=office_director)
        if i % 2:
            worklist.assign(d, "handle", label="办理", departments=[staff.department], due=due, urgent=i % 3 == 0)
        else:
            worklist.assign(d, "handle", label="办理", users=[staff], due=due, urgent=i % 3 == 0)
    plain = list(worklist.waiting(staff))
    assert len(plain) == 36 and {i.department_id for i in plain} == {None, staff.department_id}
    assert [i.due for i in plain] == sorted((i.due for i in plain), key=lambda d: d or date.max)
    for first in (1, 2, 7, 31, 100):
        assert list(worklist.waiting(staff, first=first)[:first]) == plain[:first]
    # counted: at least ``first`` when there are more (the page then says so), at most ``first`` of each branch
    assert 31 <= worklist.waiting(staff, first=31).count() <= 36
    assert worklist.waiting(staff, first=5).count() == 10
    client = client_for(staff)
    shown = [
        title
        for page in (1, 2)
        for title in re.findall(
            r"案卷\d\d", client.get(reverse("township_office:todo") + f"?page={page}").content.decode()
        )
    ]
    assert shown == [i.matter.title for i in plain]


# --- hand_to, Start, cached ----------------------------------------------------------------------------------


def test_hand_to_gives_exactly_them_the_step_grant_view_and_an_item(dossier, people, staff, clerk, office_director):
    from django.db import transaction

    run = steps.Run(dossiers, dossiers["send"], dossier, office_director)
    with transaction.atomic():
        run.hand_to("handle", users=[clerk], notify="请办理")
    assert permissions.held(clerk, Dossier.objects.get(pk=dossier.pk)) >= {"handle", "view"}
    with transaction.atomic():
        items = run.hand_to("handle", users=[staff], notify="请办理")
    fresh = Dossier.objects.get(pk=dossier.pk)
    assert "handle" not in permissions.held(clerk, fresh) and "view" in permissions.held(clerk, fresh)
    assert permissions.held(staff, fresh) >= {"handle", "view"}
    assert [(i.assignee, i.label) for i in items] == [(staff, "待办理")]  # the label: handle's work=
    assert Notification.objects.filter(recipient=staff, work_item=items[0], title="请办理").exists()
    assert run.hand_to("handle") == []  # nobody: only taken back
    assert "handle" not in permissions.held(staff, Dossier.objects.get(pk=dossier.pk))


def test_a_body_not_taking_run_is_refused_at_import():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="第一个参数应为 run"):

        @dossiers.step("旧写法", source=[Dossier.Status.OPEN], roles=["clerk"])
        def old_style(dossier, *, by):
            pass

    assert "old_style" not in dossiers.steps


def test_a_step_open_to_everyone_is_refused_at_import():
    from django.core.exceptions import ImproperlyConfigured

    with pytest.raises(ImproperlyConfigured, match="没有声明 roles、grant 或 rule"):

        @dossiers.step("谁都可以", source=[Dossier.Status.OPEN])
        def anyone(run, dossier):
            pass

    assert "anyone" not in dossiers.steps


def test_start_is_the_one_rule_for_creating_a_record(people, clerk, staff):
    from types import SimpleNamespace

    from django.core.exceptions import PermissionDenied

    from township_office import steps
    from township_office.roles import Role

    start = steps.Start("登记案卷", "dossier_list", (Role.CLERK,), refusal="只有文书可以登记案卷。")
    flow = SimpleNamespace(start=start)  # a Flow's start is all starts() reads
    assert start.allows(clerk) and not start.allows(staff)
    start.require(clerk)
    with pytest.raises(PermissionDenied, match="只有文书可以登记案卷"):
        start.require(staff)
    assert steps.starts(staff, flow) == []
    assert steps.starts(clerk, flow) == [("登记案卷", "/testapp/")]


def test_cached_values_are_read_afresh_by_a_step(dossier, office_director, clerk):
    from township_office import steps

    reads = []
    assert steps.cached(dossier, "k", lambda: reads.append(1) or len(reads)) == 1
    assert steps.cached(dossier, "k", lambda: reads.append(1) or len(reads)) == 1  # kept while a page lists steps
    send(dossier, by=office_director, handler=clerk)
    assert steps.cached(dossier, "k", lambda: reads.append(1) or len(reads)) == 2  # the step forgot it


def test_a_work_item_is_named_after_the_step_that_closes_it(dossier, staff, office_director):
    """An item no step would close would wait in 我的待办 for ever: a step hands on only declared steps, and a
    flow's own items only under its declared prefixes."""
    run = steps.Run(dossiers, dossiers["send"], dossier, office_director)
    with pytest.raises(KeyError):
        run.hand_to("archive", users=[staff])
    with pytest.raises(ValueError, match="not one of the 案卷 flow's own items"):
        run.hand_to("handle", users=[staff], key="material-1")
    assert not WorkItem.objects.exists()
    [item] = run.hand_to("handle", users=[staff])  # a declared step: its label is the step's work=
    assert (item.step, item.label) == ("handle", "待办理") and "handle" in permissions.held(staff, dossier)


def test_a_flow_may_name_its_own_items():
    """接待 opens one item per material ("material-<pk>") and closes it itself (reception/workflow.py)."""
    from reception.workflow import plans

    assert plans.names_item("material-12") and plans.names_item(next(iter(plans.steps)))
    assert not plans.names_item("materials") and not plans.names_item("archive")
    assert not dossiers.names_item("material-12")  # only the flow that declares the prefix


def test_next_walks_the_waiting_items_in_order_past_the_record_just_handled(
    client_for, dossier, office_director, staff
):
    from datetime import timedelta

    from django.utils import timezone

    today = timezone.localdate()
    later, sooner = Dossier.objects.create(title="防汛值班"), Dossier.objects.create(title="秋粮收购")
    for other, days in ((later, 9), (sooner, 5)):
        worklist.track(other, kind="案卷", initiator=office_director)
        send(other, by=office_director, handler=staff)
        WorkItem.objects.filter(matter=worklist.matter_of(other)).update(due=today + timedelta(days))
    send(dossier, by=office_director, handler=staff)
    # Two more items of the same person on the record being handled, more pressing than any other.
    worklist.assign(dossier, "send", label="交办", users=[staff], due=today)
    worklist.assign(dossier, "close", label="办结", users=[staff], due=today)
    client = client_for(staff)
    response = client.post(
        reverse("dossier_step", args=[dossier.code, "handle"]), {"handle-note": "好", "next": "todo"}
    )
    assert response.status_code == 302 and response.url == sooner.get_absolute_url()  # past the record's own
    response = client.post(reverse("dossier_step", args=[sooner.code, "handle"]), {"handle-note": "好", "next": "todo"})
    assert response.url == dossier.get_absolute_url()  # its items are the most pressing now


@pytest.mark.parametrize("reason", [None, "", "   "])
def test_reassign_without_a_reason_is_refused_and_changes_nothing(
    client_for, dossier, office_director, staff, resources_staff, reason
):
    """Issue 22 §8: 转交 needs its reason, as 跳过会签 does."""
    send(dossier, by=office_director, handler=staff)
    item = WorkItem.objects.get(step="handle", done_at__isnull=True)
    before = database_state()
    data = {f"reassign-{item.pk}-to_user": resources_staff.pk}
    if reason is not None:
        data[f"reassign-{item.pk}-reason"] = reason
    response = client_for(office_director).post(reverse("township_office:work_item_reassign", args=[item.pk]), data)
    shown = [str(message) for message in get_messages(response.wsgi_request)]
    assert response.status_code == 302 and any("请填写转交说明" in message for message in shown), shown
    assert database_state() == before
    with pytest.raises(Refused, match="请填写转交说明"):  # the step itself refuses it too, whoever calls it
        from township_office import steps as core_steps

        core_steps.reassign(item, by=office_director, to_user=resources_staff, reason=reason or "")
    assert database_state() == before


def test_reassign_takes_the_notifications_of_the_record_from_whoever_lost_it(
    dossier, office_director, staff, resources_staff, django_capture_on_commit_callbacks
):
    """Issue 22 §9: notifications follow access. The person a step is taken from loses the record (the test app's
    Dossier is openable by grant only), and every notification naming it; another record's stay."""
    from township_office import steps as core_steps
    from township_office.notifications import notify

    other = Dossier.objects.create(title="另一案卷")
    with django_capture_on_commit_callbacks(execute=True):
        send(dossier, by=office_director, handler=staff)
        notify([staff], f"催办：{dossier}", url=dossier.get_absolute_url())
        notify([staff], f"请阅：{other}", url=other.get_absolute_url())
    assert Notification.objects.filter(recipient=staff).count() == 3
    item = WorkItem.objects.get(step="handle", done_at__isnull=True)
    with django_capture_on_commit_callbacks(execute=True):
        core_steps.reassign(item, by=office_director, to_user=resources_staff, reason="原经办人出差")
    assert list(Notification.objects.filter(recipient=staff).values_list("title", flat=True)) == ["请阅：另一案卷"]
    assert Notification.objects.filter(recipient=resources_staff, title__contains="修路协调").exists()


def test_a_rolled_back_revocation_takes_no_notification(
    dossier, office_director, staff, django_capture_on_commit_callbacks
):
    from django.db import transaction

    send(dossier, by=office_director, handler=staff)
    with django_capture_on_commit_callbacks(execute=True) as callbacks:
        with pytest.raises(RuntimeError), transaction.atomic():
            permissions.revoke(dossier, ["view", "handle"], users=[staff])
            raise RuntimeError("the step failed")
    assert callbacks == []
    assert Notification.objects.filter(recipient=staff, title__contains="修路协调").exists()


def test_a_reassign_form_is_rendered_when_asked_for_or_fetched(client_for, dossier, office_director, staff, clerk):
    send(dossier, by=office_director, handler=staff)
    item = WorkItem.objects.get(step="handle", done_at__isnull=True)
    url = reverse("township_office:work_item_reassign", args=[item.pk])
    client = client_for(office_director)
    page = client.get(dossier.get_absolute_url()).content.decode()
    assert f'data-form-url="{url}?form=1"' in page and "转交给" not in page
    assert f'href="{dossier.get_absolute_url()}?reassign={item.pk}#reassign-{item.pk}"' in page
    page = client.get(dossier.get_absolute_url(), {"reassign": item.pk}).content.decode()
    assert f'name="reassign-{item.pk}-to_user"' in page and f'id="reassign-{item.pk}" open' in page
    before = database_state(audit=True)
    fragment = client.get(url, {"form": 1}).content.decode()
    assert fragment.strip().startswith("<form") and f'name="reassign-{item.pk}-reason"' in fragment
    assert database_state(audit=True) == before
    assert client.get(url).status_code == 405
    assert client_for(clerk).get(url, {"form": 1}).status_code == 404
