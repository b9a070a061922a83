"""Seal-use requests, approvals, stamping and introduction letters: every state change, checked here."""

from django.conf import settings
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.db.models import Sum
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions
from township_office.notifications import notify
from township_office.roles import Role, has_role, role_users
from township_office.uploads import sha256_of, validate_upload
from township_office.workflow import TransitionNotAllowed, transition

from .models import ApprovalStep, IntroductionLetter, RegisterHead, Seal, SealRequest, Stamping
from .permissions import APPLICANT_ROLES

R = SealRequest.Status
Level = ApprovalStep.Level


def deputies_in_charge(department):
    return list(role_users(Role.DEPUTY_LEADER).filter(position__in_charge_of=department))


def approval_chain(*, seals, use_type, contract_amount, department):
    """[(level, [approvers…]), …] from the highest tier, the use type and the applicant's department.

    Tier 3 → the office director; tier 2 → the deputy leader in charge of the department; tier 1 → that deputy
    and then the principal leader. 外带 and contracts above SEAL_CONTRACT_PRINCIPAL_AMOUNT always reach the
    principal leader."""
    highest = min(seal.tier for seal in seals)  # 1 is the highest tier
    levels = {3: [Level.OFFICE], 2: [Level.DEPUTY], 1: [Level.DEPUTY, Level.PRINCIPAL]}[highest]
    escalate = use_type == SealRequest.UseType.TAKE_OUT or (
        use_type == SealRequest.UseType.CONTRACT
        and contract_amount is not None
        and contract_amount > settings.SEAL_CONTRACT_PRINCIPAL_AMOUNT
    )
    if escalate and Level.PRINCIPAL not in levels:
        levels = [*levels, Level.PRINCIPAL]
    chain = []
    for level in levels:
        if level == Level.OFFICE:
            people = list(role_users(Role.OFFICE_DIRECTOR))
        elif level == Level.DEPUTY:
            people = deputies_in_charge(department)
            if not people:  # no deputy in charge: the principal leader decides
                continue
        else:
            people = list(role_users(Role.PRINCIPAL_LEADER))
        if not people:
            raise ValidationError(f"没有可以审批的{Level(level).label}，请联系系统管理员。")
        chain.append((level, people))
    if not chain:
        chain = [(Level.PRINCIPAL, list(role_users(Role.PRINCIPAL_LEADER)))]
    return chain


@transaction.atomic
def submit_request(*, by, data, seals, document):
    """用印申请: no request without the document to be stamped; only 在用 seals."""
    permissions.require(by, roles=APPLICANT_ROLES, message="只有站所室经办人或文书可以申请用印。")
    if by.department_id is None:
        raise ValidationError("您没有所在部门，不能申请用印。")
    if not document:
        raise ValidationError("请上传待用印的文件，不得在空白纸张上用印。")
    validate_upload(document, kinds=("pdf", "word", "excel", "image", "ofd"))
    seals = list(Seal.objects.filter(pk__in=[s.pk for s in seals]))  # current status from the database
    if not seals:
        raise ValidationError("请选择印章。")
    unusable = [s.name for s in seals if s.status != Seal.Status.IN_USE]
    if unusable:
        raise ValidationError(f"印章“{'、'.join(unusable)}”不在用，不能申请。")
    if data.get("use_type") == SealRequest.UseType.CONTRACT and data.get("contract_amount") is None:
        raise ValidationError("合同用印请填写合同金额。")
    if data.get("use_type") == SealRequest.UseType.TAKE_OUT and not data.get("expected_return"):
        raise ValidationError("外带印章请填写预计归还时间。")
    chain = approval_chain(
        seals=seals, use_type=data["use_type"], contract_amount=data.get("contract_amount"), department=by.department
    )
    year = timezone.localdate().year
    request = SealRequest(
        **data,
        applicant=by,
        department=by.department,
        document=document,
        document_sha256=sha256_of(document),
        year=year,
        serial=get_next_value(f"seals.request.{year}"),
    )
    request.save()
    request.seals.set(seals)
    for order, (level, people) in enumerate(chain):
        step = ApprovalStep.objects.create(request=request, order=order, level=level)
        step.approvers.set(people)
        permissions.grant(request, ["view", "approve"], users=people)
    permissions.grant(request, "view", users=[by])
    audit.record(
        "申请用印",
        by=by,
        obj=request,
        to_state=request.status,
        comment=f"{'、'.join(s.name for s in seals)} {request.copies}份",
    )
    first_level, first_people = chain[0]
    notify(first_people, f"请审批用印：{request.title}", url=request.get_absolute_url())
    return request


