from datetime import timedelta

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from documents import services, workflow
from township_office.models import Department, IssuerCode

PDF = b"%PDF-1.4\n%%EOF\n"


@pytest.fixture
def departments(township):
    return {d.name: d for d in Department.objects.all()}


@pytest.fixture
def register(clerk):
    def make(title="关于做好冬季森林防火工作的通知", days=5, by=None, **extra):
        data = {
            "source_org": "县人民政府办公室",
            "source_doc_number": "县政办发〔2026〕15号",
            "title": title,
            "doc_type": "通知",
            "deadline": timezone.localdate() + timedelta(days=days),
            **extra,
        }
        return services.register_incoming(by=by or clerk, data=data)

    return make


@pytest.fixture
def routed(register, office_director, deputy, principal, departments):
    """A file proposed to the deputy leader, led by 农业农村办公室 with 自然资源所, read by the principal leader."""
    document = register()
    workflow.propose(
        document,
        by=office_director,
        proposal="拟请陈刚副镇长阅示。",
        leaders=[deputy],
        lead_department=departments["农业农村办公室"],
        support_departments=[departments["自然资源所"]],
        readers=[principal],
    )
    document.refresh_from_db()
    return document


@pytest.fixture
def pdf_upload():
    return lambda name="正文.pdf": SimpleUploadedFile(name, PDF, content_type="application/pdf")


@pytest.fixture
def drafted(staff, pdf_upload, township):
    return services.draft_outgoing(
        by=staff,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "关于秋冬季农田水利建设的实施意见",
            "text": "为做好有关工作，现通知如下。\n一、总体要求\n请结合实际抓好落实。",
            "doc_type": "意见",
            "main_recipients": "各村（居）委会",
            "cc_recipients": "县农业农村局",
        },
        body=pdf_upload(),
    )
