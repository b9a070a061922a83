"""密件登记 (issue 12 §1): state secrets as a paper register only.

The register flow with every refusal (a refused step changes nothing), who sees the register, the 收文/发文 forms
refusing state-secret levels, and the reminder job for copies not returned on time."""

from datetime import UTC, datetime, timedelta

import pytest
import time_machine
from django.core.exceptions import PermissionDenied
from django.urls import reverse
from django.utils import timezone

from documents.models import IncomingDocument, OutgoingDocument, SecretCopy, SecretCopyEvent, SecretEntry
from documents.permissions import visible_secret_copies, visible_secret_entries
from documents.reminders import chase_secret_returns
from documents.workflow import secret_steps
from tests.unchanged import database_state
from township_office import worklist
from township_office.models import AuditEvent, Notification, WorkItem
from township_office.steps import Refused

Copy = SecretCopy.Status
SECRET_TITLE = "关于某涉密事项的通知甲乙"


@pytest.fixture
def entry(clerk, township):
    return secret_steps.register(
        by=clerk,
        data={
            "source_org": "县委办公室",
            "doc_number": "县委办〔2026〕密3号",
            "secrecy": "secret",
            "secrecy_term": "10年",
            "copies": 2,
            "received_at": timezone.now(),
            "title_not_secret": False,
            "title": "",
            "return_by": timezone.localdate() + timedelta(days=10),
        },
        copy_numbers=["000011", "000012"],
    )


def _copies(entry):
    first, second = entry.copy_set.order_by("pk")
    return first, second


def _refused(step, copy, *, by, message, **kwargs):
    before = database_state()
    with pytest.raises(Refused) as error:
        step(copy, by=by, **kwargs)
    assert message in error.value.message
    assert database_state() == before
    return error.value


# --- Registration ---------------------------------------------------------------------------------------


def test_registration_keeps_no_title_unless_confirmed_and_copies_start_at_the_office(client_for, clerk, township):
    client = client_for(clerk)
    data = {
        "source_org": "县委办公室",
        "doc_number": "县委办〔2026〕密5号",
        "secrecy": "confidential",
        "secrecy_term": "20年",
        "copies": 2,
        "copy_numbers": "000021, 000022",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "title": SECRET_TITLE,
        "return_by": "",
    }
    response = client.post(reverse("documents:secret_register"), data)
    assert response.status_code == 400
    assert "未勾选「标题本身不涉密」时不得填写标题" in response.content.decode()
    assert not SecretEntry.objects.exists()

    response = client.post(reverse("documents:secret_register"), {**data, "title": ""})
    assert response.status_code == 302
    entry = SecretEntry.objects.get()
    assert entry.title == "" and entry.shown_title == "密件" and entry.number.startswith("密〔")
    assert [(c.copy_number, c.status, c.holder_id) for c in entry.copy_set.order_by("pk")] == [
        ("000021", Copy.AT_OFFICE, None),
        ("000022", Copy.AT_OFFICE, None),
    ]
    assert AuditEvent.objects.filter(action="登记密件", object_code=str(entry.code)).exists()
    assert not any(f.get_internal_type() == "FileField" for f in SecretEntry._meta.get_fields() if f.concrete)

    response = client.post(
        reverse("documents:secret_register"), {**data, "title_not_secret": "on", "copy_numbers": "1 2 3"}
    )
    assert response.status_code == 400 and "与份数 2 不符" in response.content.decode()
    for copies in (0, 501):
        response = client.post(reverse("documents:secret_register"), {**data, "title": "", "copies": copies})
        assert response.status_code == 400
    assert SecretEntry.objects.count() == 1


def test_title_kept_when_the_clerk_confirms_it_is_not_secret(client_for, clerk, township):
    response = client_for(clerk).post(
        reverse("documents:secret_register"),
        {
            "source_org": "县保密局",
            "doc_number": "县保〔2026〕1号",
            "secrecy": "secret",
            "secrecy_term": "5年",
            "copies": 1,
            "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "title_not_secret": "on",
            "title": "关于开展保密检查的通知",
        },
    )
    assert response.status_code == 302
    assert SecretEntry.objects.get().shown_title == "关于开展保密检查的通知"


def test_only_the_office_registers(client_for, principal, staff, township):
    for user in (principal, staff):
        assert client_for(user).get(reverse("documents:secret_register")).status_code == 403
    with pytest.raises(PermissionDenied, match="只有文书或办公室主任可以登记密件"):  # the flow's Start says who
        secret_steps.register(by=principal, data={}, copy_numbers=["1"])
    assert not SecretEntry.objects.exists()