def current_step(request):
    return request.steps.filter(decision=ApprovalStep.Decision.PENDING).order_by("order").first()


def decide(request, *, by, approve, comment=""):
    """An approver approves or rejects the current step. The step row is updated only while it is still
    pending, so two presses (or two leaders at once) can never both count."""
    if request.status != R.PENDING:
        raise TransitionNotAllowed("该申请已不在审批中。")
    step = current_step(request)
    if step is None or not step.approvers.filter(pk=by.pk).exists():
        raise PermissionDenied("当前审批环节不由您审批。")
    permissions.require(by, obj=request, perm="approve", message="您不是该申请的审批人。")
    if not approve and not comment.strip():
        raise ValidationError("不同意时请写明理由。")
    decision = ApprovalStep.Decision.APPROVED if approve else ApprovalStep.Decision.REJECTED
    now = timezone.now()
    with transaction.atomic():
        changed = ApprovalStep.objects.filter(pk=step.pk, decision=ApprovalStep.Decision.PENDING).update(
            decision=decision,
            decided_by=by,
            comment=comment,
            decided_at=now,
            document_sha256=request.document_sha256,
        )
        if changed != 1:
            raise TransitionNotAllowed("该环节已被审批，请刷新页面。")
        label = f"{ApprovalStep.Level(step.level).label}审批"
        following = current_step(request)
        if not approve:
            transition(
                request, by=by, action=f"{label}：不同意", source=[R.PENDING], target=R.REJECTED, comment=comment
            )
        elif following is None:
            transition(request, by=by, action=f"{label}：同意", source=[R.PENDING], target=R.APPROVED, comment=comment)
        else:
            audit.record(f"{label}：同意", by=by, obj=request, comment=comment)
    url = request.get_absolute_url()
    if not approve:
        notify([request.applicant], f"用印申请未获同意：{request.title}", url=url, body=comment)
    elif following is None:
        notify([request.applicant], f"用印申请已批准：{request.title}", url=url)
        notify(custodians_of(request), f"请用印：{request.title}", url=url)
    else:
        notify(following.approvers.all(), f"请审批用印：{request.title}", url=url)


def custodians_of(request):
    from township_office.models import User

    return list(User.objects.filter(kept_seals__in=request.seals.all(), is_active=True).distinct())


def file_unchanged(request):
    with request.document.open("rb") as f:
        return sha256_of(f) == request.document_sha256


