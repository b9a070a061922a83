"""What happens on paper is recorded by the office: the 纸质会签 of a department without an account (it counts as that
department's 会签) and the 纸质送达 of a 发文 to a unit without an account (it closes that unit's line).

The clock is frozen at 07:30 in Beijing, when UTC is still the day before."""

from datetime import UTC, datetime

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import timezone

from documents import official, services, workflow
from documents.models import Delivery, Opinion, OutgoingDocument
from documents.pdf import draft_sheet
from tests.unchanged import assert_unchanged, database_state
from township_office import worklist
from township_office.models import AuditEvent, IssuerCode, User, WorkItem
from township_office.steps import Refused
from township_office.tests.pdf_geometry import find_all, open_pdf

S = OutgoingDocument.Status
NOW = datetime(2026, 12, 7, 23, 30, tzinfo=UTC)  # 2026-12-08 07:30 in Beijing
PDF = b"%PDF-1.4\n%%EOF\n"
PAPER_VILLAGES = ["柳林村村民委员会", "石桥村村民委员会"]  # no account in the demo township


def local(*args):
    return timezone.make_aware(datetime(*args))


@pytest.fixture(autouse=True)
def frozen(request):
    if request.node.get_closest_marker("browser"):  # a live server and a browser keep the real clock
        yield
        return
    with time_machine.travel(NOW, tick=False):
        yield


@pytest.fixture
def stamped(monkeypatch):
    class Stamped:
        number, status, status_label, url, fully_stamped = "用印〔2026〕1号", "stamped", "已用印", "/seals/x/", True

    class Api:  # the seals app's narrow interface, with one fully stamped request
        requests_for = staticmethod(lambda object_type, code: [Stamped()])
        new_request_url = staticmethod(lambda object_type, code, title: "")

    monkeypatch.setattr(workflow.outgoing_steps, "_seals_api", lambda: Api)


def scan(name="回执.pdf", content=PDF):
    return SimpleUploadedFile(name, content, content_type="application/pdf")


@pytest.fixture
def draft(staff, pdf_upload, departments):
    def make(countersign=(), recipients=()):
        return services.draft_outgoing(
            by=staff,
            data={
                "issuer_code": IssuerCode.objects.get(code="长政发"),
                "title": "关于做好冬季森林防火工作的通知",
                "main_recipients": "各村（社区）",
                "text": "为做好冬季森林防火工作，现通知如下。\n一、压实责任\n各村要层层落实责任。",
            },
            countersign_departments=[departments[n] for n in countersign],
            recipient_departments=[departments[n] for n in recipients],
        )

    return make


@pytest.fixture
def at_countersign(draft, deputy, office_director):
    """At 会签 by 财政所 (no account: on paper) and 自然资源所 (马涛)."""
    document = draft(countersign=["财政所", "自然资源所"])
    workflow.review(document, by=deputy, text="同意")
    workflow.check(document, by=office_director, text="核稿无误")
    return OutgoingDocument.objects.get(pk=document.pk)


@pytest.fixture
def issued(draft, deputy, office_director, clerk, stamped):
    """Issued to 长官村 (an account) and two villages without one."""
    document = draft(recipients=["长官村村民委员会", *PAPER_VILLAGES])
    workflow.review(document, by=deputy, text="同意")
    workflow.check(document, by=office_director, text="核稿无误")
    workflow.sign_off(document, by=deputy, text="同意印发")
    workflow.recheck(document, by=clerk)
    workflow.number(document, by=clerk)
    workflow.seal(document, by=clerk)
    workflow.issue(document, by=clerk, copies=20, issued_on=timezone.localdate(), proofreader="孙悦")
    return OutgoingDocument.objects.get(pk=document.pk)


def open_items(document, step):
    return worklist.open_items(document, step)


def delivery(document, name):
    return Delivery.objects.get(outgoing=document, department__name=name)


def step_url(document, name):
    return reverse("documents:outgoing_step", args=[document.code, name])


# --- 纸质会签 ----------------------------------------------------------------------------------------------------


def test_department_without_account_may_be_chosen_for_countersign(client_for, staff, departments):
    page = client_for(staff).get(reverse("documents:outgoing_create")).content.decode()
    assert "财政所（无账号）" in page
    assert "办公室登记其会签意见" in page


