"""Demo records for 长官镇, made through the real workflow (so grants and audit exist)."""

from datetime import timedelta

from django.utils import timezone

from township_office.models import Department, IssuerCode, User

from . import services, workflow
from .models import IncomingDocument, OutgoingDocument


def seed():
    if IncomingDocument.objects.exists():
        return
    people = {u.username: u for u in User.objects.all()}
    clerk, director = people["clerk"], people["office_director"]
    dept = {d.name: d for d in Department.objects.all()}
    today = timezone.localdate()

    def register(title, source, number, days, **extra):
        data = {
            "source_org": source,
            "source_doc_number": number,
            "title": title,
            "doc_type": "通知",
            "deadline": today + timedelta(days=days),
            "nature": IncomingDocument.Nature.FOR_ACTION,
            **extra,
        }
        return services.register_incoming(by=clerk, data=data)

    # Waiting for the office director's proposal.
    register("关于做好2026年冬季森林防火工作的通知", "县人民政府办公室", "县政办发〔2026〕41号", 10, urgency="urgent")
    # Waiting for the leaders' instructions; read in circulation.
    d2 = register("关于开展高标准农田建设项目验收的通知", "县农业农村局", "县农发〔2026〕18号", 2)
    workflow.propose(
        d2,
        by=director,
        proposal="拟请陈刚副镇长阅示，农业农村办公室牵头办理。",
        leaders=[people["deputy_leader"]],
        lead_department=dept["农业农村办公室"],
        support_departments=[dept["自然资源所"]],
        readers=[people["principal_leader"], people["mayor"]],
    )
    # In handling at the agriculture office, overdue.
    d3 = register("关于报送秋粮收购进度的函", "县发展和改革局", "县发改函〔2026〕7号", -2)
    workflow.propose(
        d3,
        by=director,
        proposal="请农业农村办公室按时报送。",
        leaders=[people["deputy_leader"]],
        lead_department=dept["农业农村办公室"],
    )
    workflow.instruct(d3, by=people["deputy_leader"], text="请黄磊同志抓紧汇总，按时报送。")
    # Completed by the agriculture office, waiting for the clerk to archive it.
    d4 = register("关于上报2026年粮食生产情况的通知", "县统计局", "县统发〔2026〕9号", 5)
    workflow.propose(d4, by=director, proposal="请农业农村办公室按要求上报。", lead_department=dept["农业农村办公室"])
    workflow.complete(d4, by=people["department_staff"], result="已于11月20日报送县统计局。")
    # A phone notice from the county.
    services.register_incoming(
        by=clerk,
        data={
            "kind": IncomingDocument.Kind.PHONE,
            "source_org": "县应急管理局",
            "caller": "刘科长",
            "call_time": timezone.now() - timedelta(hours=2),
            "signed_for_at": timezone.now() - timedelta(hours=2),
            "title": "明日寒潮预警，请做好防范",
            "content": "明日起有寒潮，请各村做好防冻防滑，落实值班。",
            "urgency": "extra_urgent",
            "nature": IncomingDocument.Nature.FOR_READING,
        },
    )
    # An outgoing draft waiting for the deputy leader's review.
    services.draft_outgoing(
        by=people["department_staff"],
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "关于2026年秋冬季农田水利建设的实施意见",
            "doc_type": "意见",
            "main_recipients": "各村（居）委会，镇属各站所",
            "cc_recipients": "县农业农村局",
            "drafter_phone": "13868000030",
            "text": "为加快补齐农田水利设施短板，提升农业综合生产能力，结合我镇实际，提出如下实施意见。\n"
            "一、目标任务\n今冬明春全镇新建和维修渠道十二公里，清淤山塘二十座，确保明年春耕用水。\n"
            "二、工作措施\n（一）科学规划。各村摸清水利设施现状，提出项目清单，报农业农村办公室汇总。\n"
            "（二）强化监管。项目实行公示制度，接受群众监督，确保工程质量。",
        },
        recipient_departments=[d for d in dept.values() if d.kind != Department.Kind.OFFICE],
    )
    _seed_issued_outgoing(people, dept)
    _seed_secret_register(people, today)