# --- The flow of a copy, and its refusals -----------------------------------------------------------------


def test_handover_confirm_instruct_return_and_clear(entry, clerk, principal, mayor, office_director):
    first, _ = _copies(entry)
    secret_steps.hand_over(first, by=clerk, to=principal)
    first.refresh_from_db()
    assert first.status == Copy.HANDOVER and first.holder_id is None and first.pending_to == principal
    item = WorkItem.objects.get(matter__object_id=first.pk, assignee=principal, done_at__isnull=True)
    assert item.label == "确认接收密件" and item.step == "confirm"
    note = Notification.objects.get(recipient=principal, work_item=item)
    assert "密件" in note.title and SECRET_TITLE not in note.title

    _refused(secret_steps.confirm, first, by=mayor, message="只有接收人")  # the wrong person confirming
    _refused(secret_steps.confirm, first, by=clerk, message="只有接收人")

    secret_steps.confirm(first, by=principal)
    first.refresh_from_db()
    assert first.status == Copy.HELD and first.holder == principal and first.pending_to is None
    assert not worklist.open_items(first).exists()

    at = timezone.now() - timedelta(hours=1)
    secret_steps.record_instruction(first, by=principal, leader=principal, at=at)
    event = SecretCopyEvent.objects.get(copy=first, kind=SecretCopyEvent.Kind.INSTRUCTED)
    assert (event.person, event.at) == (principal, at)
    assert not hasattr(event, "text")  # who and when only: the 批示 stays on paper
    _refused(secret_steps.record_instruction, first, by=principal, leader=mayor, at=at, message="只能登记本人")

    _refused(secret_steps.give_back, first, by=mayor, message="不在您手中")
    secret_steps.give_back(first, by=principal)
    first.refresh_from_db()
    assert first.status == Copy.RETURNING
    assert set(worklist.open_items(first, "confirm_return").values_list("assignee", flat=True)) == {
        clerk.pk,
        office_director.pk,
    }
    _refused(secret_steps.confirm_return, first, by=principal, message="只有")
    secret_steps.confirm_return(first, by=clerk)
    first.refresh_from_db()
    assert first.status == Copy.AT_OFFICE and first.holder is None
    assert not worklist.open_items(first).exists()  # the office director's item closed too

    secret_steps.clear(first, by=clerk, recipient="县委办公室机要室 王某", at=timezone.now())
    first.refresh_from_db()
    assert first.status == Copy.CLEARED
    assert SecretCopyEvent.objects.get(copy=first, kind="cleared").recipient == "县委办公室机要室 王某"
    entry.refresh_from_db()
    assert entry.status == SecretEntry.Status.KEPT  # the second copy is still here
    actions = list(
        AuditEvent.objects.filter(object_code=str(first.code)).order_by("pk").values_list("action", flat=True)
    )
    assert actions == ["移交", "确认接收", "登记纸质批示", "退回办公室", "确认退回", "清退"]
    assert not AuditEvent.objects.filter(comment__contains=SECRET_TITLE).exists()


def test_handing_over_a_copy_one_does_not_hold_is_refused(entry, clerk, principal, mayor, staff):
    first, second = _copies(entry)
    _refused(secret_steps.hand_over, second, by=principal, to=mayor, message="由办公室保管")
    secret_steps.hand_over(first, by=clerk, to=principal)
    secret_steps.confirm(first, by=principal)
    _refused(secret_steps.hand_over, first, by=clerk, to=mayor, message="不在您手中")  # the office gave it away
    _refused(secret_steps.hand_over, first, by=mayor, to=staff, message="不在您手中")
    _refused(secret_steps.hand_over, second, by=clerk, to=clerk, message="不能移交给持有人自己")
    secret_steps.hand_over(first, by=principal, to=mayor)  # the holder hands it on
    secret_steps.confirm(first, by=mayor)
    first.refresh_from_db()
    assert first.holder == mayor


