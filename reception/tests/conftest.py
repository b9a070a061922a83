from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reception import workflow
from reception.models import ChecklistItem, Guest, ItineraryItem, Material, MeetingRoom, Reception
from township_office.models import Department


@pytest.fixture
def rooms(township):
    return {n: MeetingRoom.objects.create(name=n) for n in ("一楼会议室", "三楼会议室")}


@pytest.fixture
def make_reception(clerk, deputy, rooms):
    """make(...) → a draft plan as the office saves it (tracked, drafted by the clerk unless ``created_by``)."""

    def make(guests=3, diners=2, start=None, room="一楼会议室", leaders=None, material=None, checklist=(), **extra):
        start = start or timezone.now().replace(microsecond=0) + timedelta(days=5)
        fields = {
            "visiting_unit": "县农业农村局",
            "purpose": "项目督导",
            "letter_number": "县农函〔2026〕56号",
            "letter_date": timezone.localdate(),
            "start": start,
            "end": start + timedelta(hours=4),
            "has_meal": True,
            "meal_time": start + timedelta(hours=3),
            "meal_place": "机关食堂",
            "meal_menu": "家常菜",
            "meal_diners": diners,
            "meal_cost_per_person": Decimal("40"),
            "created_by": clerk,
            **extra,
        }
        reception = Reception(**fields)
        reception.letter_scan.save("公函.pdf", ContentFile(b"%PDF-1.4"), save=False)
        reception.save()
        workflow.plans.begin(reception, by=reception.created_by)
        reception.accompanying_leaders.set(leaders if leaders is not None else [deputy])
        for i in range(guests):
            Guest.objects.create(reception=reception, name=f"来宾{i}", unit="县农业农村局", title="科员")
        ItineraryItem.objects.create(
            reception=reception,
            start=start,
            end=start + timedelta(hours=1),
            place="会议室",
            activity="听取汇报",
            meeting_room=rooms.get(room),
        )
        if material:
            Material.objects.create(
                reception=reception,
                title=material,
                deadline=timezone.localtime(start).date() - timedelta(days=1),
                department=Department.objects.get(name="农业农村办公室"),
            )
        for text in checklist:
            ChecklistItem.objects.create(reception=reception, text=text)
        return reception

    return make


@pytest.fixture
def costs():
    return {
        "meal_cost": Decimal("200.50"),
        "lodging_cost": Decimal("0"),
        "transport_cost": Decimal("35"),
        "other_cost": Decimal("12.3"),
    }