def _seed_issued_outgoing(people, dept):
    """A 发文 composed in the page, through 审核, 核稿, 签发, 复核 and 编号: its document (three pages and the 版记 on
    the fourth) carries its 文号 and waits for 用印."""
    from pathlib import Path

    from .workflow import checkers_for, reviewers_for, signers_for

    text = (Path(__file__).parent / "demo_texts" / "forest_fire_notice.txt").read_text(encoding="utf-8")
    document = services.draft_outgoing(
        by=people["department_staff"],
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "长官镇人民政府关于切实做好2026年冬季森林防火工作的通知",
            "doc_type": "通知",
            "main_recipients": "各村（居）委会，镇直各单位",
            "text": text,
            "attachments_note": "长官镇森林防火责任人名单\n长官镇森林火灾应急预案（2026年修订）",
            "cc_recipients": "县应急管理局，县林业局",
            "drafter_phone": "13868000030",
        },
        recipient_departments=[d for d in dept.values() if d.kind == Department.Kind.VILLAGE],
    )
    workflow.review(document, by=reviewers_for(document)[0], text="同意，请办公室核稿。")
    workflow.check(document, by=checkers_for(document)[0], text="核稿无误。")
    workflow.sign_off(document, by=signers_for(document)[0], text="同意印发。")
    workflow.recheck(document, by=people["clerk"])
    workflow.number(document, by=people["clerk"])


def _seed_secret_register(people, today):
    """密件登记: two paper copies of a 机密 file, copy 1 with the principal leader (instructed on paper), and an
    internal (内部) file stored as usual, visible only to the people granted."""
    from .workflow import secret_steps

    clerk = people["clerk"]
    entry = secret_steps.register(
        by=clerk,
        data={
            "source_org": "县委办公室",
            "doc_number": "县委办〔2026〕密12号",
            "secrecy": "confidential",
            "secrecy_term": "10年",
            "copies": 2,
            "received_at": timezone.now() - timedelta(days=3),
            "title_not_secret": False,
            "title": "",
            "return_by": today + timedelta(days=7),
        },
        copy_numbers=["000031", "000032"],
    )
    first = entry.copy_set.order_by("pk").first()
    secret_steps.hand_over(first, by=clerk, to=people["principal_leader"])
    secret_steps.confirm(first, by=people["principal_leader"])
    secret_steps.record_instruction(
        first, by=people["principal_leader"], leader=people["principal_leader"], at=timezone.now()
    )
    services.register_incoming(
        by=clerk,
        data={
            "source_org": "县委组织部",
            "source_doc_number": "县组通〔2026〕30号",
            "title": "关于做好年度干部考核准备工作的通知",
            "doc_type": "通知",
            "secrecy": "internal",
            "secrecy_term": "1年",
            "deadline": today + timedelta(days=14),
            "nature": IncomingDocument.Nature.FOR_READING,
        },
    )


def seed_after_others():
    """The demo 发文 sealed from its own numbered file and issued: 申请用印 (the 签发 counts for the levels its
    leader may approve), the rest approved, stamped, 确认用印, 印发 to the villages; 长官村 signs for it and the
    paper copy to 柳林村 (no account) is recorded."""
    from django.apps import apps as registry

    document = OutgoingDocument.objects.filter(status=OutgoingDocument.Status.SEALING).exclude(doc_number="").first()
    if document is None:
        return
    people = {u.username: u for u in User.objects.all()}
    clerk = people["clerk"]
    if registry.is_installed("seals"):
        from seals import workflow as seals_workflow
        from seals.models import Seal, SealRequest

        seal = Seal.objects.get(kind="government")
        workflow.request_seal(document, by=clerk, seals=[seal.pk], copies=20)
        request = SealRequest.objects.get(linked_object_code=str(document.code))
        for step in ("approve_office", "approve_deputy", "approve_principal"):
            request.refresh_from_db()
            for user in User.objects.filter(is_active=True):
                if seals_workflow.requests.allows(request, user, step):
                    getattr(seals_workflow, step)(request, by=user, comment="同意")
                    break
        request.refresh_from_db()
        seals_workflow.stamp(request, by=people["seal_keeper"], seal=seal, copies=20)
    workflow.seal(document, by=clerk)
    workflow.issue(document, by=clerk, copies=20, issued_on=timezone.localdate(), proofreader="孙悦")
    workflow.sign_for(document, by=people["village_staff"])
    paper = document.deliveries.filter(on_paper=True).select_related("department").first()
    if paper is not None:
        workflow.record_paper_delivery(
            document, by=clerk, delivery=paper, delivered_at=timezone.now(), receiver="王秀兰"
        )