def test_destruction_needs_two_distinct_people_and_the_second_confirms(entry, clerk, office_director, principal):
    first, second = _copies(entry)
    _refused(secret_steps.destroy, first, by=clerk, witness=clerk, message="监销人不能是您本人")
    _refused(secret_steps.destroy, first, by=principal, witness=clerk, message="只有")
    secret_steps.destroy(first, by=clerk, witness=office_director)
    first.refresh_from_db()
    assert first.status == Copy.DESTROYING and first.pending_to == office_director
    _refused(secret_steps.confirm_destruction, first, by=clerk, message="发起销毁的人不能再作监销人确认")
    _refused(secret_steps.confirm_destruction, first, by=principal, message="只有监销人")
    secret_steps.confirm_destruction(first, by=office_director)
    first.refresh_from_db()
    assert first.status == Copy.DESTROYED
    destroyed = SecretCopyEvent.objects.get(copy=first, kind="destroyed")
    assert (destroyed.actor, destroyed.person) == (office_director, clerk)  # both named

    # acting on a destroyed copy
    for step, kwargs in [
        (secret_steps.hand_over, {"to": principal}),
        (secret_steps.clear, {"recipient": "县委办", "at": timezone.now()}),
        (secret_steps.destroy, {"witness": office_director}),
        (secret_steps.give_back, {}),
        (secret_steps.record_instruction, {"leader": principal, "at": timezone.now()}),
    ]:
        _refused(step, first, by=clerk, message="已销毁", **kwargs)

    secret_steps.clear(second, by=clerk, recipient="县委办公室", at=timezone.now())
    entry.refresh_from_db()
    assert entry.status == SecretEntry.Status.CLOSED


def test_withdrawn_handover_takes_back_what_it_gave(entry, clerk, deputy):
    first, _ = _copies(entry)
    secret_steps.hand_over(first, by=clerk, to=deputy)
    assert visible_secret_entries(deputy).filter(pk=entry.pk).exists()
    _refused(secret_steps.withdraw_handover, first, by=deputy, message="只有移交人")
    secret_steps.withdraw_handover(first, by=clerk)
    first.refresh_from_db()
    assert first.status == Copy.AT_OFFICE and first.pending_to is None
    assert not worklist.open_items(first).exists()
    assert not visible_secret_entries(deputy).exists() and not visible_secret_copies(deputy).exists()


# --- Pages and visibility -----------------------------------------------------------------------------------


def _page(client, url):
    response = client.get(url)
    return response.status_code, response.content.decode()


def test_the_copy_page_offers_the_steps_of_the_person(client_for, entry, clerk, principal):
    first, _ = _copies(entry)
    status, page = _page(client_for(clerk), first.get_absolute_url())
    assert status == 200 and 'data-step="hand_over"' in page and 'data-step="destroy"' in page
    response = client_for(clerk).post(
        reverse("documents:secret_copy_step", args=[first.code, "hand_over"]), {"hand_over-to": principal.pk}
    )
    assert response.status_code == 302
    status, page = _page(client_for(principal), first.get_absolute_url())
    assert status == 200 and 'data-step="confirm"' in page and 'data-step="destroy"' not in page
    # the wrong person confirming through the page: 403 with the reason, nothing changed
    response = client_for(clerk).post(reverse("documents:secret_copy_step", args=[first.code, "confirm"]))
    assert response.status_code == 403 and "只有接收人" in response.content.decode()
    assert SecretCopy.objects.get(pk=first.pk).status == Copy.HANDOVER
    response = client_for(principal).post(reverse("documents:secret_copy_step", args=[first.code, "confirm"]))
    assert response.status_code == 302
    assert SecretCopy.objects.get(pk=first.pk).holder == principal


def test_others_get_404_and_see_nothing_in_lists(client_for, entry, clerk, principal, mayor, deputy, stranger):
    first, second = _copies(entry)
    secret_steps.hand_over(first, by=clerk, to=principal)
    secret_steps.confirm(first, by=principal)
    for user in (mayor, deputy, stranger):
        client = client_for(user)
        assert client.get(entry.get_absolute_url()).status_code == 404
        assert client.get(first.get_absolute_url()).status_code == 404
        response = client.post(reverse("documents:secret_copy_step", args=[first.code, "give_back"]))
        assert response.status_code == 404
        status, page = _page(client, reverse("documents:secret_list"))
        assert status == 200 and entry.number not in page and "县委办〔2026〕密3号" not in page
        assert "没有符合条件的密件" in page
    # the holder sees the entry and their own copy, not the copy still at the office
    client = client_for(principal)
    status, page = _page(client, reverse("documents:secret_list"))
    assert entry.number in page
    status, page = _page(client, entry.get_absolute_url())
    assert status == 200 and "第000011份" in page and "第000012份" not in page
    assert client.get(second.get_absolute_url()).status_code == 404
    # held: still visible once returned
    secret_steps.give_back(first, by=principal)
    secret_steps.confirm_return(first, by=clerk)
    assert client.get(entry.get_absolute_url()).status_code == 200
    # the office keeps the register and sees all of it
    status, page = _page(client_for(clerk), entry.get_absolute_url())
    assert "第000011份" in page and "第000012份" in page


