from datetime import timedelta
from decimal import Decimal

import pytest
from django.core.files.base import ContentFile
from django.utils import timezone

from reception.models import Guest, ItineraryItem, MeetingRoom, Reception


@pytest.fixture
def rooms(township):
    return {n: MeetingRoom.objects.create(name=n) for n in ("一楼会议室", "三楼会议室")}


@pytest.fixture
def make_reception(clerk, deputy, rooms):
    def make(guests=3, diners=2, start=None, room="一楼会议室", leaders=None, **extra):
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
        return reception

    return make
