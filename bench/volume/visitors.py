"""来访与信访 over N × ten years (20,000 contacts and petitions per ×1), with the grants the workflow gives.

As ``visitors.workflow`` makes them: about a third of the contacts become petition cases; an accepted case
grants the instructing leader view+instruct and the lead department view+handle (its group). Serials continue
from the sequence so that later registrations stay gapless.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from sequences.models import Sequence

from township_office.models import Department
from township_office.roles import Role, role_users
from visitors.idnumber import check_character
from visitors.models import (
    Category,
    Contact,
    PetitionCase,
    PetitionCaseGroupObjectPermission,
    PetitionCaseUserObjectPermission,
)

PER_SCALE = 20_000
YEARS = 10
NAMES = ["张建军", "王秀英", "李明", "刘桂兰", "陈志强", "杨丽", "赵永福", "黄海", "周红梅", "吴建国"]
MATTERS = [
    "承包地被占用，补偿款未落实",
    "反映低保申请进度",
    "邻里宅基地纠纷",
    "拖欠农民工工资",
    "道路硬化施工扬尘",
    "询问耕地地力保护补贴发放",
    "养殖场异味扰民",
    "危房改造补助",
]


def _id_number(rng):
    first17 = (
        f"330106{rng.randint(1950, 2000)}{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return first17 + check_character(first17)


def generate(scale, rng, out=print):
    today = timezone.localdate()
    desk = list(role_users(Role.FRONT_DESK))
    deputies = list(role_users(Role.DEPUTY_LEADER))
    departments = list(Department.objects.exclude(kind=Department.Kind.OFFICE).select_related("group"))
    ct = ContentType.objects.get_for_model(PetitionCase)
    perm = {
        c: Permission.objects.get(content_type=ct, codename=f"{c}_petitioncase") for c in ("view", "instruct", "handle")
    }
    people = [(rng.choice(NAMES), _id_number(rng), f"139057{rng.randint(10000, 99999)}") for _ in range(3000)]
    per_year = max(1, int(PER_SCALE * scale) // YEARS)
    S = PetitionCase.Status
    counts = {"contacts": 0, "cases": 0, "grants": 0}
    for year in range(today.year - YEARS + 1, today.year + 1):
        contacts = []
        for _ in range(per_year):
            day = datetime(year, 1, 1).date() + timedelta(days=rng.randint(0, 364))
            if day > today:
                day = today - timedelta(days=rng.randint(0, 30))
            name, id_number, phone = rng.choice(people)  # people come back: repeat petitions
            channel = rng.choice(["visit", "visit", "call", "letter"])
            contacts.append(
                Contact(
                    channel=channel,
                    received_at=timezone.make_aware(datetime.combine(day, time(9 + rng.randint(0, 7), 0))),
                    received_by=rng.choice(desk),
                    name=name,
                    id_number=id_number if channel == "visit" else "",
                    phone=phone,
                    address="石桥村",
                    matter=rng.choice(MATTERS),
                    category=rng.choice(Category.values),
                    status=Contact.Status.OPEN,
                )
            )
        cases, user_grants, group_grants = [], [], []
        with transaction.atomic():
            Contact.objects.bulk_create(contacts, batch_size=1000)
            name = f"visitors.case.{year}"
            serial = Sequence.objects.filter(name=name).values_list("last", flat=True).first() or 0
            for contact in contacts:
                if rng.random() < 0.7:
                    contact.status = Contact.Status.ANSWERED
                    continue
                contact.status = Contact.Status.CASE
                serial += 1
                received = timezone.localtime(contact.received_at).date()
                age = (today - received).days
                status = S.CLOSED if age > 90 else rng.choice([S.REGISTERED, S.INSTRUCTING, S.HANDLING, S.REPLIED])
                accepted = status != S.REGISTERED
                cases.append(
                    PetitionCase(
                        contact=contact,
                        year=year,
                        serial=serial,
                        petition_type=rng.choice(PetitionCase.Type.values),
                        category=contact.category,
                        received_on=received,
                        status=status,
                        accepted_on=received + timedelta(days=3) if accepted else None,
                        notice_sent_on=received + timedelta(days=3) if accepted else None,
                        notice_text="已受理" if accepted else "",
                        deadline=received + timedelta(days=60) if accepted else None,
                        instructing_leader=rng.choice(deputies) if accepted else None,
                        lead_department=rng.choice(departments) if accepted else None,
                        replied_on=received + timedelta(days=40) if status in (S.REPLIED, S.CLOSED) else None,
                        satisfaction="satisfied" if status == S.CLOSED else "",
                    )
                )
            Contact.objects.bulk_update(
                [c for c in contacts if c.status != Contact.Status.OPEN], ["status"], batch_size=1000
            )
            PetitionCase.objects.bulk_create(cases, batch_size=1000)
            for case in cases:
                if case.instructing_leader_id:
                    user_grants += [
                        PetitionCaseUserObjectPermission(
                            user_id=case.instructing_leader_id, content_object=case, permission=perm[p]
                        )
                        for p in ("view", "instruct")
                    ]
                    group_grants += [
                        PetitionCaseGroupObjectPermission(
                            group=case.lead_department.group, content_object=case, permission=perm[p]
                        )
                        for p in ("view", "handle")
                    ]
            PetitionCaseUserObjectPermission.objects.bulk_create(user_grants, batch_size=1000, ignore_conflicts=True)
            PetitionCaseGroupObjectPermission.objects.bulk_create(group_grants, batch_size=1000, ignore_conflicts=True)
            Sequence.objects.update_or_create(name=name, defaults={"last": serial})
        counts["contacts"] += len(contacts)
        counts["cases"] += len(cases)
        counts["grants"] += len(user_grants) + len(group_grants)
        out(f"    来访信访 {year}: {len(contacts)}")
    return counts