def test_register_list_filters_and_constant_queries(client_for, clerk, count_queries, township):
    def make(i, year=None):
        received = timezone.now() if year is None else datetime(year, 6, 1, 4, 0, tzinfo=UTC)
        return secret_steps.register(
            by=clerk,
            data={
                "source_org": f"来文单位{i}",
                "doc_number": f"密字{i}号",
                "secrecy": "secret",
                "secrecy_term": "10年",
                "copies": 2,
                "received_at": received,
            },
            copy_numbers=["1", "2"],
        )

    client = client_for(clerk)
    old = make(0, year=2025)
    one = count_queries(client, reverse("documents:secret_list"))
    for i in range(1, 20):
        make(i)
    assert count_queries(client, reverse("documents:secret_list")) == one
    page = client.get(reverse("documents:secret_list"), {"year": 2025}).content.decode()
    assert old.number in page and "来文单位5" not in page
    first = old.copy_set.first()
    secret_steps.clear(first, by=clerk, recipient="县委", at=timezone.now())
    secret_steps.clear(old.copy_set.exclude(pk=first.pk).get(), by=clerk, recipient="县委", at=timezone.now())
    page = client.get(reverse("documents:secret_list"), {"status": "closed"}).content.decode()
    assert old.number in page and "来文单位5" not in page
    response = client.get(reverse("documents:secret_list"), {"year": "abc"})
    assert response.status_code == 400 and "四位年份" in response.content.decode()


def test_printable_register(client_for, entry, clerk, principal):
    import pypdfium2

    from tests import urlwalk

    response = client_for(clerk).get(reverse("documents:secret_print"))
    assert response.status_code == 200 and response["Content-Type"] == "application/pdf"
    text = urlwalk.body_text(response).replace(" ", "").replace("\n", "")
    assert entry.number in text and "县委办〔2026〕密3号" in text and "第1页" in text
    width, height = pypdfium2.PdfDocument(response.content)[0].get_size()
    assert width > height  # A4 landscape
    assert client_for(principal).get(reverse("documents:secret_print")).status_code == 403


def test_navigation_entry(client_for, clerk, entry):
    page = client_for(clerk).get(reverse("township_office:todo")).content.decode()
    assert reverse("documents:secret_list") in page and "登记密件" in page


# --- 收文 / 发文 forms refuse state secrets --------------------------------------------------------------


def test_incoming_form_refuses_state_secret_with_the_reason(client_for, clerk, township):
    client = client_for(clerk)
    page = client.get(reverse("documents:incoming_register")).content.decode()
    assert "秘密、机密、绝密文件不在此录入" in page and reverse("documents:secret_list") in page
    assert 'value="secret"' not in page and 'value="internal"' in page and 'value="work_secret"' in page
    response = client.post(
        reverse("documents:incoming_register"),
        {
            "signed_for_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
            "source_org": "县委办公室",
            "title": SECRET_TITLE,
            "doc_type": "通知",
            "secrecy": "secret",
            "secrecy_term": "10年",
            "urgency": "normal",
            "copies": 1,
            "pages": 1,
            "nature": "for_reading",
        },
    )
    assert response.status_code == 400
    assert "国家秘密（秘密、机密、绝密）文件不得录入本系统" in response.content.decode()
    assert not IncomingDocument.objects.exists()


def test_correction_refuses_state_secret(client_for, clerk, register):
    document = register()
    response = client_for(clerk).post(
        reverse("documents:incoming_step", args=[document.code, "correct"]),
        {
            "correct-source_org": document.source_org,
            "correct-title": document.title,
            "correct-doc_type": "通知",
            "correct-secrecy": "top_secret",
            "correct-secrecy_term": "长期",
            "correct-urgency": "normal",
            "correct-copies": 1,
            "correct-pages": 1,
            "correct-nature": "for_reading",
            "correct-signed_for_at": timezone.localtime(document.signed_for_at).strftime("%Y-%m-%dT%H:%M"),
        },
    )
    assert response.status_code == 400 and "不得录入本系统" in response.content.decode()
    assert IncomingDocument.objects.get(pk=document.pk).secrecy == "none"
    from documents import workflow

    with pytest.raises(Refused):
        workflow.correct(document, by=clerk, changes={"secrecy": "secret"})
    assert IncomingDocument.objects.get(pk=document.pk).secrecy == "none"


