import pytest
from django.utils import timezone

from township_office.models import Department
from visitors import workflow

VALID_IDS = ["330106198001010021", "330106197503120015", "330122199002151234", "330106198505203310"]


def registration_form(**changes):
    """The POST data of 登记来访 for one walk-in visitor, with ``changes`` (a field given as None is left out)."""
    data = {
        "channel": "visit",
        "received_at": timezone.localtime().strftime("%Y-%m-%dT%H:%M"),
        "name": "张建军",
        "id_number": VALID_IDS[1],
        "phone": "13905710003",
        "people_count": 1,
        "category": "land",
        "matter": "承包地被占用",
        "outcome": "register",
        "reps-TOTAL_FORMS": 5,
        "reps-INITIAL_FORMS": 0,
        **changes,
    }
    return {name: value for name, value in data.items() if value is not None}


@pytest.fixture
def departments(township):
    """The demo departments; 纪检监察办公室, 司法所 and 财政所 get an account each (a department without one
    cannot be chosen), 综合文化站 stays without."""
    from django.contrib.auth.models import Group

    from township_office.models import User

    by_name = {d.name: d for d in Department.objects.all()}
    staff_role = Group.objects.get(name="department_staff")
    for username, name in [("jijian", "纪检监察办公室"), ("sifa", "司法所"), ("caizheng", "财政所")]:
        user, _ = User.objects.get_or_create(
            username=username, defaults={"full_name": f"{name}经办人", "department": by_name[name]}
        )
        user.groups.add(staff_role)
    return by_name


@pytest.fixture
def register(front_desk):
    def make(name="张建军", id_number=VALID_IDS[1], phone="13905710003", channel="visit", draft=False, **extra):
        data = {
            "channel": channel,
            "received_at": timezone.now(),
            "name": name,
            "id_number": id_number,
            "phone": phone,
            "address": "石桥村",
            "matter": "承包地被占用，补偿款未落实",
            "category": "land",
            **extra,
        }
        return workflow.register_contact(by=front_desk, data=data, draft=draft)

    return make


@pytest.fixture
def accept(office_director):
    """accept(case, leader=…, lead_department=…, **more): the office director accepts a case as minor."""

    def run(case, *, leader, lead_department, **more):
        return workflow.accept(
            case,
            by=office_director,
            notice_text="已受理",
            severity="minor",
            leader=leader,
            lead_department=lead_department,
            **more,
        )

    return run


@pytest.fixture
def accepted(register, front_desk, accept, deputy, departments):
    case = workflow.open_case(register(), by=front_desk, petition_type="claim")
    accept(case, leader=deputy, lead_department=departments["自然资源所"], handled_with_opinion=True)
    case.refresh_from_db()
    return case