def stamp(request, *, by, seal, copies):
    """用印登记: a custodian of that seal, after full approval, never more copies than approved in total.

    Each chosen seal may be applied to at most ``copies`` copies; the request is fully stamped when every seal
    has been applied to every approved copy. The request row is locked while the register grows, so two
    custodians stamping at once can never exceed the approval."""
    if not seal.custodians.filter(pk=by.pk).exists():
        raise PermissionDenied("您不是该印章的保管人。")
    if not request.seals.filter(pk=seal.pk).exists():
        raise PermissionDenied("该申请未申请此印章。")
    if request.status == R.STAMPED:
        raise TransitionNotAllowed("该申请已全部用印完毕。")
    if request.status != R.APPROVED:
        raise TransitionNotAllowed("该申请尚未全部审批通过，不能用印。")
    if not Seal.objects.filter(pk=seal.pk, status=Seal.Status.IN_USE).exists():
        raise ValidationError("该印章已不在用，不能用印。")
    if copies < 1:
        raise ValidationError("用印份数至少为 1。")
    if not file_unchanged(request):
        with transaction.atomic():
            transition(request, by=by, action="文件指纹不符，审批作废", source=[R.APPROVED], target=R.VOID)
        raise ValidationError("待用印文件与审批时的文件不一致，原审批已作废，请重新申请。")
    with transaction.atomic():
        locked = SealRequest.objects.select_for_update().get(pk=request.pk)
        if locked.status != R.APPROVED:
            raise TransitionNotAllowed("该申请的状态已经变化（可能已用印完毕），请刷新页面。")
        done = stamped_per_seal(locked)
        already = done.get(seal.pk, 0)
        if already + copies > locked.copies:
            raise ValidationError(
                f"用印份数超过批准份数：{seal.name}已用印 {already} 份，批准 {locked.copies} 份，"
                f"最多还可用印 {locked.copies - already} 份。"
            )
        entry = _append_to_register(locked, seal, by, copies)
        done[seal.pk] = already + copies
        complete = min(done.get(pk, 0) for pk in locked.seals.values_list("pk", flat=True))
        SealRequest.objects.filter(pk=locked.pk).update(stamped_copies=complete)
        request.stamped_copies = complete
        audit.record("用印登记", by=by, obj=request, comment=f"{seal.name} {copies}份，登记簿第{entry.seq}号")
        if complete == locked.copies:
            transition(request, by=by, action="用印完毕", source=[R.APPROVED], target=R.STAMPED)
    notify([request.applicant], f"已用印 {copies} 份：{request.title}", url=request.get_absolute_url())
    return entry


def stamped_per_seal(request):
    """{seal pk: copies stamped so far} for one request, from the register."""
    rows = Stamping.objects.filter(request=request).values("seal").annotate(total=Sum("copies"))
    return {row["seal"]: row["total"] for row in rows}


def _append_to_register(request, seal, custodian, copies):
    head, _ = RegisterHead.objects.select_for_update().get_or_create(pk=1)
    entry = Stamping(
        seq=head.last_seq + 1,
        request=request,
        seal=seal,
        custodian=custodian,
        copies=copies,
        stamped_at=timezone.now(),
        document_sha256=request.document_sha256,
        prev_hash=head.last_hash,
    )
    entry.entry_hash = entry.compute_hash()
    entry.save()
    RegisterHead.objects.filter(pk=head.pk).update(last_seq=entry.seq, last_hash=entry.entry_hash)
    return entry


