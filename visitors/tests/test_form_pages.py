"""The registration page's 集体访代表 table (every input named, each error beside its cell, nothing saved) and the
choosers of 受理并交办."""

import re
from html.parser import HTMLParser

import pytest
from django.urls import reverse
from django.utils import timezone

from township_office.models import User
from visitors import workflow
from visitors.models import Contact, PetitionCase

from .conftest import VALID_IDS, registration_form


class Inputs(HTMLParser):
    """The page's inputs, the ``for`` of its labels (with their text), and each table cell's text."""

    def __init__(self):
        super().__init__()
        self.inputs, self.labels, self.cells = [], {}, []
        self._label, self._cell = None, None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag in ("input", "select", "textarea"):
            self.inputs.append(attrs)
            if self._cell is not None:
                self._cell["inputs"].append(attrs.get("name"))
        elif tag == "label":
            self._label = attrs.get("for")
            self.labels.setdefault(self._label, "")
        elif tag == "td":
            self._cell = {"inputs": [], "text": ""}
            self.cells.append(self._cell)

    def handle_endtag(self, tag):
        if tag == "label":
            self._label = None
        elif tag == "td":
            self._cell = None

    def handle_data(self, data):
        if self._label is not None:
            self.labels[self._label] += data
        if self._cell is not None:
            self._cell["text"] += data


def parse(page):
    parser = Inputs()
    parser.feed(page)
    return parser


def cell_of(parsed, name):
    return next(cell for cell in parsed.cells if name in cell["inputs"])


def test_every_representative_input_has_an_accessible_name(client_for, front_desk):
    parsed = parse(client_for(front_desk).get(reverse("visitors:contact_register")).content.decode())
    rows = [i for i in parsed.inputs if (i.get("name") or "").startswith("reps-") and i.get("type") != "hidden"]
    assert len(rows) == 15  # five representatives × 姓名, 身份证号, 电话
    for attrs in rows:
        named = attrs.get("aria-label") or parsed.labels.get(attrs.get("id"), "").strip()
        assert named, attrs
    assert parsed.labels["id_reps-0-name"] == "代表1 姓名"
    assert parsed.labels["id_reps-4-phone"] == "代表5 电话"


def test_a_representative_row_in_error_says_why_beside_the_cell_and_saves_nothing(client_for, front_desk):
    data = registration_form(
        people_count=6,
        **{
            "reps-0-name": "代表甲",
            "reps-0-id_number": "33010619800101002",  # 17 digits
            "reps-1-phone": "13905710004",  # a phone, but no name: the row would be dropped
            "reps-2-name": "代" * 31,
        },
    )
    response = client_for(front_desk).post(reverse("visitors:contact_register"), data)
    assert response.status_code == 400
    parsed = parse(response.content.decode())
    assert "身份证号应为18位" in cell_of(parsed, "reps-0-id_number")["text"]
    assert "请填写代表姓名" in cell_of(parsed, "reps-1-name")["text"]
    assert "请填写代表姓名" not in cell_of(parsed, "reps-1-phone")["text"]
    assert "代表姓名不能超过30个字" in cell_of(parsed, "reps-2-name")["text"]
    assert "请填写代表姓名" not in cell_of(parsed, "reps-0-name")["text"]  # 代表甲 is named
    error_ids = [i for i in parsed.inputs if i.get("aria-invalid") == "true" and i.get("name", "").startswith("reps-")]
    assert {i["name"] for i in error_ids} == {"reps-0-id_number", "reps-1-name", "reps-2-name"}
    assert all(i["aria-describedby"] == f"{i['id']}_error" for i in error_ids)
    assert not Contact.objects.exists()


def test_a_draft_with_a_nameless_representative_is_refused_too(client_for, front_desk):
    data = registration_form(action="draft", **{"reps-0-id_number": VALID_IDS[0]})
    response = client_for(front_desk).post(reverse("visitors:contact_register"), data)
    assert response.status_code == 400
    assert "请填写代表姓名" in cell_of(parse(response.content.decode()), "reps-0-name")["text"]
    assert not Contact.objects.exists()


def test_named_representatives_are_saved(client_for, front_desk):
    data = registration_form(
        people_count=6, **{"reps-0-name": "代表甲", "reps-0-id_number": VALID_IDS[0], "reps-1-name": "代表乙"}
    )
    assert client_for(front_desk).post(reverse("visitors:contact_register"), data).status_code == 302
    assert sorted(Contact.objects.get().representatives.values_list("name", flat=True)) == ["代表乙", "代表甲"]


# --- 受理并交办 ------------------------------------------------------------------------------------------------


@pytest.fixture
def opened(register, front_desk, departments):
    return workflow.open_case(register(), by=front_desk, petition_type="claim")


def test_accept_form_offers_the_department_picker(opened, client_for, office_director):
    page = client_for(office_director).get(opened.get_absolute_url() + "?step=accept").content.decode()
    form = page[page.index('name="accept-notice_text"') :]
    picker = form[form.index("data-department-picker") :]
    assert "data-picker-search" in picker and 'aria-label="搜索部门名称"' in picker
    assert "全部站所" in picker and "全部村（居）" in picker
    assert 'type="checkbox" name="accept-support_departments"' in picker
    assert "综合文化站（无账号）" in picker
    leader = form[form.index('name="accept-leader"') :]
    leader = leader[: leader.index("</select>")]
    names = re.findall(r'<option value="\d+"[^>]*>([^<]+)</option>', leader)
    ranks = {
        u.full_name: (u.position.rank, u.pk)
        for u in User.objects.filter(full_name__in=[n.split("（")[0] for n in names])
    }
    assert len(names) >= 3 and [n.split("（")[0] for n in names] == sorted(ranks, key=ranks.get)
    assert "陈刚（党委委员、副镇长）" in names


def test_support_departments_chosen_in_the_picker_are_kept_and_an_unstaffed_one_refused_beside_it(
    opened, client_for, office_director, deputy, departments
):
    url = reverse("visitors:case_step", args=[opened.code, "accept"])
    data = {
        "accept-notice_text": "已受理",
        "accept-severity": "minor",
        "accept-leader": deputy.pk,
        "accept-lead_department": departments["司法所"].pk,
        "accept-deadline": timezone.localdate().isoformat(),
        "accept-support_departments": [departments["财政所"].pk, departments["综合文化站"].pk],
    }
    response = client_for(office_director).post(url, data)
    assert response.status_code == 400
    page = response.content.decode()
    field = page[page.index("data-department-picker") :]
    field = page[: page.index("data-department-picker")].rsplit("<fieldset", 1)[1] + field[: field.index("</fieldset>")]
    assert "综合文化站 没有可用的用户账号" in field
    assert PetitionCase.objects.get(pk=opened.pk).status == opened.status
    data["accept-support_departments"] = [departments["财政所"].pk]
    assert client_for(office_director).post(url, data).status_code == 302
    case = PetitionCase.objects.get(pk=opened.pk)
    assert list(case.support_departments.values_list("name", flat=True)) == ["财政所"]
