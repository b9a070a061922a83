"""用印申请, 审批 and the hash-chained 用印登记簿 over N × ten years (30,000 requests and stampings per ×1).

Rows as ``seals.workflow`` makes them: a per-year serial, one approval step per level the seal's tier
needs (office → deputy → principal) with its approvers, the grants (applicant: view; approvers: view
and approve), and for each stamped request one register entry chained to the previous one's hash,
continuing from ``RegisterHead`` so that ``verify_register`` still holds.
"""

import hashlib
from datetime import UTC, datetime, time, timedelta

from django.contrib.auth.models import Permission
from django.contrib.contenttypes.models import ContentType
from django.db import transaction
from django.utils import timezone
from sequences.models import Sequence

from bench.volume import attachment
from seals.demo import SEALS
from seals.models import ApprovalStep, RegisterHead, Seal, SealRequest, SealRequestUserObjectPermission, Stamping
from tests import preview_samples
from township_office.models import Department, User
from township_office.roles import Role, role_users

PER_SCALE = 30_000
BATCH = 2_000
YEARS = 10
TITLES = [
    "耕地地力保护补贴发放情况证明",
    "村级公益事业项目合同",
    "关于申请防汛物资的报告",
    "农村低保对象审核表",
    "土地承包经营权流转合同",
    "干部任职证明",
    "安全生产责任书",
    "项目验收意见",
    "困难群众救助申请",
    "工作联系函",
]
RECIPIENTS = ["县农业农村局", "县自然资源局", "县财政局", "县民政局", "县人民政府办公室", "县应急管理局"]
LEVELS = {1: ["office", "deputy", "principal"], 2: ["office", "deputy"], 3: ["office"]}