def month_range(year, month):
    """The local calendar month as an indexable datetime range."""
    from datetime import datetime

    from django.db.models import Q

    start = timezone.make_aware(datetime(year, month, 1))
    end = timezone.make_aware(datetime(year + month // 12, month % 12 + 1, 1))
    return Q(stamped_at__gte=start, stamped_at__lt=end)


def verify_month(year, month):
    """(ok, first broken entry or None, count) for one month's entries and their link to the entry before them.

    The page and the monthly PDF use this (work proportional to the month); verify_seal_register checks all."""
    entries = list(Stamping.objects.filter(month_range(year, month)).order_by("seq"))
    if not entries:
        return True, None, 0
    before = Stamping.objects.filter(seq__lt=entries[0].seq).order_by("-seq").first()
    if before is not None and before.compute_hash() != before.entry_hash:
        return False, before, 0
    start = before.entry_hash if before is not None else "0" * 64
    return verify_register(entries, previous=start)


def verify_register(entries=None, previous="0" * 64):
    """(ok, first broken entry or None, count). Recomputes every hash and every link."""
    count = 0
    for entry in entries if entries is not None else Stamping.objects.order_by("seq").iterator():
        count += 1
        if entry.prev_hash != previous or entry.compute_hash() != entry.entry_hash:
            return False, entry, count
        previous = entry.entry_hash
    return True, None, count


def take_out(request, *, by):
    """外带: the custodian signs the seal out (after approval)."""
    _require_custodian(request, by)
    if request.use_type != SealRequest.UseType.TAKE_OUT or request.status not in (R.APPROVED, R.STAMPED):
        raise TransitionNotAllowed("只有已批准的外带申请可以登记带出。")
    changed = SealRequest.objects.filter(pk=request.pk, taken_out_at__isnull=True).update(taken_out_at=timezone.now())
    if changed != 1:
        raise TransitionNotAllowed("已登记带出。")
    audit.record("印章带出", by=by, obj=request, comment=f"预计归还 {request.expected_return:%Y-%m-%d %H:%M}")


def sign_back_in(request, *, by):
    _require_custodian(request, by)
    changed = SealRequest.objects.filter(pk=request.pk, taken_out_at__isnull=False, returned_at__isnull=True).update(
        returned_at=timezone.now()
    )
    if changed != 1:
        raise TransitionNotAllowed("该印章未带出或已归还。")
    audit.record("印章归还", by=by, obj=request)


def _require_custodian(request, user):
    if not Seal.objects.filter(requests=request, custodians=user).exists():
        raise PermissionDenied("您不是该印章的保管人。")


def overdue_returns(now=None):
    now = now or timezone.now()
    return SealRequest.objects.filter(taken_out_at__isnull=False, returned_at__isnull=True, expected_return__lt=now)


# --- Introduction letters ------------------------------------------------------------


@transaction.atomic
def apply_letter(*, by, data):
    """介绍信: every field required, the serial taken at once (a voided letter keeps its number)."""
    permissions.require(by, roles=APPLICANT_ROLES, message="只有站所室经办人或文书可以申请介绍信。")
    if by.department_id is None:
        raise ValidationError("您没有所在部门，不能申请介绍信。")
    missing = [
        label
        for field, label in [
            ("recipient_unit", "前往单位"),
            ("persons", "被介绍人"),
            ("person_count", "人数"),
            ("purpose", "联系事项"),
            ("valid_days", "有效期"),
        ]
        if not data.get(field)
    ]
    if missing:
        raise ValidationError(f"介绍信不得留空：请填写{'、'.join(missing)}。")
    approvers = deputies_in_charge(by.department) or list(role_users(Role.PRINCIPAL_LEADER))
    year = timezone.localdate().year
    letter = IntroductionLetter.objects.create(
        **data, applicant=by, department=by.department, year=year, serial=get_next_value(f"seals.letter.{year}")
    )
    permissions.grant(letter, "view", users=[by])
    permissions.grant(letter, ["view", "approve"], users=approvers)
    audit.record("申请介绍信", by=by, obj=letter, to_state=letter.status, comment=letter.number)
    notify(approvers, f"请审批介绍信：{letter.recipient_unit}", url=letter.get_absolute_url())
    return letter


def decide_letter(letter, *, by, approve, comment=""):
    permissions.require(
        by,
        roles=[Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER],
        obj=letter,
        perm="approve",
        message="您不是该介绍信的审批人。",
    )
    if not approve and not comment.strip():
        raise ValidationError("不同意时请写明理由。")
    target = IntroductionLetter.Status.APPROVED if approve else IntroductionLetter.Status.REJECTED
    transition(
        letter,
        by=by,
        action="批准介绍信" if approve else "驳回介绍信",
        source=[IntroductionLetter.Status.PENDING],
        target=target,
        comment=comment,
        approver=by,
        approved_at=timezone.now(),
    )
    IntroductionLetter.objects.filter(pk=letter.pk).update(comment=comment)
    notify(
        [letter.applicant],
        f"介绍信{'已批准' if approve else '未获批准'}：{letter.number}",
        url=letter.get_absolute_url(),
    )


def void_letter(letter, *, by, reason):
    """作废: the letter keeps its number and prints with 作废."""
    if not (letter.applicant_id == by.pk or has_role(by, Role.OFFICE_DIRECTOR, Role.SEAL_KEEPER)):
        raise PermissionDenied("只有经办人或办公室可以作废介绍信。")
    if not reason.strip():
        raise ValidationError("请填写作废原因。")
    transition(
        letter,
        by=by,
        action="作废介绍信",
        comment=reason,
        void_reason=reason,
        source=[IntroductionLetter.Status.PENDING, IntroductionLetter.Status.APPROVED],
        target=IntroductionLetter.Status.VOID,
    )
