"""The steps of a 督办事项: who may take each, what it changes, and that every refusal changes nothing."""

from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from sequences import get_last_value

from supervision import workflow
from supervision.models import Extension, Light, SupervisionItem
from tests.unchanged import assert_unchanged, database_state
from township_office import permissions, worklist
from township_office.steps import Refused

from .conftest import TODAY

S = SupervisionItem.Status
pytestmark = pytest.mark.django_db


def open_labels(item):
    return sorted(worklist.open_items(item).values_list("label", flat=True))


def feed(item, by, n=0, text="已完成"):
    milestone = list(item.milestones.filter(fed_at__isnull=True))[n]
    workflow.feedback(item, by=by, milestone=milestone, text=text)
    item.refresh_from_db()
    return milestone


def test_numbers_are_gapless_per_year(make_item, clock):
    first, second = make_item(), make_item()
    assert (first.number, second.number) == ("督〔2026〕1号", "督〔2026〕2号")
    clock.to_day(TODAY.replace(year=2027, month=1, day=1))
    assert make_item(deadline=TODAY.replace(year=2027, month=1, day=20), milestones=[]).number == "督〔2027〕1号"


def test_a_refused_opening_takes_no_number(make_item, staff):
    before = database_state()
    with pytest.raises(Refused):
        make_item(by=staff)
    with pytest.raises(Refused):
        make_item(source_note="  ")  # 手工录入 needs a 来源说明
    assert_unchanged(before)
    assert get_last_value("supervision.item.2026") is None


def test_opening_gives_the_unit_one_item_per_milestone_and_the_leader_the_record(
    make_item, staff, deputy, village_staff
):
    item = make_item()
    assert open_labels(item) == ["待反馈督办：完成招标", "待反馈督办：完成选址"]
    assert "handle" in permissions.held(staff, item)
    assert "view" in permissions.held(deputy, item)
    assert not permissions.held(village_staff, item)
    assert item.light == Light.GREEN


def test_feedback_one_per_milestone_then_request_done_then_sign_off(make_item, staff, deputy, clock):
    item = make_item()
    feed(item, staff, text="选址已确定")
    assert open_labels(item) == ["待反馈督办：完成招标"]
    feed(item, staff, text="招标完成")
    assert open_labels(item) == ["待申请办结"]
    workflow.request_done(item, by=staff, result="全部完工")
    item.refresh_from_db()
    assert item.status == S.REVIEW and item.applied_on == TODAY
    assert open_labels(item) == ["待销号"]
    assert "handle" not in permissions.held(staff, item)
    workflow.sign_off(item, by=deputy)
    item.refresh_from_db()
    assert item.status == S.DONE and item.closed_at is not None
    assert open_labels(item) == []
    done = worklist.WorkItem.objects.filter(matter=worklist.matter_of(item), done_by__isnull=False)
    assert sorted(done.values_list("decision", flat=True)).count("已反馈") == 2


def test_feedback_takes_an_attachment_checked_by_content(make_item, staff):
    from supervision.forms import FeedbackForm

    item = make_item()
    milestone = item.milestones.first()
    fake = SimpleUploadedFile("照片.jpg", b"<html>not a photo</html>")
    form = FeedbackForm(
        {"feedback-milestone": milestone.pk, "feedback-text": "完成"},
        {"feedback-attachment": fake},
        obj=item,
        user=staff,
        prefix="feedback",
    )
    assert not form.is_valid() and "不是可接受的格式" in form.errors["attachment"][0]
    form = FeedbackForm(
        {"feedback-milestone": milestone.pk, "feedback-text": "完成"}, obj=item, user=staff, prefix="feedback"
    )
    assert form.is_valid(), form.errors  # no attachment is needed


@pytest.mark.parametrize("who", ["resources_staff", "deputy_leader", "office_director", "stranger"])
def test_only_the_lead_unit_feeds_back(make_item, people, stranger, who):
    item = make_item()
    person = stranger if who == "stranger" else people[who]
    milestone = item.milestones.first()
    before = database_state()
    with pytest.raises(Refused) as refused:
        workflow.feedback(item, by=person, milestone=milestone, text="x")
    assert refused.value.forbidden
    assert_unchanged(before)


def test_a_milestone_is_fed_back_once(make_item, staff):
    item = make_item(milestones=[("完成选址", TODAY + timedelta(days=3))])
    milestone = feed(item, staff)
    before = database_state()
    with pytest.raises(Refused, match="各节点均已反馈"):
        workflow.feedback(item, by=staff, milestone=milestone, text="again")
    assert_unchanged(before)


