from datetime import timedelta
from decimal import Decimal

from django.core.files.base import ContentFile
from django.utils import timezone

from township_office.models import Department, User

from . import workflow
from .models import ChecklistItem, Guest, ItineraryItem, Material, MeetingRoom, Reception

PDF = b"%PDF-1.4\n%%EOF\n"


def seed():
    for name, capacity in (("一楼会议室", 30), ("三楼会议室", 12)):
        MeetingRoom.objects.get_or_create(name=name, defaults={"capacity": capacity})
    if Reception.objects.exists():
        return
    clerk = User.objects.get(username="clerk")
    start = timezone.localtime().replace(hour=9, minute=0, second=0, microsecond=0) + timedelta(days=3)
    reception = Reception(
        visiting_unit="县农业农村局",
        purpose="高标准农田建设项目现场督导",
        letter_number="县农函〔2026〕56号",
        letter_date=timezone.localdate(),
        start=start,
        end=start + timedelta(hours=6),
        has_meal=True,
        meal_time=start + timedelta(hours=3),
        meal_place="镇机关食堂",
        meal_menu="家常菜四菜一汤",
        meal_diners=2,
        meal_cost_per_person=Decimal("40"),
        vehicles="镇公务用车一辆",
        created_by=clerk,
    )
    reception.letter_scan.save("县农函56号.pdf", ContentFile(PDF), save=False)
    reception.save()
    workflow.plans.begin(reception, by=clerk)
    reception.accompanying_leaders.set([User.objects.get(username="deputy_leader")])
    for name, title in (("赵建平", "副局长"), ("钱红", "科长"), ("孙伟", "科员")):
        Guest.objects.create(reception=reception, name=name, unit="县农业农村局", title=title)
    ItineraryItem.objects.create(
        reception=reception,
        start=start,
        end=start + timedelta(hours=1),
        place="一楼会议室",
        activity="听取项目进展汇报",
        meeting_room=MeetingRoom.objects.get(name="一楼会议室"),
        department=Department.objects.get(name="农业农村办公室"),
        accompanying="陈刚",
    )
    ItineraryItem.objects.create(
        reception=reception,
        start=start + timedelta(hours=1, minutes=30),
        end=start + timedelta(hours=3),
        place="柳林村",
        activity="查看高标准农田项目现场",
        accompanying="陈刚、黄磊",
    )
    Material.objects.create(
        reception=reception,
        title="高标准农田建设项目进展汇报",
        deadline=timezone.localdate() + timedelta(days=2),
        department=Department.objects.get(name="农业农村办公室"),
    )
    for text in ("确认来访人员名单", "落实会议室与座次", "确认用车"):
        ChecklistItem.objects.create(reception=reception, text=text)
    workflow.submit(reception, by=clerk)