def generate(scale, rng, out=print):
    keeper = User.objects.filter(username="seal_keeper").first() or role_users(Role.SEAL_KEEPER).first()
    for name, kind, tier, dept in SEALS:
        seal, _ = Seal.objects.get_or_create(
            name=name, defaults={"kind": kind, "tier": tier, "department": Department.objects.filter(name=dept).first()}
        )
        if keeper:
            seal.custodians.add(keeper)
    seals = list(Seal.objects.filter(status=Seal.Status.IN_USE))
    staff = list(User.objects.filter(department__isnull=False).exclude(department__kind=Department.Kind.OFFICE))
    approvers = {
        "office": list(role_users(Role.OFFICE_DIRECTOR)),
        "deputy": list(role_users(Role.DEPUTY_LEADER)),
        "principal": list(role_users(Role.PRINCIPAL_LEADER)),
    }
    ct = ContentType.objects.get_for_model(SealRequest)
    perm = {c: Permission.objects.get(content_type=ct, codename=f"{c}_sealrequest") for c in ("view", "approve")}
    head, _ = RegisterHead.objects.get_or_create(pk=1)
    seq, last_hash = head.last_seq, head.last_hash
    today = timezone.localdate()
    per_year = max(1, int(PER_SCALE * scale) // YEARS)
    counts = {"requests": 0, "steps": 0, "stampings": 0, "grants": 0}
    S = SealRequest.Status
    content = preview_samples.pdf(1)
    fingerprint = hashlib.sha256(content).hexdigest()
    for year in range(today.year - YEARS + 1, today.year + 1):
        age = today.year - year
        document = attachment(f"seals/{year}/01/bench.pdf", content)
        span = (today - datetime(year, 1, 1).date()).days if age == 0 else 364
        days = sorted(datetime(year, 1, 1).date() + timedelta(days=rng.randint(0, span)) for _ in range(per_year))
        serial = SealRequest.objects.filter(year=year).order_by("-serial").values_list("serial", flat=True).first() or 0
        for offset in range(0, per_year, BATCH):
            rows = []
            for day in days[offset : offset + BATCH]:
                serial += 1
                roll = rng.random()
                status = (
                    (S.STAMPED if roll < 0.93 else S.REJECTED if roll < 0.98 else S.VOID)
                    if age
                    else (
                        S.PENDING
                        if roll < 0.1
                        else S.APPROVED
                        if roll < 0.15
                        else S.REJECTED
                        if roll < 0.18
                        else S.STAMPED
                    )
                )
                applicant = rng.choice(staff)
                created = timezone.make_aware(datetime.combine(day, time(rng.randint(8, 17), rng.randint(0, 59))))
                copies = rng.randint(1, 5)
                title = rng.choice(TITLES)
                rows.append(
                    (
                        SealRequest(
                            year=year,
                            serial=serial,
                            applicant=applicant,
                            department=applicant.department,
                            title=f"{year}年{title}",
                            recipient=rng.choice(RECIPIENTS),
                            purpose=f"报送{title}",
                            copies=copies,
                            use_type=SealRequest.UseType.CONTRACT if "合同" in title else SealRequest.UseType.DOCUMENT,
                            document=document,
                            document_sha256=fingerprint,
                            status=status,
                            stamped_copies=copies if status == S.STAMPED else 0,
                            created_at=created,
                        ),
                        rng.choice(seals),
                    )
                )
            with transaction.atomic():
                SealRequest.objects.bulk_create([r for r, _ in rows], batch_size=500)
                seal_links, steps, grants, stampings = [], [], [], []
                for request, seal in rows:
                    seal_links.append(SealRequest.seals.through(sealrequest_id=request.pk, seal_id=seal.pk))
                    grants.append(
                        SealRequestUserObjectPermission(
                            user=request.applicant, content_object=request, permission=perm["view"]
                        )
                    )
                    for order, level in enumerate(LEVELS[seal.tier]):
                        people = approvers[level][:2] if level != "deputy" else [rng.choice(approvers[level])]
                        decided = request.status in (S.APPROVED, S.STAMPED) or (
                            request.status == S.PENDING and order == 0 and len(LEVELS[seal.tier]) > 1
                        )
                        rejected = request.status == S.REJECTED and order == len(LEVELS[seal.tier]) - 1
                        step = ApprovalStep(
                            request=request,
                            order=order,
                            level=level,
                            decision="approved" if decided else "rejected" if rejected else "pending",
                            decided_by=people[0] if (decided or rejected) else None,
                            comment="同意。" if decided else "用印事由不充分。" if rejected else "",
                            decided_at=request.created_at + timedelta(hours=order + 1)
                            if (decided or rejected)
                            else None,
                            document_sha256=request.document_sha256 if decided else "",
                        )
                        steps.append((step, people))
                        for person in people:
                            grants += [
                                SealRequestUserObjectPermission(user=person, content_object=request, permission=p)
                                for p in (perm["view"], perm["approve"])
                            ]
                    if request.status == S.STAMPED:
                        seq += 1
                        entry = Stamping(
                            seq=seq,
                            request=request,
                            seal=seal,
                            custodian=keeper,
                            copies=request.copies,
                            stamped_at=(request.created_at + timedelta(days=1)).astimezone(
                                UTC
                            ),  # as stored, for the hash
                            document_sha256=request.document_sha256,
                            prev_hash=last_hash,
                        )
                        entry.entry_hash = last_hash = entry.compute_hash()
                        stampings.append(entry)
                SealRequest.seals.through.objects.bulk_create(seal_links, batch_size=1000)
                ApprovalStep.objects.bulk_create([s for s, _ in steps], batch_size=1000)
                through = ApprovalStep.approvers.through
                through.objects.bulk_create(
                    [through(approvalstep_id=s.pk, user_id=p.pk) for s, people in steps for p in people],
                    batch_size=1000,
                    ignore_conflicts=True,
                )
                SealRequestUserObjectPermission.objects.bulk_create(grants, batch_size=1000, ignore_conflicts=True)
                Stamping.objects.bulk_create(stampings, batch_size=1000)
                RegisterHead.objects.filter(pk=head.pk).update(last_seq=seq, last_hash=last_hash)
            counts["requests"] += len(rows)
            counts["steps"] += len(steps)
            counts["stampings"] += len(stampings)
            counts["grants"] += len(grants)
        Sequence.objects.update_or_create(name=f"seals.request.{year}", defaults={"last": serial})
        out(f"    用印 {year}: {per_year}")
    return counts
