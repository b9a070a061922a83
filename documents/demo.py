"""Demo records for 长官镇, made through the real workflow (so grants and audit exist)."""

from datetime import timedelta

from django.core.files.base import ContentFile
from django.utils import timezone

from township_office.models import Department, IssuerCode, User

from . import services, workflow
from .models import IncomingDocument

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _pdf(name):
    upload = ContentFile(PDF, name=name)
    upload.size = len(PDF)
    return upload


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
        },
        body=_pdf("农田水利实施意见.pdf"),
        recipient_departments=[d for d in dept.values() if d.kind != Department.Kind.OFFICE],
    )
    _seed_secret_register(people, today)


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
