"""收文 and 发文 over N × ten years, shaped like what the documents workflow creates.

Per ×1: 50,000 incoming files (with 拟办, 批示, 传阅 and 承办 rows) and 10,000 outgoing documents,
and the guardian grants ``documents.workflow`` gives at each step (leaders: view+instruct, readers:
view+read, departments: view+handle, drafters: view, signers: view+sign_off; 内部/工作秘密 files: the clerk
and the office director). Bulk inserts in batches; the per-year serials continue gaplessly afterwards.
"""

from datetime import datetime, time, timedelta

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from sequences.models import Sequence

from bench.volume import attachment
from documents.models import (
    Assignment,
    Circulation,
    DocType,
    IncomingDocument,
    IncomingDocumentGroupObjectPermission,
    IncomingDocumentUserObjectPermission,
    Instruction,
    OutgoingDocument,
    OutgoingDocumentUserObjectPermission,
    Retention,
    Secrecy,
    Urgency,
)
from tests import preview_samples
from township_office.models import Department, IssuerCode, User
from township_office.roles import Role, role_users

INCOMING_PER_SCALE = 50_000
OUTGOING_PER_SCALE = 10_000
BATCH = 2_000
YEARS = 10

SOURCES = [
    ("县人民政府办公室", "县政办发"),
    ("县委办公室", "县委办发"),
    ("县农业农村局", "县农发"),
    ("县自然资源局", "县自然资发"),
    ("县财政局", "县财发"),
    ("县应急管理局", "县应急发"),
    ("县民政局", "县民发"),
    ("县纪委监委", "县纪发"),
    ("县委组织部", "县组通"),
    ("县司法局", "县司发"),
    ("县退役军人事务局", "县退役军人发"),
    ("县卫生健康局", "县卫健发"),
]
SUBJECTS = [
    "秋冬季森林防火工作",
    "高标准农田建设项目验收",
    "农村人居环境整治",
    "安全生产大检查",
    "防汛抗旱应急演练",
    "耕地保护和土地卫片执法",
    "乡村振兴衔接资金管理",
    "基层党组织建设",
    "信访积案化解",
    "城乡居民医疗保险征缴",
    "退役军人优待抚恤",
    "村级财务审计",
    "禁毒宣传教育",
    "人口普查数据质量核查",
    "秸秆禁烧",
    "农村危房改造",
    "河长制巡河",
    "道路交通安全整治",
    "扫黑除恶常态化",
    "食品安全专项检查",
]
VERBS = ["关于做好", "关于开展", "关于进一步加强", "关于印发", "关于报送", "关于组织"]
TAILS = ["的通知", "工作的意见", "的实施方案", "情况的函", "有关事项的通知", "的紧急通知"]
INSTRUCTIONS = [
    "请{dept}抓紧落实，按时报送。",
    "同意拟办意见，请{dept}牵头办理。",
    "阅。请{dept}认真研究，提出具体措施。",
    "请{dept}高度重视，确保按期完成。",
]


def _title(rng):
    return f"{rng.choice(VERBS)}{rng.choice(SUBJECTS)}{rng.choice(TAILS)}"


def _aware(day, rng):
    return timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))


def _perms(model, *names):
    ct = ContentType.objects.get_for_model(model)
    return {
        name: Permission.objects.get(content_type=ct, codename=f"{name}_{model._meta.model_name}") for name in names
    }


def _incoming_status(rng, age_years):
    """Older years are archived or completed; this year is spread over every state."""
    S = IncomingDocument.Status
    roll = rng.random()
    if age_years >= 1:
        return S.ARCHIVED if roll < 0.8 else S.COMPLETED if roll < 0.98 else S.RETURNED
    for status, upto in [
        (S.REGISTERED, 0.04),
        (S.RETURNED, 0.06),
        (S.INSTRUCTING, 0.14),
        (S.HANDLING, 0.34),
        (S.COMPLETED, 0.7),
    ]:
        if roll < upto:
            return status
    return S.ARCHIVED


