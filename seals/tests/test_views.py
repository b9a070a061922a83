import io
import re
import uuid

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from pypdf import PdfReader

from seals import workflow
from seals.models import SealRequest

from .conftest import decide

PDF = b"%PDF-1.4\n%%EOF\n"


def test_staff_applies_through_the_form(client_for, staff, seals):
    response = client_for(staff).post(
        reverse("seals:request_create"),
        {
            "seals": [seals["长官镇农业农村办公室"].pk],
            "use_type": "certificate",
            "title": "补贴证明",
            "recipient": "县农业农村局",
            "purpose": "报送",
            "copies": 2,
            "document": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    request = SealRequest.objects.get()
    assert response.status_code == 302 and request.document_sha256


def test_form_errors_keep_input(client_for, staff, seals):
    response = client_for(staff).post(
        reverse("seals:request_create"),
        {
            "seals": [seals["长官镇农业农村办公室"].pk],
            "use_type": "contract",
            "title": "农资采购合同",
            "recipient": "某公司",
            "purpose": "签订合同",
            "copies": 2,
            "document": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    page = response.content.decode()
    assert "合同用印请填写合同金额" in page and "农资采购合同" in page
    assert not SealRequest.objects.exists()


def test_disabled_seals_are_not_offered(client_for, staff, seals):
    from seals.models import Seal

    Seal.objects.filter(name="法定代表人名章").update(status=Seal.Status.LOST)
    page = client_for(staff).get(reverse("seals:request_create")).content.decode()
    assert "法定代表人名章" not in page and "长官镇人民政府" in page


def test_stranger_gets_404_and_wrong_leader_403(client_for, apply, stranger, deputy_mayor, resources_staff):
    request = apply()
    for user in (stranger, resources_staff, deputy_mayor):
        assert client_for(user).get(request.get_absolute_url()).status_code == 404
    assert client_for(stranger).get(f"/seals/{uuid.uuid4()}/").status_code == 404


def step_url(request, name):
    return reverse("seals:request_step", args=[request.code, name])


def test_applicant_cannot_approve_own_request(client_for, apply, staff):
    request = apply()
    response = client_for(staff).post(step_url(request, "approve_deputy"), {"approve_deputy-comment": "同意"})
    assert response.status_code == 403
    assert "您不是该用印申请当前环节的审批人" in response.content.decode()
    request.refresh_from_db()
    assert request.status == SealRequest.Status.PENDING


def test_deputy_approves_from_the_page(client_for, apply, deputy):
    request = apply()
    client = client_for(deputy)
    page = client.get(request.get_absolute_url() + "?step=approve_deputy").content.decode()
    assert 'data-step="approve_deputy"' in page and 'data-step="reject"' in page
    assert 'data-confirm="同意后不能撤销。确定同意吗？"' in page
    assert 'data-step="stamp"' not in page and 'data-step="withdraw"' not in page
    response = client.post(step_url(request, "approve_deputy"), {"approve_deputy-comment": "同意"})
    assert response.status_code == 302
    request.refresh_from_db()
    assert request.status == SealRequest.Status.APPROVED


def test_rejection_without_reason_is_400_and_keeps_nothing_lost(client_for, apply, deputy):
    request = apply()
    response = client_for(deputy).post(step_url(request, "reject"), {"reject-reason": "   "})
    assert response.status_code == 400
    assert "驳回须写明理由" in response.content.decode()
    request.refresh_from_db()
    assert request.status == SealRequest.Status.PENDING


def test_refused_stamp_is_400_with_the_reason_and_the_input_kept(client_for, apply, deputy, seal_keeper):
    request = apply(copies=2)
    decide(request, by=deputy, approve=True)
    seal = request.seals.get()
    response = client_for(seal_keeper).post(step_url(request, "stamp"), {"stamp-seal": seal.pk, "stamp-copies": 5})
    page = response.content.decode()
    assert response.status_code == 400
    assert "本次用印份数" in page and 'value="5"' in page


def test_stranger_404_and_unknown_step_404(client_for, apply, stranger, office_director):
    request = apply()
    assert client_for(stranger).post(step_url(request, "approve_deputy")).status_code == 404
    assert client_for(office_director).post(step_url(request, "no_such_step")).status_code == 404


def test_voided_by_a_changed_file_shows_the_new_state_and_the_reason(client_for, apply, deputy, seal_keeper):
    request = apply(copies=2)
    decide(request, by=deputy, approve=True)
    request.refresh_from_db()
    with open(request.document.path, "ab") as f:
        f.write(b"changed")
    response = client_for(seal_keeper).post(
        step_url(request, "stamp"), {"stamp-seal": request.seals.get().pk, "stamp-copies": 1}
    )
    page = response.content.decode()
    assert response.status_code == 400
    assert "原审批已作废" in page and "已作废" in page.split('data-testid="status"')[1][:40]
    assert 'data-step="stamp"' not in page


def test_list_query_count_is_constant(client_for, apply, office_director, count_queries):
    client = client_for(office_director)
    apply()
    one = count_queries(client, reverse("seals:request_list"))
    for _ in range(19):
        apply()
    assert count_queries(client, reverse("seals:request_list")) == one <= 14
    assert client.get(reverse("seals:request_list")).content.decode().count("补贴发放情况证明") == 20


def test_register_and_forms_print(client_for, apply, deputy, seal_keeper, office_director):
    request = apply()
    decide(request, by=deputy, approve=True, comment="同意")
    request.refresh_from_db()
    workflow.stamp(request, by=seal_keeper, seal=request.seals.get(), copies=3)
    client = client_for(office_director)
    text = (
        PdfReader(io.BytesIO(client.get(reverse("seals:request_form_pdf", args=[request.code])).content))
        .pages[0]
        .extract_text()
        .replace(" ", "")
    )
    for expected in ("用印审批单", "补贴发放情况证明", "陈刚", "吴婷", request.document_sha256[:16]):
        assert expected in text, expected
    register = client.get(reverse("seals:register"), {"format": "pdf"})
    text = PdfReader(io.BytesIO(register.content)).pages[0].extract_text().replace(" ", "")
    assert "用印登记簿" in text and "登记簿完整，未被改动" in text and "长官镇农业农村办公室" in text
    assert client_for(deputy).get(reverse("seals:register")).status_code == 403


def test_letter_prints_stub_and_letter_with_serial_and_void(client_for, staff, deputy, township):
    letter = workflow.apply_letter(
        by=staff,
        data={
            "recipient_unit": "县自然资源和规划局",
            "persons": "黄磊",
            "person_count": 1,
            "purpose": "项目对接",
            "valid_days": 7,
        },
    )
    client = client_for(staff)
    assert client.get(reverse("seals:letter_pdf", args=[letter.code])).status_code == 403  # not yet approved
    workflow.approve_letter(letter, by=deputy)
    reader = PdfReader(io.BytesIO(client.get(reverse("seals:letter_pdf", args=[letter.code])).content))
    text = reader.pages[0].extract_text().replace(" ", "")
    assert len(reader.pages) == 1
    assert "介绍信存根" in text and text.count(f"（{letter.year}）第1号") >= 3 and "县自然资源和规划局" in text
    workflow.void_letter(letter, by=staff, reason="取消")
    text = (
        PdfReader(io.BytesIO(client.get(reverse("seals:letter_pdf", args=[letter.code])).content))
        .pages[0]
        .extract_text()
        .replace(" ", "")
    )
    assert "作废" in text


def test_outgoing_documents_link_to_their_request(client_for, staff, seals):
    from seals import api

    url = api.new_request_url("documents.outgoingdocument", "abc", "关于农田水利的实施意见")
    page = client_for(staff).get(url).content.decode()
    assert "关于农田水利的实施意见" in page
    client_for(staff).post(
        url,
        {
            "seals": [seals["长官镇人民政府"].pk],
            "use_type": "document",
            "title": "关于农田水利的实施意见",
            "recipient": "各村",
            "purpose": "发文用印",
            "copies": 30,
            "link_type": "documents.outgoingdocument",
            "link_code": "abc",
            "document": SimpleUploadedFile("a.pdf", PDF),
        },
    )
    [summary] = api.requests_for("documents.outgoingdocument", "abc")
    assert summary.status == "pending" and not summary.fully_stamped


def _letter(staff, unit="县自然资源和规划局"):
    return workflow.apply_letter(
        by=staff,
        data={"recipient_unit": unit, "persons": "黄磊", "person_count": 1, "purpose": "项目对接", "valid_days": 7},
    )


def test_search_requests_by_title_and_number(client_for, apply, office_director):
    first, second = apply(), apply(title="高标准农田建设项目申报书")
    client = client_for(office_director)
    page = client.get(reverse("seals:request_list"), {"q": "农田"}).content.decode()
    assert "高标准农田建设项目申报书" in page and "补贴发放情况证明" not in page
    page = client.get(reverse("seals:request_list"), {"q": f"用印〔{first.year}〕{first.serial}号"}).content.decode()
    assert first.number in page and second.number not in page


def test_letter_list_search_and_constant_queries(client_for, staff, office_director, count_queries):
    _letter(staff)
    client = client_for(office_director)
    one = count_queries(client, reverse("seals:letter_list"))
    for _ in range(19):
        _letter(staff, unit="县交通运输局")
    assert count_queries(client, reverse("seals:letter_list")) == one
    page = client.get(reverse("seals:letter_list"), {"q": "自然资源"}).content.decode()
    assert page.count("县自然资源和规划局") == 1 and "县交通运输局" not in page


def _phrases_of(page, field_id):
    """The data-phrase values offered above the box ``field_id``, in order."""
    block = page.split(f'data-phrases-for="{field_id}"', 1)[1].split("</div>", 1)[0]
    return re.findall(r'data-phrase="([^"]*)"', block)


def test_approvals_offer_the_office_phrases_then_the_leaders_own(client_for, apply, staff, deputy):
    deputy.phrases = ["同意，请按规定用印", "按程序办理"]  # one of the office's is not offered twice
    deputy.save(update_fields=["phrases"])
    request = apply()
    letter = workflow.apply_letter(
        by=staff,
        data={"recipient_unit": "县民政局", "persons": "黄磊", "person_count": 1, "purpose": "对接", "valid_days": 7},
    )
    client = client_for(deputy)
    pages = {
        "id_approve_deputy-comment": client.get(request.get_absolute_url() + "?step=approve_deputy").content.decode(),
        "id_approve_letter-comment": client.get(letter.get_absolute_url() + "?step=approve_letter").content.decode(),
    }
    for field_id, page in pages.items():
        assert _phrases_of(page, field_id) == ["同意", "按程序办理", "同意，请按规定用印"], field_id
        assert "township_office/css/phrases.css" in page and "township_office/js/phrases.js" in page
        box = page.split(f'id="{field_id}"', 1)[0].rsplit("<textarea", 1)[1] + page.split(f'id="{field_id}"', 1)[1]
        assert 'maxlength="500"' in box and box.split(">", 1)[1].startswith("\n同意</textarea>")
    response = client.post(
        reverse("seals:letter_step", args=[letter.code, "approve_letter"]),
        {"approve_letter-comment": "同意，请按规定用印"},
    )
    assert response.status_code == 302
    letter.refresh_from_db()
    assert letter.status == letter.Status.APPROVED


def test_list_filters_are_a_form_and_a_bad_one_is_400_beside_the_field(client_for, apply, office_director):
    request = apply()
    client = client_for(office_director)
    page = client.get(reverse("seals:request_list"), {"status": request.status}).content.decode()
    assert request.number in page
    for url in (reverse("seals:request_list"), reverse("seals:letter_list")):
        response = client.get(url, {"status": "nosuch", "q": "农田"})
        page = response.content.decode()
        assert response.status_code == 400 and 'role="alert"' in page and "状态：" in page
        assert request.number not in page and 'value="农田"' in page  # nothing listed, nothing typed lost
