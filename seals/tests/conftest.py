import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import transaction

from seals import workflow
from seals.demo import SEALS
from seals.models import Seal
from township_office.models import Department

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def seals(township, seal_keeper):
    result = {}
    for name, kind, tier, dept in SEALS:
        seal = Seal.objects.create(
            name=name, kind=kind, tier=tier, department=Department.objects.filter(name=dept).first()
        )
        seal.custodians.add(seal_keeper)
        result[name] = seal
    return result


@pytest.fixture
def apply(staff, seals):
    def make(seal_names=("长官镇农业农村办公室",), by=None, copies=3, use_type="certificate", **extra):
        return submit_request(
            by=by or staff,
            seals=[seals[n] for n in seal_names],
            document=SimpleUploadedFile("证明.pdf", PDF),
            data={
                "title": "补贴发放情况证明",
                "recipient": "县农业农村局",
                "purpose": "报送",
                "copies": copies,
                "use_type": use_type,
                **extra,
            },
        )

    return make


def submit_request(*, by, data, seals, document):
    """A request saved and submitted at once (保存草稿 then the step 提交申请)."""
    with transaction.atomic():
        request = workflow.save_draft(by=by, data=data, seals=seals, document=document)
        workflow.submit(request, by=by)
    return request


def decide(request, *, by, approve, comment=""):
    """The step the person takes at the approval level now waiting: 同意 at that level, or 驳回."""
    if not approve:
        return workflow.reject(request, by=by, reason=comment)
    step = workflow.current_step(request)
    level = step.level if step is not None else workflow.Level.OFFICE
    return workflow.requests[f"approve_{level}"](request, by=by, comment=comment)
