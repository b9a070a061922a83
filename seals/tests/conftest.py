import pytest
from django.core.files.uploadedfile import SimpleUploadedFile

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
        return workflow.submit_request(
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
