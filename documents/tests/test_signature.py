"""手写签名 on a 批示: kept with it, audited like it, shown where the 批示 is shown, printed in place of the name."""

import hashlib

import pypdfium2
import pypdfium2.raw as pdfium_c
from django.urls import reverse

from documents import pdf, workflow
from documents.models import Instruction
from tests import preview_samples
from township_office.models import AuditEvent
from township_office.signatures import clean_signature


def step_url(document, name):
    return reverse("documents:incoming_step", args=[document.code, name])


def _images(content):
    """The number of images drawn on each page of a PDF."""
    counts = []
    for page in pypdfium2.PdfDocument(content):
        objects = page.get_objects(filter=[pdfium_c.FPDF_PAGEOBJ_IMAGE], max_depth=3)
        counts.append(len(list(objects)))
    return counts


def test_a_leader_signs_by_hand_with_the_instruction(client_for, routed, deputy):
    response = client_for(deputy).post(
        step_url(routed, "instruct"),
        {"instruct-text": "请农业农村办公室抓紧落实。", "instruct-signature": preview_samples.signature()},
    )
    assert response.status_code == 302
    instruction = Instruction.objects.get(document=routed)
    kept = bytes(instruction.signature)
    assert kept == clean_signature(preview_samples.signature())  # the redrawn PNG, not what the browser sent
    # Audited like the 批示: the event carries the signature's fingerprint, bound into the audit chain ...
    event = AuditEvent.objects.filter(object_code=str(routed.code), action="批示").get()
    assert hashlib.sha256(kept).hexdigest() in event.comment
    # ... which the people working on the file do not see: the 流转记录 says a signature is attached.
    page = client_for(deputy).get(routed.get_absolute_url()).content.decode()
    assert "请农业农村办公室抓紧落实。（附手写签名）" in page
    assert hashlib.sha256(kept).hexdigest() not in page and "SHA-256" not in page
    assert f'<img class="signature" src="{instruction.signature_url}" alt="陈刚的手写签名">' in page


def test_an_unreadable_signature_is_refused_and_nothing_is_signed(client_for, routed, deputy):
    response = client_for(deputy).post(
        step_url(routed, "instruct"),
        {"instruct-text": "请农业农村办公室抓紧落实。", "instruct-signature": "data:image/png;base64,bm90IGEgcG5n"},
    )
    assert response.status_code == 400
    page = response.content.decode()
    assert "手写签名无法读取" in page and "请农业农村办公室抓紧落实。" in page  # the 批示 typed is kept
    assert not Instruction.objects.filter(document=routed).exists()
    assert not AuditEvent.objects.filter(object_code=str(routed.code), action="批示").exists()


def test_a_drawing_sent_back_with_an_error_is_kept_in_the_form(client_for, routed, deputy):
    drawing = preview_samples.signature()
    response = client_for(deputy).post(
        step_url(routed, "instruct"), {"instruct-text": " ", "instruct-signature": drawing}
    )
    assert response.status_code == 400
    assert f'value="{drawing}"' in response.content.decode()  # signature.js draws it again on the pad
    assert not Instruction.objects.filter(document=routed).exists()


def test_the_slip_prints_the_signature_in_place_of_the_typed_name(routed, deputy):
    workflow.instruct(routed, by=deputy, text="请抓紧落实。", signature=clean_signature(preview_samples.signature()))
    signed = pdf.routing_slip(routed)
    assert _images(signed) == [1]
    page = pypdfium2.PdfDocument(signed)[0].get_textpage().get_text_range()
    text = "".join(page.split())
    assert "请抓紧落实。" in text and "陈刚" not in text.split("请抓紧落实。")[1][:10]


def test_a_typed_instruction_prints_the_name_and_no_image(routed, deputy):
    workflow.instruct(routed, by=deputy, text="请抓紧落实。")
    content = pdf.routing_slip(routed)
    assert _images(content) == [0]
    text = "".join(pypdfium2.PdfDocument(content)[0].get_textpage().get_text_range().split())
    assert "请抓紧落实。陈刚" in text
