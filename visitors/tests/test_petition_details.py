"""Smaller things of the 信访 pages (issue 23 §5): 港澳台居民居住证 numbers, six representatives refused in the rule's
words, the 被反映部门 on the case page, a 集体访's 答复意见书 addressed to its representatives."""

import io

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse
from django.utils import timezone
from pypdf import PdfReader

from visitors import workflow
from visitors.idnumber import check_character, validate_id_number
from visitors.models import Contact

from .conftest import VALID_IDS, registration_form


@pytest.mark.parametrize("prefix", ["810000", "820000", "830000"])
def test_residence_permit_numbers_of_hong_kong_macao_taiwan_are_accepted(prefix):
    first17 = f"{prefix}19900101002"
    number = first17 + check_character(first17)
    assert validate_id_number(number) == number


def test_eighty_three_is_a_residence_permit_prefix_only():
    first17 = "83010619900101002"  # no province 83: only 830000 (台湾居民居住证) is valid
    with pytest.raises(ValidationError, match="省级行政区划代码"):
        validate_id_number(first17 + check_character(first17))


def test_residence_permit_number_is_registered_through_the_form(client_for, front_desk):
    first17 = "83000019900101002"
    number = first17 + check_character(first17)
    response = client_for(front_desk).post(reverse("visitors:contact_register"), registration_form(id_number=number))
    assert response.status_code == 302 and Contact.objects.get().id_number == number


def test_six_representatives_are_refused_in_the_rules_words(client_for, front_desk):
    names = ["代表甲", "代表乙", "代表丙", "代表丁", "代表戊", "代表己"]
    data = registration_form(people_count=20, **{"reps-TOTAL_FORMS": 6})
    data.update({f"reps-{i}-name": name for i, name in enumerate(names)})
    response = client_for(front_desk).post(reverse("visitors:contact_register"), data)
    page = response.content.decode()
    assert response.status_code == 400
    assert "集体访推选代表不超过5人" in page and "请最多提交" not in page
    assert 'value="代表己"' in page  # what was typed is kept
    assert not Contact.objects.exists()


def test_case_page_shows_the_accused_department(register, front_desk, office_director, client_for, departments):
    case = workflow.open_case(
        register(), by=front_desk, petition_type="accusation", accused_department=departments["财政所"]
    )
    page = client_for(office_director).get(case.get_absolute_url()).content.decode()
    assert "被反映部门" in page and "财政所" in page[page.index('data-testid="accused"') :][:200]


def _reply_text(client, case):
    content = client.get(reverse("visitors:case_reply_pdf", args=[case.code])).content
    return PdfReader(io.BytesIO(content)).pages[0].extract_text().replace(" ", "")


def test_group_visit_reply_letter_is_addressed_to_its_representatives(
    front_desk, office_director, deputy, departments, accept, client_for
):
    contact = workflow.register_contact(
        by=front_desk,
        data={
            "channel": "visit",
            "received_at": timezone.now(),
            "name": "李大山",
            "id_number": VALID_IDS[0],
            "phone": "13900000001",
            "people_count": 12,
            "matter": "征地补偿标准不一",
            "category": "land",
        },
        representatives=[{"name": "代表甲"}, {"name": "代表乙"}],
    )
    case = workflow.open_case(contact, by=front_desk, petition_type="claim")
    accept(case, leader=deputy, lead_department=departments["司法所"])
    case.refresh_from_db()
    workflow.instruct(case, by=deputy, text="请司法所核实")
    workflow.reply(case, by=office_director, text="经核实，按统一标准补偿。")
    text = _reply_text(client_for(office_director), case)
    assert "代表甲、代表乙等12人（集体访代表）：" in text and "你们于" in text
    assert "李大山：" not in text


def test_single_petitioner_reply_letter_is_addressed_to_him(accepted, deputy, office_director, client_for):
    workflow.instruct(accepted, by=deputy, text="请核实")
    workflow.reply(accepted, by=office_director, text="经核实。")
    text = _reply_text(client_for(office_director), accepted)
    assert "张建军：" in text and "集体访代表" not in text


def test_a_superscript_department_key_is_a_form_error_not_a_500(client_for, front_desk):
    data = registration_form(outcome="case", petition_type="accusation", accused_department="²")
    response = client_for(front_desk).post(reverse("visitors:contact_register"), data)
    assert response.status_code == 400 and not Contact.objects.exists()