def test_paper_countersign_counts_as_that_departments_countersign(
    at_countersign, clerk, resources_staff, departments, deputy
):
    document = at_countersign
    assert document.status == S.COUNTERSIGN
    # the online department gets its 会签 item; the office gets the paper one
    assert {i.department.name for i in open_items(document, "countersign")} == {"自然资源所"}
    office = open_items(document, "countersign_on_paper")
    assert [(i.assignee, i.label) for i in office] == [(clerk, "待登记纸质会签")]

    workflow.countersign(document, by=resources_staff, text="同意")
    document.refresh_from_db()
    assert document.status == S.COUNTERSIGN  # 财政所 has not signed yet
    assert open_items(document, "countersign_on_paper").exists()

    workflow.countersign_on_paper(
        document,
        by=clerk,
        department=departments["财政所"],
        signer="周平",
        signed_on=local(2026, 12, 7).date(),
        text="同意，资金按预算执行",
        scan=scan("会签.pdf"),
    )
    document.refresh_from_db()
    assert document.status == S.SIGN_OFF  # every 会签 is in
    opinion = Opinion.objects.get(document=document, department=departments["财政所"])
    assert opinion.on_paper and opinion.author == clerk and opinion.paper_signer == "周平"
    assert opinion.paper_signed_on.isoformat() == "2026-12-07" and opinion.paper_scan
    assert not open_items(document, "countersign_on_paper").exists()
    assert open_items(document, "sign_off").filter(assignee=deputy).exists()
    event = AuditEvent.objects.filter(object_code=str(document.code), action="登记纸质会签").get()
    assert event.actor == clerk
    assert event.comment == "财政所（纸质，周平 2026-12-07，附扫描件）：同意，资金按预算执行（会签完毕）"
    assert WorkItem.objects.filter(step="countersign_on_paper", done_by=clerk).exists()  # in the clerk's 已办


def test_paper_countersign_first_leaves_the_online_one_waiting(at_countersign, clerk, departments):
    document = at_countersign
    workflow.countersign_on_paper(
        document,
        by=clerk,
        department=departments["财政所"],
        signer="周平",
        signed_on=local(2026, 12, 8).date(),
        text="同意",
    )
    document.refresh_from_db()
    assert document.status == S.COUNTERSIGN
    assert not open_items(document, "countersign_on_paper").exists()  # no paper one is left
    assert open_items(document, "countersign").filter(department__name="自然资源所").exists()
    assert "countersign_on_paper" not in [s.name for s in workflow.outgoing.available(document, clerk)]


def test_two_paper_departments_keep_the_office_item_until_both_are_recorded(
    draft, deputy, office_director, clerk, departments
):
    document = draft(countersign=["财政所", "司法所"])
    workflow.review(document, by=deputy, text="同意")
    workflow.check(document, by=office_director, text="同意")
    assert {i.department.name for i in open_items(document, "countersign")} == set()
    workflow.countersign_on_paper(
        document,
        by=clerk,
        department=departments["司法所"],
        signer="李明",
        signed_on=local(2026, 12, 8).date(),
        text="无意见",
    )
    document.refresh_from_db()
    assert document.status == S.COUNTERSIGN
    assert open_items(document, "countersign_on_paper").filter(assignee=clerk).exists()
    workflow.countersign_on_paper(
        document,
        by=clerk,
        department=departments["财政所"],
        signer="周平",
        signed_on=local(2026, 12, 8).date(),
        text="同意",
    )
    document.refresh_from_db()
    assert document.status == S.SIGN_OFF
    assert not open_items(document, "countersign_on_paper").exists()


def test_skipping_the_last_paper_department_closes_the_office_item(at_countersign, office_director, departments):
    document = at_countersign
    workflow.skip_countersign(document, by=office_director, department=departments["财政所"], reason="所长外出学习")
    assert not open_items(document, "countersign_on_paper").exists()
    assert OutgoingDocument.objects.get(pk=document.pk).status == S.COUNTERSIGN  # 自然资源所 still to sign