def test_outgoing_form_refuses_state_secret(client_for, staff, township):
    from township_office.models import IssuerCode

    client = client_for(staff)
    page = client.get(reverse("documents:outgoing_create")).content.decode()
    assert "秘密、机密、绝密" in page and "不得在本系统拟制" in page
    response = client.post(
        reverse("documents:outgoing_create"),
        {
            "issuer_code": IssuerCode.objects.get(code="长政发").pk,
            "title": SECRET_TITLE,
            "doc_type": "通知",
            "importance": "routine",
            "secrecy": "confidential",
            "urgency": "normal",
            "main_recipients": "各村",
            "action": "draft",
        },
    )
    assert response.status_code == 400 and "不得录入本系统" in response.content.decode()
    assert not OutgoingDocument.objects.exists()


# --- Reminders of copies not returned on time ---------------------------------------------------------------

MORNING = datetime(2026, 11, 25, 23, 30, tzinfo=UTC)  # 2026-11-26 07:30 in Beijing


def test_reminder_job_at_0730_local(entry, clerk, office_director, principal, mayor):
    first, second = _copies(entry)
    secret_steps.hand_over(first, by=clerk, to=principal)
    secret_steps.confirm(first, by=principal)
    with time_machine.travel(MORNING, tick=False):
        assert timezone.localdate().isoformat() == "2026-11-26"
        SecretEntry.objects.filter(pk=entry.pk).update(return_by=timezone.localdate())
        assert chase_secret_returns() == 0  # due today in Beijing (still the 25th in UTC): not late yet
        SecretEntry.objects.filter(pk=entry.pk).update(return_by=timezone.localdate() - timedelta(days=1))
        from django.core.management import call_command

        call_command("run_job", "documents-chase-secret-returns")
        assert chase_secret_returns() == 2  # a second run tells nobody twice
    notes = Notification.objects.filter(title__startswith="密件逾期未退还")
    assert set(notes.filter(url=first.get_absolute_url()).values_list("recipient", flat=True)) == {
        clerk.pk,
        office_director.pk,
        principal.pk,
    }
    assert set(notes.filter(url=second.get_absolute_url()).values_list("recipient", flat=True)) == {
        clerk.pk,
        office_director.pk,
    }
    assert not notes.filter(recipient=mayor).exists()
    assert all(SECRET_TITLE not in n.title and "密件" in n.title for n in notes)
    assert notes.count() == 5
    # cleared copies are no longer chased
    secret_steps.give_back(first, by=principal)
    secret_steps.confirm_return(first, by=clerk)
    secret_steps.clear(first, by=clerk, recipient="县委办公室", at=timezone.now())
    with time_machine.travel(MORNING + timedelta(days=1), tick=False):
        assert chase_secret_returns() == 1


def test_withdrawn_handover_takes_back_the_receivers_notifications(
    client_for, entry, clerk, deputy, office_director, django_capture_on_commit_callbacks
):
    """Issue 22 §9: after 撤回移交 the former receiver kept 「确认接收密件：密〔…〕 密件（第000011份）」 in 通知."""
    first, second = _copies(entry)
    with django_capture_on_commit_callbacks(execute=True):
        secret_steps.hand_over(first, by=clerk, to=deputy)
        secret_steps.hand_over(second, by=clerk, to=office_director)  # someone who still sees the register
    told = Notification.objects.filter(recipient=deputy)
    assert told.filter(title__contains=entry.number).exists()
    with django_capture_on_commit_callbacks(execute=True):
        secret_steps.withdraw_handover(first, by=clerk)
    assert not Notification.objects.filter(recipient=deputy).exists()
    page = client_for(deputy).get(reverse("township_office:notifications")).content.decode()
    assert entry.number not in page
    with django_capture_on_commit_callbacks(execute=True):  # the office director keeps the register, and his notice
        secret_steps.withdraw_handover(SecretCopy.objects.get(pk=second.pk), by=clerk)
    assert Notification.objects.filter(recipient=office_director, title__contains=entry.number).exists()


def test_a_receiver_who_held_another_copy_keeps_the_notifications_of_that_copy(
    entry, clerk, deputy, django_capture_on_commit_callbacks
):
    first, second = _copies(entry)
    with django_capture_on_commit_callbacks(execute=True):
        secret_steps.hand_over(second, by=clerk, to=deputy)
        secret_steps.confirm(SecretCopy.objects.get(pk=second.pk), by=deputy)  # holds the second copy now
        secret_steps.hand_over(SecretCopy.objects.get(pk=first.pk), by=clerk, to=deputy)
        secret_steps.withdraw_handover(SecretCopy.objects.get(pk=first.pk), by=clerk)
    kept = Notification.objects.filter(recipient=deputy).values_list("url", flat=True)
    assert first.get_absolute_url() not in kept
    assert second.get_absolute_url() in kept
