"""Existing rows brought in line with the step declarations and the normalised identity data.

1. ID numbers and phones are stored normalised (full-width digits folded, phones in one form), so that repeat
   detection and search find the same person however the number was typed. A value that cannot be normalised
   (an invalid phone typed years ago) is kept as it was, trimmed.
2. Each case records who opened it (from the 立案 audit event; the registering person otherwise).
3. 我的待办 now reads work items only: every contact and case gets its Matter (我发起的), and each one waiting for
   someone gets the work item the steps would have written (待答复或立案, 待受理, 待批示, 待办理, 待批准延期,
   待回访办结).
"""

from datetime import timedelta

from django.db import migrations
from django.urls import reverse
from django.utils import timezone


def normalise(apps, schema_editor):
    from visitors.idnumber import normalise_id_number
    from visitors.phones import normalise_phone

    Contact = apps.get_model("visitors", "Contact")
    Representative = apps.get_model("visitors", "Representative")
    for model in (Contact, Representative):
        changed = []
        for row in model.objects.only("pk", "id_number", "phone").iterator(chunk_size=2000):
            id_number = normalise_id_number(row.id_number)[:18]
            phone = normalise_phone(row.phone)[:20]
            if (id_number, phone) != (row.id_number, row.phone):
                row.id_number, row.phone = id_number, phone
                changed.append(row)
        model.objects.bulk_update(changed, ["id_number", "phone"], batch_size=1000)


def opened_by(apps, schema_editor):
    PetitionCase = apps.get_model("visitors", "PetitionCase")
    AuditEvent = apps.get_model("township_office", "AuditEvent")
    openers = dict(
        AuditEvent.objects.filter(object_type="visitors.petitioncase", action="信访事项立案", actor__isnull=False)
        .order_by("created_at")
        .values_list("object_code", "actor_id")
    )
    changed = []
    for case in PetitionCase.objects.filter(opened_by__isnull=True).select_related("contact").iterator(chunk_size=2000):
        case.opened_by_id = openers.get(str(case.code), case.contact.received_by_id)
        changed.append(case)
    PetitionCase.objects.bulk_update(changed, ["opened_by"], batch_size=1000)


def _users_in(apps, role):
    User = apps.get_model("township_office", "User")
    return list(User.objects.filter(is_active=True, groups__name=role).values_list("pk", flat=True).distinct())


def work_items(apps, schema_editor):
    ContentType = apps.get_model("contenttypes", "ContentType")
    Matter = apps.get_model("township_office", "Matter")
    WorkItem = apps.get_model("township_office", "WorkItem")
    Contact = apps.get_model("visitors", "Contact")
    PetitionCase = apps.get_model("visitors", "PetitionCase")
    Township = apps.get_model("township_office", "Township")
    now = timezone.now()
    contact_type, _ = ContentType.objects.get_or_create(app_label="visitors", model="contact")
    case_type, _ = ContentType.objects.get_or_create(app_label="visitors", model="petitioncase")
    township = Township.objects.order_by("pk").first()
    prefix = township.case_number_prefix if township else "信"
    channels = dict(Contact._meta.get_field("channel").choices)
    contact_states = dict(Contact._meta.get_field("status").choices)
    case_states = dict(PetitionCase._meta.get_field("status").choices)
    directors = _users_in(apps, "office_director")
    desk = _users_in(apps, "front_desk")
    tracked = {
        (ct, oid) for ct, oid in Matter.objects.filter(content_type__in=[contact_type, case_type]).values_list(
            "content_type_id", "object_id"
        )
    }

    matters, items = [], []  # items as (index of the matter, fields)
    for c in Contact.objects.iterator(chunk_size=2000):
        if (contact_type.pk, c.pk) in tracked:
            continue
        matters.append(
            Matter(
                content_type=contact_type,
                object_id=c.pk,
                kind="来访登记",
                title=f"{channels.get(c.channel, '')} {c.name}：{c.matter[:30]}"[:200],
                url=reverse("visitors:contact_detail", args=[c.code]),
                state=contact_states.get(c.status, ""),
                initiator_id=c.received_by_id,
                created_at=c.received_at,
                updated_at=now,
            )
        )
        if c.status == "open":
            items.append((len(matters) - 1, [{"step": "answer", "label": "待答复或立案", "assignee_id": c.received_by_id}]))
    for case in PetitionCase.objects.select_related("contact").iterator(chunk_size=2000):
        if (case_type.pk, case.pk) in tracked:
            continue
        matters.append(
            Matter(
                content_type=case_type,
                object_id=case.pk,
                kind="信访事项",
                title=f"{prefix}〔{case.year}〕{case.serial}号 {case.contact.matter[:40]}"[:200],
                url=reverse("visitors:case_detail", args=[case.code]),
                state=case_states.get(case.status, ""),
                initiator_id=case.opened_by_id,
                created_at=case.created_at,
                updated_at=now,
            )
        )
        deadline = case.deadline
        if deadline and case.extension_days:
            deadline = deadline + timedelta(days=case.extension_days)
        waiting = []
        if case.status == "registered":
            due = case.received_on + timedelta(days=15)
            waiting = [{"step": "accept", "label": "待受理", "assignee_id": pk, "due": due} for pk in directors]
        elif case.status == "instructing" and case.instructing_leader_id:
            waiting = [{"step": "instruct", "label": "待批示", "assignee_id": case.instructing_leader_id}]
        elif case.status == "handling":
            if case.lead_department_id:
                waiting.append(
                    {
                        "step": "report_progress",
                        "label": "待办理（主办）",
                        "department_id": case.lead_department_id,
                        "due": deadline,
                    }
                )
            if case.extension_requested_days and not case.extension_days and case.instructing_leader_id:
                waiting.append(
                    {
                        "step": "approve_extension",
                        "label": "待批准延期",
                        "assignee_id": case.instructing_leader_id,
                        "due": deadline,
                    }
                )
        elif case.status == "replied":
            people = [case.opened_by_id] if case.opened_by_id in desk + directors else desk
            waiting = [{"step": "close", "label": "待回访办结", "assignee_id": pk} for pk in people]
        if waiting:
            items.append((len(matters) - 1, waiting))
    Matter.objects.bulk_create(matters, batch_size=1000)
    if not items:
        return
    # bulk_create sets the pks on PostgreSQL and SQLite ≥ 3.35; read them back where it did not
    for index, _ in items:
        matter = matters[index]
        if matter.pk is None:
            matter.pk = Matter.objects.get(content_type=matter.content_type_id, object_id=matter.object_id).pk
    rows = [
        WorkItem(matter_id=matters[index].pk, kind="act", created_at=now, **fields)
        for index, waiting in items
        for fields in waiting
    ]
    WorkItem.objects.bulk_create(rows, batch_size=1000)


class Migration(migrations.Migration):
    dependencies = [
        ("contenttypes", "0002_remove_content_type_name"),
        ("township_office", "0003_matter_workitem"),
        ("visitors", "0004_drafts_withdrawn_opened_by"),
    ]

    operations = [
        migrations.RunPython(normalise, migrations.RunPython.noop),
        migrations.RunPython(opened_by, migrations.RunPython.noop),
        migrations.RunPython(work_items, migrations.RunPython.noop),
    ]
