"""The apps together: beat tasks exist, an outgoing document is sealed through the seals app, the demo loads."""

import pytest
from django.conf import settings
from django.core.files.uploadedfile import SimpleUploadedFile
from django.core.management import call_command

from township_office import todo
from township_office.celery import app
from township_office.models import IssuerCode, User


def test_every_beat_task_is_registered():
    app.loader.import_default_modules()
    for entry in settings.CELERY_BEAT_SCHEDULE.values():
        assert entry["task"] in app.tasks, entry["task"]


def test_outgoing_document_is_sealed_through_the_seals_app(township, people):
    from documents import services as documents_services
    from documents import workflow as documents
    from documents.models import OutgoingDocument
    from seals import api
    from seals import workflow as seals
    from seals.models import Seal, SealRequest

    staff, deputy, director, clerk = (
        people[n] for n in ("department_staff", "deputy_leader", "office_director", "clerk")
    )
    document = documents_services.draft_outgoing(
        by=staff,
        data={
            "issuer_code": IssuerCode.objects.get(code="长政发"),
            "title": "关于秋冬季农田水利建设的实施意见",
            "text": "为做好有关工作，现通知如下。\n一、总体要求\n请结合实际抓好落实。",
            "main_recipients": "各村（居）委会",
        },
        body=SimpleUploadedFile("正文.pdf", b"%PDF-1.4"),
    )
    documents.review(document, by=deputy, text="同意")
    documents.check(document, by=director, text="核稿")
    documents.sign_off(document, by=deputy, text="同意印发")
    documents.recheck(document, by=clerk, text="复核无误")
    document.refresh_from_db()
    documents.number(document, by=clerk)
    document.refresh_from_db()
    with pytest.raises(Exception, match="尚无已完成用印"):
        documents.seal(document, by=clerk)

    seal = Seal.objects.create(name="长官镇党政办公室", kind="office", tier=3)
    seal.custodians.add(people["seal_keeper"])
    link = ("documents.outgoingdocument", str(document.code))
    request = seals.save_draft(
        by=clerk,
        seals=[seal],
        document=SimpleUploadedFile("正文.pdf", b"%PDF-1.4"),
        data={
            "title": document.title,
            "recipient": "各村",
            "purpose": "发文用印",
            "copies": 2,
            "use_type": SealRequest.UseType.DOCUMENT,
            "linked_object_type": link[0],
            "linked_object_code": link[1],
        },
    )
    seals.submit(request, by=clerk)  # tier 3: the office director approves
    seals.approve_office(request, by=director)
    seals.stamp(request, by=people["seal_keeper"], seal=seal, copies=2)
    assert [r.fully_stamped for r in api.requests_for(*link)] == [True]
    documents.seal(document, by=clerk)
    document.refresh_from_db()
    assert document.status == OutgoingDocument.Status.ISSUING


def test_demo_gives_every_role_something_to_do(db):
    call_command("seed_demo", "--demo", stdout=open("/dev/null", "w"))
    call_command("seed_demo", "--demo", stdout=open("/dev/null", "w"))  # idempotent with every app's demo data
    for username in (
        "principal_leader",
        "deputy_leader",
        "office_director",
        "clerk",
        "seal_keeper",
        "department_staff",
    ):
        assert todo.total(User.objects.get(username=username)) > 0, username


@pytest.mark.parametrize("username", ["office_director", "clerk", "deputy_leader", "department_staff"])
def test_todo_page_queries_do_not_grow_with_work(township, people, client_for, count_queries, username, monkeypatch):
    from documents import services, workflow
    from township_office import views
    from township_office.models import Department

    monkeypatch.setattr(views, "WORK_PAGE_SIZE", 5)

    def add(i):
        document = services.register_incoming(by=people["clerk"], data={"source_org": "县政府", "title": f"文件{i}"})
        if username != "office_director":
            workflow.propose(
                document,
                by=people["office_director"],
                proposal="办理",
                leaders=[people["deputy_leader"]],
                lead_department=Department.objects.get(name="农业农村办公室"),
            )
        if username in ("clerk", "department_staff"):
            workflow.instruct(document, by=people["deputy_leader"], text="办理")
        if username == "clerk":
            workflow.complete(document, by=people["department_staff"], result="完成")

    client = client_for(people[username])
    add(0)
    one = count_queries(client, "/todo/")
    for i in range(1, 6):
        add(i)
    full = count_queries(client, "/todo/")  # a full page, and a second one to count
    for i in range(6, 20):
        add(i)
    assert count_queries(client, "/todo/") == full <= one + 1 <= 8