@pytest.mark.parametrize(
    "case, reason",
    [
        ("online", "自然资源所 有可用账号，应由该部门在线会签"),
        ("twice", "没有待登记纸质会签的部门"),
        ("not_countersign", "司法所 不是该文的会签部门"),
        ("future", "会签日期不能晚于今天"),
        ("no_signer", "请填写会签人姓名"),
        ("no_text", "请填写意见"),
    ],
)
def test_paper_countersign_refusals_change_nothing(at_countersign, clerk, departments, case, reason):
    document = at_countersign
    arguments = dict(department=departments["财政所"], signer="周平", signed_on=local(2026, 12, 8).date(), text="同意")
    if case == "twice":
        workflow.countersign_on_paper(document, by=clerk, **arguments)  # no paper department is left
    changes = {
        "online": {"department": departments["自然资源所"]},
        "twice": {},
        "not_countersign": {"department": departments["司法所"]},
        "future": {"signed_on": local(2026, 12, 9).date()},  # tomorrow in Beijing (still today in UTC at 23:30)
        "no_signer": {"signer": "  "},
        "no_text": {"text": " "},
    }[case]
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.countersign_on_paper(document, by=clerk, **{**arguments, **changes})
    assert reason in refused.value.message
    assert_unchanged(before)


def test_paper_countersign_refused_to_others_and_out_of_countersign(
    at_countersign, staff, resources_staff, deputy, clerk, departments, draft
):
    arguments = dict(department=departments["财政所"], signer="周平", signed_on=local(2026, 12, 8).date(), text="同意")
    for user in (staff, resources_staff, deputy):
        before = database_state(audit=True)
        with pytest.raises(Refused) as refused:
            workflow.countersign_on_paper(at_countersign, by=user, **arguments)
        assert refused.value.forbidden and "只有办公室文书或办公室主任可以登记纸质会签" in refused.value.message
        assert_unchanged(before)
    in_review = draft(countersign=["财政所"])
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.countersign_on_paper(in_review, by=clerk, **arguments)
    assert "不能登记纸质会签" in refused.value.message
    assert_unchanged(before)