def generate(scale, rng, out=print):
    today = timezone.localdate()
    first_year = today.year - YEARS + 1
    leaders = sorted(
        role_users(Role.PRINCIPAL_LEADER, Role.DEPUTY_LEADER).select_related("position"),
        key=lambda u: (getattr(getattr(u, "position", None), "rank", 999), u.pk),
    )
    clerks = list(role_users(Role.CLERK))
    directors = list(role_users(Role.OFFICE_DIRECTOR))
    departments = list(Department.objects.exclude(kind=Department.Kind.OFFICE).select_related("group"))
    staff = list(User.objects.filter(department__in=departments)) or clerks
    in_perms = _perms(IncomingDocument, "view", "instruct", "read", "handle")
    out_perms = _perms(OutgoingDocument, "view", "sign_off")
    counts = {"incoming": 0, "instructions": 0, "circulations": 0, "assignments": 0, "grants": 0, "outgoing": 0}

    per_year = max(1, int(INCOMING_PER_SCALE * scale) // YEARS)
    start_serials = {
        y: (IncomingDocument.objects.filter(year=y).order_by("-serial").values_list("serial", flat=True).first() or 0)
        for y in range(first_year, today.year + 1)
    }
    for year in range(first_year, today.year + 1):
        age = today.year - year
        last_day = today if age == 0 else datetime(year, 12, 31).date()
        span = (last_day - datetime(year, 1, 1).date()).days or 1
        # Serials follow the date of receipt, as the register does.
        days = sorted(datetime(year, 1, 1).date() + timedelta(days=rng.randint(0, span)) for _ in range(per_year))
        serial = start_serials[year]
        for offset in range(0, per_year, BATCH):
            chunk_days = days[offset : offset + BATCH]
            docs = []
            for day in chunk_days:
                serial += 1
                source, prefix = rng.choice(SOURCES)
                status = _incoming_status(rng, age)
                received = _aware(day, rng)
                phone = rng.random() < 0.05
                secret = rng.random() < 0.02
                routed = status not in (IncomingDocument.Status.REGISTERED, IncomingDocument.Status.RETURNED)
                done = status in (IncomingDocument.Status.COMPLETED, IncomingDocument.Status.ARCHIVED)
                doc = IncomingDocument(
                    kind=IncomingDocument.Kind.PHONE if phone else IncomingDocument.Kind.FILE,
                    year=year,
                    serial=serial,
                    source_org=source,
                    source_doc_number="" if phone else f"{prefix}〔{year}〕{rng.randint(1, 260)}号",
                    title=_title(rng),
                    doc_type=DocType.MEETING_NOTICE if phone else rng.choice(DocType.values),
                    secrecy=rng.choice([Secrecy.INTERNAL, Secrecy.WORK_SECRET]) if secret else Secrecy.NONE,
                    secrecy_term="一年" if secret else "",
                    urgency=rng.choices(Urgency.values, weights=[85, 12, 3])[0],
                    copies=rng.randint(1, 3),
                    pages=rng.randint(1, 12),
                    deadline=day + timedelta(days=rng.choice([3, 7, 10, 15, 30])) if rng.random() < 0.6 else None,
                    nature=IncomingDocument.Nature.FOR_READING
                    if rng.random() < 0.3
                    else IncomingDocument.Nature.FOR_ACTION,
                    signed_for_at=received,
                    registered_by=rng.choice(clerks),
                    registered_at=received,
                    caller="县政府办 值班员" if phone else "",
                    call_time=received if phone else None,
                    content="通知各乡镇按要求落实。" if phone else "",
                    status=status,
                    return_reason="非本单位办理事项，退回来文单位。"
                    if status == IncomingDocument.Status.RETURNED
                    else "",
                    proposal="拟请分管领导阅示，相关站所室办理。" if routed else "",
                    proposal_by=rng.choice(directors) if routed else None,
                    proposal_at=received + timedelta(hours=2) if routed else None,
                    result="已按要求办理完毕并报送。" if done else "",
                    completed_at=received + timedelta(days=rng.randint(1, 20)) if done else None,
                    retention=rng.choice(Retention.values) if status == IncomingDocument.Status.ARCHIVED else "",
                    archived_at=received + timedelta(days=60) if status == IncomingDocument.Status.ARCHIVED else None,
                )
                docs.append(doc)
            with transaction.atomic():
                IncomingDocument.objects.bulk_create(docs, batch_size=500)
                _incoming_children(docs, rng, leaders, clerks, directors, departments, in_perms, counts)
            counts["incoming"] += len(docs)
        Sequence.objects.update_or_create(name=f"documents.incoming.{year}", defaults={"last": serial})
        out(f"    收文 {year}: {per_year}")

    _outgoing(scale, rng, today, first_year, leaders, staff, departments, out_perms, counts, out)
    return counts


def _incoming_children(docs, rng, leaders, clerks, directors, departments, perms, counts):
    S = IncomingDocument.Status
    through = IncomingDocument.instructing_leaders.through
    leader_rows, instructions, circulations, assignments, user_grants, group_grants = [], [], [], [], [], []
    for doc in docs:
        if doc.is_restricted:
            for person in {rng.choice(clerks), *directors}:
                user_grants.append((person, doc, "view"))
        if doc.status in (S.REGISTERED, S.RETURNED):
            continue
        chosen = rng.sample(leaders, k=min(len(leaders), rng.choice([1, 1, 2])))
        lead, *support = rng.sample(departments, k=rng.choice([1, 1, 2, 3]))
        for leader in chosen:
            leader_rows.append(through(incomingdocument_id=doc.pk, user_id=leader.pk))
            user_grants += [(leader, doc, "view"), (leader, doc, "instruct")]
            if doc.status != S.INSTRUCTING:
                instructions.append(
                    Instruction(
                        document=doc,
                        leader=leader,
                        text=rng.choice(INSTRUCTIONS).format(dept=lead.name),
                        signed_at=doc.proposal_at + timedelta(hours=rng.randint(1, 48)),
                    )
                )
        assignments.append(Assignment(document=doc, department=lead, role=Assignment.Role.LEAD))
        assignments += [Assignment(document=doc, department=d, role=Assignment.Role.SUPPORT) for d in support]
        for department in [lead, *support]:
            group_grants += [(department.group, doc, "view"), (department.group, doc, "handle")]
        readers = sorted(
            rng.sample(leaders, k=min(len(leaders), rng.randint(2, 4))),
            key=lambda u: (getattr(getattr(u, "position", None), "rank", 999), u.pk),
        )
        finished = doc.status in (S.COMPLETED, S.ARCHIVED)
        for order, reader in enumerate(readers):
            sent = doc.proposal_at + timedelta(hours=order)
            read = finished or (doc.status == S.HANDLING and order < len(readers) - 1)
            circulations.append(
                Circulation(
                    document=doc,
                    reader=reader,
                    order=order,
                    sent_at=sent if (read or order == 0 or finished) else None,
                    read_at=sent + timedelta(hours=3) if read else None,
                    comment="已阅。" if read else "",
                )
            )
            user_grants += [(reader, doc, "view"), (reader, doc, "read")]
    through.objects.bulk_create(leader_rows, batch_size=1000, ignore_conflicts=True)
    Instruction.objects.bulk_create(instructions, batch_size=1000)
    Circulation.objects.bulk_create(circulations, batch_size=1000)
    Assignment.objects.bulk_create(assignments, batch_size=1000)
    seen = set()
    user_rows = []
    for user, doc, perm in user_grants:
        key = (user.pk, doc.pk, perm)
        if key not in seen:
            seen.add(key)
            user_rows.append(
                IncomingDocumentUserObjectPermission(user=user, content_object=doc, permission=perms[perm])
            )
    group_rows = [
        IncomingDocumentGroupObjectPermission(group=group, content_object=doc, permission=perms[perm])
        for group, doc, perm in group_grants
    ]
    IncomingDocumentUserObjectPermission.objects.bulk_create(user_rows, batch_size=1000, ignore_conflicts=True)
    IncomingDocumentGroupObjectPermission.objects.bulk_create(group_rows, batch_size=1000, ignore_conflicts=True)
    counts["instructions"] += len(instructions)
    counts["circulations"] += len(circulations)
    counts["assignments"] += len(assignments)
    counts["grants"] += len(user_rows) + len(group_rows)


def _outgoing(scale, rng, today, first_year, leaders, staff, departments, perms, counts, out):
    S = OutgoingDocument.Status
    issuers = list(IssuerCode.objects.all())
    per_year = max(1, int(OUTGOING_PER_SCALE * scale) // YEARS)
    principal = [u for u in leaders if u.groups.filter(name=Role.PRINCIPAL_LEADER).exists()] or leaders
    content = preview_samples.docx(2, title="长官镇发文正文")
    for year in range(first_year, today.year + 1):
        age = today.year - year
        body = attachment(f"outgoing/{year}/01/bench.docx", content)
        serials = {
            i.pk: OutgoingDocument.objects.filter(issuer_code=i, year=year)
            .order_by("-serial")
            .values_list("serial", flat=True)
            .first()
            or 0
            for i in issuers
        }
        for offset in range(0, per_year, BATCH):
            docs = []
            for _ in range(min(BATCH, per_year - offset)):
                if age >= 1:
                    status = S.ARCHIVED if rng.random() < 0.85 else S.ISSUED
                else:
                    status = rng.choice(S.values)
                numbered = status in (S.SEALING, S.ISSUING, S.ISSUED, S.ARCHIVED)
                signed = numbered or status in (S.RECHECK, S.NUMBERING)
                issuer = rng.choice(issuers)
                serial = None
                if numbered:
                    serials[issuer.pk] += 1
                    serial = serials[issuer.pk]
                drafter = rng.choice(staff)
                created = _aware(
                    datetime(year, 1, 1).date()
                    + timedelta(days=rng.randint(0, 364 if age else today.timetuple().tm_yday - 1)),
                    rng,
                )
                docs.append(
                    OutgoingDocument(
                        issuer_code=issuer,
                        year=year if numbered else None,
                        serial=serial,
                        doc_number=f"{issuer.code}〔{year}〕{serial}号" if numbered else "",
                        title=f"长官镇{_title(rng)}",
                        doc_type=rng.choice(DocType.values),
                        importance=rng.choices(OutgoingDocument.Importance.values, weights=[70, 20, 10])[0],
                        urgency=rng.choices(Urgency.values, weights=[85, 12, 3])[0],
                        drafting_department=drafter.department or rng.choice(departments),
                        drafter=drafter,
                        body=body,
                        main_recipients="各村（居）委会，镇属各站所室",
                        cc_recipients="县人民政府办公室",
                        signer=rng.choice(principal if rng.random() < 0.4 else leaders) if signed else None,
                        status=status,
                        copies=rng.randint(10, 60) if status in (S.ISSUED, S.ARCHIVED) else None,
                        issued_on=created.date() + timedelta(days=5) if status in (S.ISSUED, S.ARCHIVED) else None,
                        created_at=created,
                        retention=rng.choice(Retention.values) if status == S.ARCHIVED else "",
                    )
                )
            with transaction.atomic():
                OutgoingDocument.objects.bulk_create(docs, batch_size=500)
                rows = []
                for doc in docs:
                    rows.append(
                        OutgoingDocumentUserObjectPermission(
                            user=doc.drafter, content_object=doc, permission=perms["view"]
                        )
                    )
                    if doc.signer and doc.signer.pk != doc.drafter.pk:
                        for name in ("view", "sign_off"):
                            rows.append(
                                OutgoingDocumentUserObjectPermission(
                                    user=doc.signer, content_object=doc, permission=perms[name]
                                )
                            )
                OutgoingDocumentUserObjectPermission.objects.bulk_create(rows, batch_size=1000, ignore_conflicts=True)
            counts["outgoing"] += len(docs)
            counts["grants"] += len(rows)
        for issuer in issuers:
            if serials[issuer.pk]:
                Sequence.objects.update_or_create(
                    name=f"documents.outgoing.{issuer.code}.{year}", defaults={"last": serials[issuer.pk]}
                )
        out(f"    发文 {year}: {per_year}")
