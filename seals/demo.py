from django.core.files.base import ContentFile

from township_office.models import Department, User

from . import workflow
from .models import Seal, SealRequest

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"

SEALS = [
    ("中共长官镇委员会", Seal.Kind.PARTY, 1, None),
    ("长官镇人民政府", Seal.Kind.GOVERNMENT, 1, None),
    ("长官镇党政办公室", Seal.Kind.OFFICE, 3, None),
    ("长官镇人民政府合同专用章", Seal.Kind.CONTRACT, 1, None),
    ("法定代表人名章", Seal.Kind.LEGAL_REPRESENTATIVE, 1, None),
    ("长官镇农业农村办公室", Seal.Kind.DEPARTMENT, 2, "农业农村办公室"),
]


def _pdf(name):
    upload = ContentFile(PDF, name=name)
    upload.size = len(PDF)
    return upload


def seed():
    keeper = User.objects.get(username="seal_keeper")
    for name, kind, tier, dept in SEALS:
        seal, _ = Seal.objects.get_or_create(
            name=name, defaults={"kind": kind, "tier": tier, "department": Department.objects.filter(name=dept).first()}
        )
        seal.custodians.add(keeper)
    if SealRequest.objects.exists():
        return
    staff = User.objects.get(username="department_staff")
    deputy = User.objects.get(username="deputy_leader")
    seals = {s.name: s for s in Seal.objects.all()}
    _submit(
        by=staff,
        seals=[seals["长官镇农业农村办公室"]],
        document=_pdf("补贴发放证明.pdf"),
        data={
            "title": "2026年耕地地力保护补贴发放情况证明",
            "recipient": "县农业农村局",
            "purpose": "报送补贴发放情况",
            "copies": 3,
            "use_type": SealRequest.UseType.CERTIFICATE,
        },
    )
    approved = _submit(
        by=staff,
        seals=[seals["长官镇人民政府"]],
        document=_pdf("项目申报书.pdf"),
        data={
            "title": "高标准农田建设项目申报书",
            "recipient": "县发展和改革局",
            "purpose": "申报2027年项目",
            "copies": 2,
            "use_type": SealRequest.UseType.DOCUMENT,
        },
    )
    workflow.approve_deputy(approved, by=deputy, comment="同意")  # tier 1: the deputy in charge, then the principal
    workflow.approve_principal(approved, by=User.objects.get(username="principal_leader"), comment="同意")
    workflow.save_draft(  # 我发起的 shows a draft the applicant has not submitted yet
        by=staff,
        seals=[seals["长官镇农业农村办公室"]],
        data={
            "title": "秋冬季农田水利建设情况报告",
            "recipient": "县水利局",
            "purpose": "报送建设进度",
            "copies": 2,
            "use_type": SealRequest.UseType.DOCUMENT,
        },
    )
    workflow.apply_letter(
        by=staff,
        data={
            "recipient_unit": "县自然资源和规划局",
            "persons": "黄磊、马涛",
            "person_count": 2,
            "purpose": "土地复垦项目对接",
            "valid_days": 7,
        },
    )


def _submit(*, by, seals, document, data):
    """保存草稿, then the step 提交申请."""
    request = workflow.save_draft(by=by, seals=seals, document=document, data=data)
    workflow.submit(request, by=by)
    return request