def test_paper_countersign_form_checks_the_scan_and_keeps_the_input(at_countersign, client_for, clerk, departments):
    client = client_for(clerk)
    response = client.post(
        step_url(at_countersign, "countersign_on_paper"),
        {
            "countersign_on_paper-department": departments["财政所"].pk,
            "countersign_on_paper-signer": "周平",
            "countersign_on_paper-signed_on": "2026-12-08",
            "countersign_on_paper-text": "同意，资金按预算执行",
            "countersign_on_paper-scan": SimpleUploadedFile("会签.pdf", b"<html>not a pdf</html>"),
        },
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "不是可接受的格式（仅限 PDF、图片）" in page
    assert "同意，资金按预算执行" in page and 'value="周平"' in page
    assert not Opinion.objects.filter(document=at_countersign, on_paper=True).exists()
    response = client.post(
        step_url(at_countersign, "countersign_on_paper"),
        {
            "countersign_on_paper-department": departments["财政所"].pk,
            "countersign_on_paper-signer": "周平",
            "countersign_on_paper-signed_on": "2026-12-09",
            "countersign_on_paper-text": "同意",
        },
    )
    assert response.status_code == 400 and "会签日期不能晚于今天" in response.content.decode()


def test_paper_countersign_shown_on_the_page_and_the_draft_sheet(
    at_countersign, client_for, clerk, office_director, resources_staff, departments
):
    workflow.countersign_on_paper(
        at_countersign,
        by=clerk,
        department=departments["财政所"],
        signer="周平",
        signed_on=local(2026, 12, 7).date(),
        text="同意，资金按预算执行",
        scan=scan("会签.pdf"),
    )
    opinion = Opinion.objects.get(document=at_countersign, on_paper=True)
    page = client_for(office_director).get(at_countersign.get_absolute_url()).content.decode()
    assert "会签（财政所）（纸质）" in page
    assert "周平 2026年12月7日" in page  # the signer and the date on paper, not the clerk and the day recorded
    assert "已纸质会签" in page and "孙悦 登记" in page
    scan_url = reverse("documents:outgoing_countersign_scan", args=[at_countersign.code, opinion.pk])
    assert scan_url in page
    response = client_for(office_director).get(scan_url)
    assert response.status_code == 200 and b"".join(response.streaming_content) == PDF
    assert AuditEvent.objects.filter(action="查看会签扫描件", actor=office_director).exists()
    assert client_for(resources_staff).get(scan_url).status_code == 404  # may read the 发文, not the office's scan
    other = reverse("documents:outgoing_countersign_scan", args=[at_countersign.code, 10**30])
    assert client_for(office_director).get(other).status_code == 404
    sheet = open_pdf(draft_sheet(at_countersign))[0]
    assert find_all(sheet, "财政所（纸质）：同意，资金按预算执行")
    assert find_all(sheet, "周平　2026年12月7日")


# --- 纸质送达 ----------------------------------------------------------------------------------------------------


def test_issue_gives_the_office_the_paper_delivery_item(issued, clerk):
    items = open_items(issued, "record_paper_delivery")
    assert [(i.assignee, i.label) for i in items] == [(clerk, "待登记纸质送达")]
    assert {d.department.name for d in issued.deliveries.filter(on_paper=True)} == set(PAPER_VILLAGES)


def test_recording_paper_delivery_closes_the_line(issued, clerk, client_for):
    document = issued
    line = delivery(document, "柳林村村民委员会")
    workflow.record_paper_delivery(
        document, by=clerk, delivery=line, delivered_at=local(2026, 12, 8, 7, 5), receiver="王秀兰", receipt=scan()
    )
    line.refresh_from_db()
    assert line.signed_at == local(2026, 12, 8, 7, 5) and line.paper_receiver == "王秀兰"
    assert line.paper_recorded_by == clerk and line.paper_receipt
    assert line.signed_by is None  # nobody of that unit has an account
    event = AuditEvent.objects.filter(object_code=str(document.code), action="登记纸质送达").get()
    assert event.actor == clerk
    assert event.comment == "柳林村村民委员会：2026-12-08 07:05 纸质送达，签收人 王秀兰，附回执扫描件"
    assert open_items(document, "record_paper_delivery").exists()  # 石桥村 is left
    page = client_for(clerk).get(document.get_absolute_url()).content.decode()
    assert "已纸质送达</span> 12月8日 07:05，签收人 王秀兰" in page  # the delivery table, in Beijing time
    assert "已纸质送达</span>（2026年12月8日 07:05，签收人 王秀兰）；孙悦 登记" in page
    assert "已签收 1 / 共 3 个单位" in page
    receipt_url = reverse("documents:outgoing_receipt_scan", args=[document.code, line.pk])
    assert receipt_url in page
    assert client_for(clerk).get(receipt_url).status_code == 200

    workflow.record_paper_delivery(
        document,
        by=clerk,
        delivery=delivery(document, "石桥村村民委员会"),
        delivered_at=local(2026, 12, 8, 7, 20),
        receiver="张强",
    )
    assert not open_items(document, "record_paper_delivery").exists()
    assert "record_paper_delivery" not in [s.name for s in workflow.outgoing.available(document, clerk)]


def test_recorded_lines_count_as_signed(issued, clerk, client_for):
    for name in PAPER_VILLAGES:
        workflow.record_paper_delivery(
            issued, by=clerk, delivery=delivery(issued, name), delivered_at=local(2026, 12, 8, 7, 0), receiver="王秀兰"
        )
    page = client_for(clerk).get(issued.get_absolute_url()).content.decode()
    assert "已签收 2 / 共 3 个单位" in page
    assert "无账号，需纸质送达" not in page


def test_paper_delivery_may_be_recorded_after_archiving(issued, clerk):
    workflow.archive_outgoing(issued, by=clerk, retention="30y")
    issued.refresh_from_db()
    assert issued.status == S.ARCHIVED
    assert open_items(issued, "record_paper_delivery").exists()
    workflow.record_paper_delivery(
        issued,
        by=clerk,
        delivery=delivery(issued, "柳林村村民委员会"),
        delivered_at=local(2026, 12, 8, 7, 0),
        receiver="王秀兰",
    )
    assert delivery(issued, "柳林村村民委员会").paper_receiver == "王秀兰"


@pytest.mark.parametrize(
    "case, reason",
    [
        ("online", "长官村村民委员会 有账号，由该单位在线签收"),
        ("twice", "柳林村村民委员会 已签收或已登记纸质送达，不能重复登记"),
        ("future", "送达时间不能晚于现在"),
        ("before_issue", "送达时间不能早于印发日期（2026-12-08）"),
        ("no_receiver", "请填写回执上的签收人姓名"),
    ],
)
def test_paper_delivery_refusals_change_nothing(issued, clerk, case, reason):
    arguments = dict(
        delivery=delivery(issued, "柳林村村民委员会"), delivered_at=local(2026, 12, 8, 7, 0), receiver="王秀兰"
    )
    if case == "twice":
        workflow.record_paper_delivery(issued, by=clerk, **arguments)
    changes = {
        "online": {"delivery": delivery(issued, "长官村村民委员会")},
        "twice": {},
        "future": {"delivered_at": local(2026, 12, 8, 8, 0)},  # half an hour from now
        "before_issue": {"delivered_at": local(2026, 12, 7, 20, 0)},
        "no_receiver": {"receiver": " "},
    }[case]
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.record_paper_delivery(issued, by=clerk, **{**arguments, **changes})
    assert reason in refused.value.message
    assert_unchanged(before)


def test_paper_delivery_refused_to_others_and_before_issue(issued, village_staff, staff, deputy, draft, clerk):
    arguments = dict(
        delivery=delivery(issued, "柳林村村民委员会"), delivered_at=local(2026, 12, 8, 7, 0), receiver="王秀兰"
    )
    for user in (village_staff, staff, deputy):
        before = database_state(audit=True)
        with pytest.raises(Refused) as refused:
            workflow.record_paper_delivery(issued, by=user, **arguments)
        assert refused.value.forbidden
        assert_unchanged(before)
    not_issued = draft(recipients=PAPER_VILLAGES)
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.record_paper_delivery(not_issued, by=clerk, **arguments)
    assert "不能登记纸质送达" in refused.value.message
    assert_unchanged(before)


def test_another_documents_delivery_is_refused(issued, draft, deputy, office_director, clerk, stamped):
    other = draft(recipients=PAPER_VILLAGES)
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.record_paper_delivery(
            issued,
            by=clerk,
            delivery=Delivery(pk=10**6, outgoing=other),
            delivered_at=local(2026, 12, 8, 7, 0),
            receiver="王秀兰",
        )
    assert "该单位不是本文的收文单位" in refused.value.message
    assert_unchanged(before)


def test_paper_delivery_form_refuses_beside_the_field_and_keeps_the_input(issued, client_for, clerk):
    line = delivery(issued, "柳林村村民委员会")
    client = client_for(clerk)
    data = {
        "record_paper_delivery-delivery": line.pk,
        "record_paper_delivery-delivered_at": "2026-12-08T08:10",
        "record_paper_delivery-receiver": "王秀兰",
    }
    response = client.post(step_url(issued, "record_paper_delivery"), data)
    assert response.status_code == 400
    page = response.content.decode()
    assert "送达时间不能晚于现在" in page and 'value="王秀兰"' in page
    response = client.post(
        step_url(issued, "record_paper_delivery"),
        {
            **data,
            "record_paper_delivery-delivered_at": "2026-12-08T07:10",
            "record_paper_delivery-receipt": SimpleUploadedFile("回执.html", PDF),
        },
    )
    assert response.status_code == 400 and "扩展名与内容不符" in response.content.decode()
    assert not delivery(issued, "柳林村村民委员会").signed_at
    response = client.post(
        step_url(issued, "record_paper_delivery"),
        {**data, "record_paper_delivery-delivered_at": "2026-12-08T07:10"},
        follow=True,
    )
    assert "纸质送达已登记。" in response.content.decode()
    assert delivery(issued, "柳林村村民委员会").signed_at == local(2026, 12, 8, 7, 10)


def test_receipt_scan_is_the_offices(issued, clerk, village_staff, client_for):
    line = delivery(issued, "柳林村村民委员会")
    workflow.record_paper_delivery(
        issued, by=clerk, delivery=line, delivered_at=local(2026, 12, 8, 7, 0), receiver="王秀兰", receipt=scan()
    )
    url = reverse("documents:outgoing_receipt_scan", args=[issued.code, line.pk])
    assert client_for(village_staff).get(url).status_code == 404  # 长官村 reads the 发文, not the office's 回执
    online = delivery(issued, "长官村村民委员会")
    assert (
        client_for(clerk).get(reverse("documents:outgoing_receipt_scan", args=[issued.code, online.pk])).status_code
        == 404
    )
    assert AuditEvent.objects.filter(action="查看回执扫描件").count() == 0
    assert client_for(clerk).get(url).status_code == 200
    assert AuditEvent.objects.filter(action="查看回执扫描件", actor=clerk).count() == 1


# --- 用印 of the issued document ------------------------------------------------------------------------------


@pytest.fixture
def seals(township, seal_keeper):
    from seals.demo import SEALS
    from seals.models import Seal

    made = {}
    for name, kind, tier, _ in SEALS:
        made[name] = Seal.objects.create(name=name, kind=kind, tier=tier)
        made[name].custodians.add(seal_keeper)
    return made


@pytest.fixture
def at_sealing(draft, deputy, principal, office_director, clerk, seals):
    """at_sealing(importance) → a numbered 发文 waiting for 用印 (the real seals app), signed by 陈刚 (routine) or
    王建国 (important) at 07:30 Beijing time; its PDF is the one 编号 typeset."""

    def make(importance=OutgoingDocument.Importance.ROUTINE):
        document = draft()
        OutgoingDocument.objects.filter(pk=document.pk).update(importance=importance)
        document.refresh_from_db()
        workflow.review(document, by=deputy, text="同意")
        workflow.check(document, by=office_director, text="核稿无误")
        signer = deputy if importance == OutgoingDocument.Importance.ROUTINE else principal
        workflow.sign_off(document, by=signer, text="同意印发")
        workflow.recheck(document, by=clerk)
        workflow.number(document, by=clerk)
        return OutgoingDocument.objects.get(pk=document.pk)

    return make


def seal_request_of(document):
    from seals.models import SealRequest

    return SealRequest.objects.get(linked_object_code=str(document.code))


def test_request_seal_uses_the_issued_document_and_the_sign_off(
    at_sealing, clerk, deputy, principal, seals, client_for
):
    import hashlib

    from seals.models import SealRequest

    document = at_sealing()
    assert document.status == S.SEALING and document.doc_number == "长政发〔2026〕1号"
    page = client_for(clerk).get(document.get_absolute_url()).content.decode()
    assert step_url(document, "request_seal") in page and "seals/new/" not in page  # no upload form any more
    response = client_for(clerk).post(
        step_url(document, "request_seal"),
        {"request_seal-seals": [seals["长官镇人民政府"].pk], "request_seal-copies": 20},
        follow=True,
    )
    assert "用印申请已提交，待用印文件即本文正式文件。" in response.content.decode()
    request = seal_request_of(document)
    assert request.status == SealRequest.Status.PENDING and request.applicant == clerk
    assert request.department == document.drafting_department  # whose document it is: the deputy level is 陈刚
    with request.document.open("rb") as f:
        issued = f.read()
    assert issued == official.document_pdf(document) and b"%PDF" in issued[:8]
    assert request.document_sha256 == hashlib.sha256(issued).hexdigest() == document.typeset_sha256
    assert request.linked_label == "发文 长政发〔2026〕1号" and request.copies == 20
    first, second = request.steps.order_by("order")
    assert (first.level, first.by_sign_off, first.decided_by, first.decision) == ("deputy", True, deputy, "approved")
    assert first.document_sha256 == request.document_sha256
    assert first.comment == "签发即批准：陈刚 2026年12月8日 07:30（发文 长政发〔2026〕1号）"
    assert (second.level, second.by_sign_off, second.decided_by) == ("principal", False, None)
    # only the missing level is asked: the principal leaders, not 陈刚 again
    assert {i.assignee for i in worklist.open_items(request, "approve_principal")} >= {principal}
    assert not worklist.open_items(request, "approve_deputy").exists()
    assert AuditEvent.objects.filter(action="申请用印", object_code=str(document.code), comment=request.number).exists()
    page = client_for(principal).get(request.get_absolute_url()).content.decode()
    assert "签发即批准：陈刚 2026年12月8日 07:30（发文 长政发〔2026〕1号）" in page
    assert "下载待用印文件" in page


def test_the_chain_asks_only_the_levels_still_missing(
    at_sealing, clerk, deputy, principal, seals, seal_keeper, client_for
):
    from seals import workflow as seal_flow
    from seals.models import SealRequest

    document = at_sealing(OutgoingDocument.Importance.IMPORTANT)  # signed off by 王建国
    workflow.request_seal(document, by=clerk, seals=[seals["长官镇人民政府"].pk], copies=2)
    request = seal_request_of(document)
    first, second = request.steps.order_by("order")
    assert (first.level, first.by_sign_off) == ("deputy", False)  # 王建国 is not the deputy in charge
    assert (second.level, second.by_sign_off, second.decided_by) == ("principal", True, principal)
    assert {i.assignee for i in worklist.open_items(request, "approve_deputy")} == {deputy}
    seal_flow.approve_deputy(request, by=deputy, comment="同意")
    request.refresh_from_db()
    assert request.status == SealRequest.Status.APPROVED  # the principal level was the 签发
    assert worklist.open_items(request, "stamp").filter(assignee=seal_keeper).exists()
    seal_flow.stamp(request, by=seal_keeper, seal=seals["长官镇人民政府"], copies=2)
    register = client_for(seal_keeper).get(reverse("seals:register") + "?month=2026-12").content.decode()
    assert "发文 长政发〔2026〕1号" in register
    workflow.seal(document, by=clerk)
    assert OutgoingDocument.objects.get(pk=document.pk).status == S.ISSUING


def test_a_sign_off_covering_every_level_approves_at_once(at_sealing, clerk, deputy, principal, seals, seal_keeper):
    from seals.models import SealRequest

    document = at_sealing(OutgoingDocument.Importance.IMPORTANT)
    deputy.position.in_charge_of.remove(document.drafting_department)  # no deputy: the principal decides alone
    workflow.request_seal(document, by=clerk, seals=[seals["长官镇人民政府"].pk], copies=2)
    request = seal_request_of(document)
    assert request.status == SealRequest.Status.APPROVED
    assert [(s.level, s.by_sign_off) for s in request.steps.all()] == [("principal", True)]
    assert not worklist.open_items(request).filter(step__startswith="approve_").exists()
    assert worklist.open_items(request, "stamp").filter(assignee=seal_keeper).exists()


def test_the_office_seal_is_still_the_office_directors(at_sealing, clerk, office_director, seals):
    document = at_sealing()
    workflow.request_seal(document, by=clerk, seals=[seals["长官镇党政办公室"].pk], copies=2)
    request = seal_request_of(document)
    assert [(s.level, s.by_sign_off) for s in request.steps.all()] == [("office", False)]
    assert {i.assignee for i in worklist.open_items(request, "approve_office")} == {office_director}


def test_request_seal_refusals_change_nothing(at_sealing, clerk, staff, deputy, office_director, seals):
    document = at_sealing()
    arguments = dict(seals=[seals["长官镇人民政府"].pk], copies=2)
    for user in (staff, deputy, office_director):  # 申请用印 of a 发文 is the clerk's
        before = database_state(audit=True)
        with pytest.raises(Refused) as refused:
            workflow.request_seal(document, by=user, **arguments)
        assert refused.value.forbidden and "只有办公室文书可以为发文申请用印" in refused.value.message
        assert_unchanged(before)
    for bad, reason in [
        ({"seals": [seals["长官镇人民政府合同专用章"].pk]}, "请选择发文所用的印章"),
        ({"seals": [10**9]}, "请选择发文所用的印章"),
        ({"copies": 0}, "用印份数至少为 1"),
    ]:
        before = database_state(audit=True)
        with pytest.raises(Refused) as refused:
            workflow.request_seal(document, by=clerk, **{**arguments, **bad})
        assert reason in refused.value.message
        assert_unchanged(before)
    workflow.request_seal(document, by=clerk, **arguments)
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.request_seal(document, by=clerk, **arguments)
    assert "该文已有用印申请 用印〔2026〕1号（审批中），不能重复申请" in refused.value.message
    assert_unchanged(before)


def test_request_seal_refused_before_numbering_and_without_a_number(at_sealing, draft, clerk, seals):
    arguments = dict(seals=[seals["长官镇人民政府"].pk], copies=2)
    in_review = draft()
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.request_seal(in_review, by=clerk, **arguments)
    assert "该发文当前为「待部门审核」，不能申请用印" in refused.value.message
    assert_unchanged(before)
    document = at_sealing()
    OutgoingDocument.objects.filter(pk=document.pk).update(doc_number="")
    document.refresh_from_db()
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.request_seal(document, by=clerk, **arguments)
    assert "该文尚未编号，编号后才能申请用印" in refused.value.message
    assert_unchanged(before)


def test_request_seal_refused_for_an_older_document_with_an_uploaded_body(at_sealing, clerk, seals):
    """A 发文 from before the composed 正文 (its file uploaded, nothing typeset): its seal goes through 印信管理."""
    document = at_sealing()
    OutgoingDocument.objects.filter(pk=document.pk).update(text="")
    document.refresh_from_db()
    assert "request_seal" not in [s.name for s in workflow.outgoing.available(document, clerk)]
    before = database_state(audit=True)
    with pytest.raises(Refused) as refused:
        workflow.request_seal(document, by=clerk, seals=[seals["长官镇人民政府"].pk], copies=2)
    assert "没有系统排版的正式文件" in refused.value.message
    assert_unchanged(before)


def test_a_rejected_request_may_be_made_again(at_sealing, clerk, principal, seals):
    from seals import workflow as seal_flow

    document = at_sealing()
    workflow.request_seal(document, by=clerk, seals=[seals["长官镇人民政府"].pk], copies=2)
    seal_flow.reject(seal_request_of(document), by=principal, reason="份数有误")
    assert "request_seal" in [s.name for s in workflow.outgoing.available(document, clerk)]


def test_a_file_replaced_after_sign_off_is_asked_in_full(at_sealing, clerk, deputy, seals):
    from seals import workflow as seal_flow

    document = at_sealing()
    workflow.request_seal(document, by=clerk, seals=[seals["长官镇人民政府"].pk], copies=2)
    request = seal_request_of(document)
    seal_flow.withdraw(request, by=clerk)  # the 签发 is not an approver's decision: the clerk may withdraw
    request.refresh_from_db()
    seal_flow.edit(
        request,
        by=clerk,
        data={"title": request.title},
        seals=[seals["长官镇人民政府"]],
        document=SimpleUploadedFile("另一份.pdf", b"%PDF-1.4\n% another file\n%%EOF\n"),
    )
    seal_flow.submit(request, by=clerk)
    assert [(s.level, s.by_sign_off) for s in request.steps.order_by("order")] == [
        ("deputy", False),
        ("principal", False),
    ]
    assert {i.assignee for i in worklist.open_items(request, "approve_deputy")} == {deputy}


# --- On a phone (390×844) -------------------------------------------------------------------------------------


def _open(page, name):
    step = page.locator(f"#step-{name}")
    if step.get_attribute("open") is None:
        step.locator("summary").click()


@pytest.mark.browser
def test_the_office_records_paper_on_a_phone(browser_login, at_countersign, departments, draft, stamped):
    from conftest import screenshot

    clerk = browser_login("clerk", phone=True)
    # 纸质会签 of 财政所
    clerk.goto(clerk.base_url + at_countersign.get_absolute_url())
    _open(clerk, "countersign_on_paper")
    clerk.select_option("#id_countersign_on_paper-department", label="财政所")
    clerk.fill("#id_countersign_on_paper-signer", "周平")
    clerk.fill("#id_countersign_on_paper-signed_on", timezone.localdate().isoformat())
    clerk.fill("#id_countersign_on_paper-text", "同意，资金按预算执行")
    clerk.set_input_files(
        "#id_countersign_on_paper-scan", files=[{"name": "会签.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    clerk.click("#step-countersign_on_paper button:has-text('登记纸质会签') >> nth=0")
    assert "纸质会签已登记" in clerk.locator(".messages").inner_text()
    paper = clerk.get_by_test_id("paper").inner_text()
    assert "财政所" in paper and "已纸质会签" in paper and "周平" in paper
    screenshot(clerk, "paper-countersign-recorded-phone")

    # 纸质送达 to 柳林村
    document = draft(recipients=["柳林村村民委员会"])
    people = {u.username: u for u in User.objects.all()}
    workflow.review(document, by=people["deputy_leader"], text="同意")
    workflow.check(document, by=people["office_director"], text="核稿无误")
    workflow.sign_off(document, by=people["deputy_leader"], text="同意印发")
    workflow.recheck(document, by=people["clerk"])
    workflow.number(document, by=people["clerk"])
    workflow.seal(document, by=people["clerk"])
    workflow.issue(document, by=people["clerk"], copies=5, issued_on=timezone.localdate(), proofreader="孙悦")
    clerk.goto(clerk.base_url + document.get_absolute_url())
    assert "无账号，需纸质送达" in clerk.get_by_test_id("deliveries").inner_text()
    _open(clerk, "record_paper_delivery")
    now = timezone.localtime().replace(second=0, microsecond=0)
    clerk.fill("#id_record_paper_delivery-delivered_at", f"{now:%Y-%m-%dT%H:%M}")
    clerk.fill("#id_record_paper_delivery-receiver", "王秀兰")
    clerk.click("#step-record_paper_delivery button:has-text('登记纸质送达') >> nth=0")
    assert "纸质送达已登记" in clerk.locator(".messages").inner_text()
    row = clerk.get_by_test_id("deliveries").locator("tr", has_text="柳林村村民委员会").inner_text()
    assert "已纸质送达" in row and "王秀兰" in row and f"{now:%H:%M}" in row
    width = clerk.evaluate("document.documentElement.scrollWidth")
    assert width <= 390  # nothing wider than the phone
    screenshot(clerk, "paper-delivery-recorded-phone")
