"""公务接待 over N × ten years (2,000 receptions per ×1), with guests, itinerary, materials and grants.

As ``reception.workflow`` makes them: accompanying leaders get view, the departments preparing
materials get view (their group), the approver (principal leader for a major reception, office
director otherwise) gets view and approve. Meals keep within the standard, nothing forbidden is ticked.
"""

from datetime import datetime, time, timedelta
from decimal import Decimal

from django.conf import settings
from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone

from reception.models import (
    Guest,
    ItineraryItem,
    Material,
    Reception,
    ReceptionGroupObjectPermission,
    ReceptionUserObjectPermission,
)
from township_office.models import Department
from township_office.roles import Role, role_users

PER_SCALE = 2_000
YEARS = 10
UNITS = ["县农业农村局", "县自然资源局", "市乡村振兴局", "县委组织部", "县应急管理局", "县财政局", "市生态环境局"]
PURPOSES = ["调研高标准农田建设", "检查安全生产工作", "督导防汛备汛", "考核基层党建", "调研乡村振兴衔接资金使用"]
GUESTS = ["刘建华", "陈思远", "王海燕", "张卫东", "杨志明", "赵晓丽"]


def generate(scale, rng, out=print):
    today = timezone.localdate()
    leaders = list(role_users(Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER))
    principals = list(role_users(Role.PRINCIPAL_LEADER))
    directors = list(role_users(Role.OFFICE_DIRECTOR))
    departments = list(Department.objects.exclude(kind=Department.Kind.OFFICE).select_related("group"))
    ct = ContentType.objects.get_for_model(Reception)
    perm = {c: Permission.objects.get(content_type=ct, codename=f"{c}_reception") for c in ("view", "approve")}
    per_year = max(1, int(PER_SCALE * scale) // YEARS)
    standard = Decimal(settings.RECEPTION_MEAL_STANDARD)
    S = Reception.Status
    counts = {"receptions": 0, "grants": 0}
    for year in range(today.year - YEARS + 1, today.year + 1):
        rows = []
        for _ in range(per_year):
            day = datetime(year, 1, 1).date() + timedelta(days=rng.randint(0, 364))
            start = timezone.make_aware(datetime.combine(day, time(9, 0)))
            past = day < today
            status = (
                (S.CLOSED if rng.random() < 0.95 else S.CANCELLED)
                if past
                else rng.choice([S.DRAFT, S.PENDING, S.APPROVED])
            )
            major = rng.random() < 0.1
            approved = status in (S.APPROVED, S.CLOSED)
            diners = rng.randint(3, 8)
            cost = (standard * Decimal("0.9")).quantize(Decimal("1"))
            rows.append(
                Reception(
                    visiting_unit=rng.choice(UNITS),
                    purpose=rng.choice(PURPOSES),
                    letter_number=f"县农函〔{year}〕{rng.randint(1, 90)}号",
                    letter_date=day - timedelta(days=3),
                    start=start,
                    end=start + timedelta(hours=rng.choice([3, 6, 8])),
                    is_major=major,
                    has_meal=True,
                    meal_time=start + timedelta(hours=3),
                    meal_place="镇机关食堂",
                    meal_menu="家常菜四菜一汤",
                    meal_diners=diners,
                    meal_cost_per_person=cost,
                    vehicles="镇公务用车一辆",
                    status=status,
                    created_by=rng.choice(directors),
                    created_at=start - timedelta(days=5),
                    approved_by=(rng.choice(principals) if major else rng.choice(directors)) if approved else None,
                    approved_at=start - timedelta(days=2) if approved else None,
                    meal_cost=cost * diners if status == S.CLOSED else Decimal("0"),
                    closed_at=start + timedelta(days=2) if status == S.CLOSED else None,
                )
            )
        with transaction.atomic():
            Reception.objects.bulk_create(rows, batch_size=500)
            guests, items, materials, links, user_grants, group_grants = [], [], [], [], [], []
            through = Reception.accompanying_leaders.through
            for r in rows:
                guests += [
                    Guest(reception=r, name=n, unit=r.visiting_unit, title="科长") for n in rng.sample(GUESTS, 2)
                ]
                items += [
                    ItineraryItem(
                        reception=r,
                        start=r.start,
                        end=r.start + timedelta(hours=2),
                        place="镇会议室",
                        activity="听取工作汇报",
                    ),
                    ItineraryItem(
                        reception=r,
                        start=r.start + timedelta(hours=2),
                        end=r.end,
                        place="项目现场",
                        activity="实地察看",
                    ),
                ]
                department = rng.choice(departments)
                materials.append(
                    Material(
                        reception=r,
                        title="工作汇报材料",
                        department=department,
                        deadline=r.start.date() - timedelta(days=1),
                        done_at=r.start - timedelta(days=1) if r.status == S.CLOSED else None,
                    )
                )
                group_grants.append(
                    ReceptionGroupObjectPermission(group=department.group, content_object=r, permission=perm["view"])
                )
                for leader in rng.sample(leaders, k=min(2, len(leaders))):
                    links.append(through(reception_id=r.pk, user_id=leader.pk))
                    user_grants.append(
                        ReceptionUserObjectPermission(user=leader, content_object=r, permission=perm["view"])
                    )
                for person in principals if r.is_major else directors:
                    user_grants += [
                        ReceptionUserObjectPermission(user=person, content_object=r, permission=perm[p])
                        for p in ("view", "approve")
                    ]
            Guest.objects.bulk_create(guests, batch_size=1000)
            ItineraryItem.objects.bulk_create(items, batch_size=1000)
            Material.objects.bulk_create(materials, batch_size=1000)
            through.objects.bulk_create(links, batch_size=1000, ignore_conflicts=True)
            ReceptionUserObjectPermission.objects.bulk_create(user_grants, batch_size=1000, ignore_conflicts=True)
            ReceptionGroupObjectPermission.objects.bulk_create(group_grants, batch_size=1000, ignore_conflicts=True)
        counts["receptions"] += len(rows)
        counts["grants"] += len(user_grants) + len(group_grants)
        out(f"    接待 {year}: {per_year}")
    return counts