def test_sign_off_and_send_back_are_the_leaders(make_item, staff, deputy, office_director, principal):
    item = make_item(milestones=[])
    workflow.request_done(item, by=staff, result="完成")
    item.refresh_from_db()
    for person in (staff, office_director, principal):
        before = database_state()
        with pytest.raises(Refused) as refused:
            workflow.sign_off(item, by=person)
        assert refused.value.forbidden
        with pytest.raises(Refused):
            workflow.send_back(item, by=person, reason="不行")
        assert_unchanged(before)
    workflow.send_back(item, by=deputy, reason="请补充验收材料")
    item.refresh_from_db()
    assert item.status == S.OPEN and item.applied_on is None
    assert open_labels(item) == ["待申请办结"]


def test_a_delegated_item_is_signed_off_by_the_office_director(make_item, staff, office_director):
    item = make_item(milestones=[], delegated=True)
    workflow.request_done(item, by=staff, result="完成")
    item.refresh_from_db()
    workflow.sign_off(item, by=office_director)
    item.refresh_from_db()
    assert item.status == S.DONE


def test_send_back_needs_a_reason():
    from supervision.forms import ReasonForm

    form = ReasonForm({"reason": "   "})
    assert not form.is_valid() and "reason" in form.errors


def test_extension_before_the_deadline_decided_by_the_leader(make_item, staff, deputy, clock):
    item = make_item(milestones=[])
    new = item.deadline + timedelta(days=15)
    workflow.request_extension(item, by=staff, reason="雨季无法施工", new_date=new)
    assert open_labels(item) == ["待审批延期", "待申请办结"]
    before = database_state()
    with pytest.raises(Refused, match="已有延期申请"):
        workflow.request_extension(item, by=staff, reason="再申请", new_date=new)
    with pytest.raises(Refused) as refused:
        workflow.decide_extension(item, by=staff, agree=True)
    assert refused.value.forbidden
    assert_unchanged(before)
    workflow.decide_extension(item, by=deputy, agree=True)
    item.refresh_from_db()
    assert item.extended_deadline == new and item.due == new
    assert open_labels(item) == ["待申请办结"]
    assert worklist.open_items(item, "request_done").get().due == new
    assert "extend" not in permissions.held(deputy, item)


def test_a_refused_extension_keeps_the_original_deadline(make_item, staff, deputy, clock):
    item = make_item(milestones=[])
    workflow.request_extension(item, by=staff, reason="人手不足", new_date=item.deadline + timedelta(days=5))
    workflow.decide_extension(item, by=deputy, agree=False, comment="按期完成")
    item.refresh_from_db()
    assert item.extended_deadline is None
    assert item.extensions.get().status == Extension.Status.REFUSED
    clock.to_day(item.deadline + timedelta(days=1))
    from supervision import services

    services.refresh_lights()
    item.refresh_from_db()
    assert item.light == Light.RED


def test_extension_after_the_deadline_is_refused_and_changes_nothing(make_item, staff, clock):
    item = make_item(milestones=[])
    clock.to_day(item.deadline)  # on the day itself it may still be asked
    workflow.request_extension(item, by=staff, reason="天气", new_date=item.deadline + timedelta(days=3))
    item = make_item(milestones=[])
    clock.to_day(item.deadline + timedelta(days=1))
    before = database_state()
    with pytest.raises(Refused, match="已超过办结时限") as refused:
        workflow.request_extension(item, by=staff, reason="来不及", new_date=item.deadline + timedelta(days=9))
    assert not refused.value.forbidden
    assert_unchanged(before)


def test_extension_must_be_later_than_the_deadline(make_item, staff):
    item = make_item(milestones=[])
    before = database_state()
    with pytest.raises(Refused, match="须晚于现时限"):
        workflow.request_extension(item, by=staff, reason="x", new_date=item.deadline)
    assert_unchanged(before)


def test_request_done_voids_a_waiting_extension(make_item, staff, deputy):
    item = make_item(milestones=[])
    workflow.request_extension(item, by=staff, reason="x", new_date=item.deadline + timedelta(days=3))
    workflow.request_done(item, by=staff, result="提前完成")
    assert item.extensions.get().status == Extension.Status.VOID
    assert open_labels(item) == ["待销号"]
    assert "extend" not in permissions.held(deputy, item)


def test_request_done_is_the_lead_units(make_item, resources_staff, deputy):
    item = make_item(milestones=[])
    before = database_state()
    for person in (resources_staff, deputy):
        with pytest.raises(Refused):
            workflow.request_done(item, by=person, result="完成")
    assert_unchanged(before)
