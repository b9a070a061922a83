"""Migration 0009_secret_register: state-secret 收文 and 发文 already stored become paper register entries and their
stored content is removed (issue 12 §1). The conversion function is run on rows made here, with the project's own
model registry; the migration itself runs it with the historical models."""

import hashlib
from importlib import import_module

import pytest
from django.apps import apps
from django.core.files.base import ContentFile
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import migrations

from documents import services, workflow
from documents.models import (
    Attachment,
    BatchPrint,
    IncomingDocument,
    IncomingDocumentUserObjectPermission,
    Instruction,
    Opinion,
    OutgoingDocument,
    SecretEntry,
)
from township_office import preview, worklist
from township_office.models import AuditEvent, Matter, Notification, WorkItem

convert_state_secrets = import_module("documents.migrations.0009_secret_register").convert_state_secrets

TITLE = "关于某项绝密部署的通知丙丁"
BODY = b"%PDF-1.4\nsecret scan body\n%%EOF\n"


@pytest.fixture(autouse=True)
def _media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path / "media"


def test_state_secret_records_become_paper_entries_and_their_content_is_gone(
    clerk, office_director, deputy, register, drafted, capsys
):
    document = services.register_incoming(
        by=clerk,
        data={
            "source_org": "县委办公室",
            "source_doc_number": "县委发〔2026〕7号",
            "title": TITLE,
            "secrecy": "internal",
            "secrecy_term": "长期",
            "copies": 2,
        },
        files=[SimpleUploadedFile("扫描件.pdf", BODY)],
    )
    workflow.propose(document, by=office_director, proposal="呈副书记阅示", leaders=[deputy])
    workflow.instruct(document, by=deputy, text="请严格按要求办理")
    IncomingDocument.objects.filter(pk=document.pk).update(secrecy="top_secret")  # as stored before 0009
    attachment = Attachment.objects.get(document=document)
    stored = attachment.file.name
    sha = hashlib.sha256(BODY).hexdigest()
    (preview.folder(sha) / "page-1.png").write_bytes(b"png")
    batch = BatchPrint.objects.create(requested_by=clerk, document_codes=[str(document.code)])
    batch.file.save("slips.pdf", ContentFile(b"%PDF-1.4\n" + TITLE.encode() + b"\n%%EOF"), save=True)
    batch_file = batch.file.name

    OutgoingDocument.objects.filter(pk=drafted.pk).update(secrecy="secret", copies=3, doc_number="长政发〔2026〕9号")
    body = OutgoingDocument.objects.get(pk=drafted.pk).body.name
    outgoing_title = drafted.title

    plain = register(title="关于冬季防火的通知")
    assert Notification.objects.filter(title__contains=TITLE).exists()
    assert Matter.objects.filter(title__contains=TITLE).exists()
    assert Matter.objects.filter(title__contains=outgoing_title).exists()
    assert WorkItem.objects.filter(matter__object_id=document.pk, matter__kind="收文").exists()
    events_before = AuditEvent.objects.count()

    lines = []
    assert convert_state_secrets(apps, out=lines.append) == 2
    assert lines[0] == "已将 2 件涉密文件转为纸质密件登记，电子内容已删除"

    incoming_entry = SecretEntry.objects.get(doc_number="县委发〔2026〕7号")
    assert (incoming_entry.source_org, incoming_entry.secrecy, incoming_entry.secrecy_term) == (
        "县委办公室",
        "top_secret",
        "长期",
    )
    assert incoming_entry.title == "" and incoming_entry.shown_title == "密件"
    assert incoming_entry.received_at == document.signed_for_at
    assert list(incoming_entry.copy_set.values_list("copy_number", "status")) == [
        ("1", "at_office"),
        ("2", "at_office"),
    ]
    outgoing_entry = SecretEntry.objects.get(doc_number="长政发〔2026〕9号")
    assert outgoing_entry.secrecy == "secret" and outgoing_entry.copies == 3 and outgoing_entry.copy_set.count() == 3

    # the stored content is gone: records, attachments, 批示, opinions, grants, work items, notifications, files
    assert not IncomingDocument.objects.filter(pk=document.pk).exists()
    assert not OutgoingDocument.objects.filter(pk=drafted.pk).exists()
    assert not Attachment.objects.filter(pk=attachment.pk).exists()
    assert not Instruction.objects.filter(document_id=document.pk).exists()
    assert not Opinion.objects.filter(document_id=drafted.pk).exists()
    assert not IncomingDocumentUserObjectPermission.objects.filter(content_object_id=document.pk).exists()
    assert not Matter.objects.filter(title__contains=TITLE).exists()
    assert not Matter.objects.filter(title__contains=outgoing_title).exists()
    assert not Notification.objects.filter(title__contains=TITLE).exists()
    assert not Notification.objects.filter(url=f"/documents/incoming/{document.code}/").exists()
    assert not BatchPrint.objects.filter(pk=batch.pk).exists()
    from django.core.files.storage import default_storage

    for name in (stored, body, batch_file):
        assert not default_storage.exists(name), name
    assert not (preview.root() / sha[:2] / sha).exists()

    # what is not a state secret stays as it was
    assert IncomingDocument.objects.filter(pk=plain.pk).exists()
    assert worklist.matter_of(plain) is not None

    event = AuditEvent.objects.get(action="涉密文件转为纸质密件登记")
    assert "已将 2 件涉密文件转为纸质密件登记，电子内容已删除" in event.comment
    assert AuditEvent.objects.count() == events_before + 1

    # a second run finds nothing and says nothing
    lines.clear()
    assert convert_state_secrets(apps, out=lines.append) == 0 and lines == []


def test_the_migration_runs_the_conversion():
    migration = import_module("documents.migrations.0009_secret_register").Migration
    run = migration.operations[-1]
    assert isinstance(run, migrations.RunPython)
    assert "convert_state_secrets" in run.code.__code__.co_names


def test_the_conversion_prints_by_default(clerk, township, capsys):
    IncomingDocument.objects.create(
        year=2026, serial=900, source_org="县委", title=TITLE, secrecy="secret", registered_by=clerk
    )
    assert convert_state_secrets(apps) == 1
    assert "已将 1 件涉密文件转为纸质密件登记，电子内容已删除" in capsys.readouterr().out
