"""Seal-use requests, approvals, stamping, seals taken out, and introduction letters: every step declared once.

``requests`` and ``letters`` are the two flows (``township_office.steps.Flow``). Each declaration says who may take
the step from which state; the page shows exactly the steps ``flow.available()`` lists, and calling a step checks the
same declaration inside the step's one transaction (state change, audit event, grants, work items, notifications).

Who approves is one rule, ``approvers(level, department=, applicant=)``: tier 3 the office director, tier 2 the
deputy leader in charge of the applicant's department, tier 1 the principal leader; never the applicant (the next
person in the chain, the principal leader, decides instead). The chain and every assignment use it; the approval
steps' declarations name the same level's role (``LEVEL_ROLE``) and require the ``approve`` grant it hands out.
"""

import logging

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions, steps
from township_office.roles import Role, has_role, role_users
from township_office.steps import Refused
from township_office.uploads import sha256_of

from .forms import ApproveForm, EditDraftForm, RejectForm, StampForm, VoidForm
from .models import ApprovalStep, IntroductionLetter, RegisterHead, Seal, SealRequest, Stamping
from .permissions import APPLICANT_ROLES

logger = logging.getLogger(__name__)

R = SealRequest.Status
L = IntroductionLetter.Status
Level = ApprovalStep.Level

LEVEL_ROLE = {
    Level.OFFICE: Role.OFFICE_DIRECTOR,
    Level.DEPUTY: Role.DEPUTY_LEADER,
    Level.PRINCIPAL: Role.PRINCIPAL_LEADER,
}


# --- Who approves: one rule -----------------------------------------------------------------------------------


def approvers(level, *, department, applicant=None):
    """(level, [people]) who decide at ``level`` for a request of ``department`` by ``applicant``.

    Office → the office director; deputy → the deputy leader(s) in charge of the department; principal → the
    principal leaders. The applicant never decides their own request: when nobody else holds the level (the
    office director applied, or no deputy is in charge of the department), the next person in the chain decides —
    the principal leader (``level`` in the answer says which level that is)."""
    people = role_users(LEVEL_ROLE[level])
    if level == Level.DEPUTY:
        people = people.filter(position__in_charge_of=department)
    if applicant is not None:
        people = people.exclude(pk=applicant.pk)
    people = list(people)
    if not people and level != Level.PRINCIPAL:
        return approvers(Level.PRINCIPAL, department=department, applicant=applicant)
    return Level(level), people


def approval_chain(*, seals, use_type, contract_amount, department, applicant=None):
    """[(level, [approvers…]), …] from the highest tier, the use type and the applicant's department.

    Tier 3 → the office director; tier 2 → the deputy leader in charge of the department; tier 1 → that deputy and
    then the principal leader. 外带 and contracts above SEAL_CONTRACT_PRINCIPAL_AMOUNT always reach the principal
    leader. Each level's people come from ``approvers()``; a level that falls to the next one is not asked twice."""
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
    for wanted in levels:
        level, people = approvers(wanted, department=department, applicant=applicant)
        if any(level == have for have, _ in chain):
            continue
        if not people:
            raise Refused(f"没有可以审批的{level.label}，请联系系统管理员。")
        chain.append((level, people))
    return chain


def current_step(request):
    """The approval step now waiting (the first one still pending), or None."""
    return request.steps.filter(decision=ApprovalStep.Decision.PENDING).order_by("order").first()


def _waiting(request):
    """current_step() read once per page for the declarations' rules (the step wrapper reads it afresh)."""
    return steps.cached(request, "waiting", lambda: current_step(request))


def _current_role(request):
    step = _waiting(request)
    return (LEVEL_ROLE[step.level],) if step is not None else ()


def custodians_of(request, seals=None):
    from township_office.models import User

    seals = request.seals.all() if seals is None else seals
    return list(User.objects.filter(kept_seals__in=seals, is_active=True).distinct().order_by("pk"))


# --- Rules the declarations use ---------------------------------------------------------------------------------


def _own_request(request, user):
    if request.applicant_id != user.pk:
        return "只有申请人本人可以办理此步骤。"
    return None


def _not_own(request, user):
    if request.applicant_id == user.pk:
        return "不能审批自己提交的申请，由审批链中的下一位领导审批。"
    return None


def _deciding_at(level):
    def rule(request, user):
        refused = _not_own(request, user)
        if refused:
            return refused
        step = _waiting(request)
        if step is None or step.level != level:
            return f"当前不是{Level(level).label}审批环节。"
        return None

    return rule


def _deciding_now(request, user):
    return _not_own(request, user) or (None if _waiting(request) else "当前没有待审批的环节。")


def _undecided(request, user):
    refused = _own_request(request, user)
    if refused:
        return refused
    if request.steps.exclude(decision=ApprovalStep.Decision.PENDING).exclude(by_sign_off=True).exists():
        return "已有审批意见，不能撤回。"
    return None


def _keeps_a_seal(request, user):
    if not Seal.objects.filter(requests=request, custodians=user.pk).exists():
        return "您不是该申请所用印章的保管人。"
    return None


def _may_take_out(request, user):
    if not request.is_take_out:
        return "只有外带申请可以登记带出。"
    if request.taken_out_at is not None:
        return "印章已登记带出。"
    return _keeps_a_seal(request, user)


def _may_sign_back_in(request, user):
    if not request.seal_is_out:
        return "印章未带出或已归还。"
    return _keeps_a_seal(request, user)


def _may_void(request, user):
    if request.status == R.DRAFT:
        return _own_request(request, user)
    if request.applicant_id != user.pk and not has_role(user, Role.OFFICE_DIRECTOR):
        return "只有申请人或办公室主任可以作废已批准的申请。"
    if request.stampings.exists():
        return "已有用印记录，不能作废。"
    if request.seal_is_out:
        return "印章已带出尚未归还，归还后才能作废。"
    return None


# --- The flow of a seal-use request ------------------------------------------------------------------------------


def _reassigned(request, item, old, new):
    """转交 of an approval: the step's list of approvers follows the office director's choice."""
    if item.step.startswith("approve_") and item.assignee_id:
        step = current_step(request)
        if step is not None:
            step.approvers.remove(old)
            step.approvers.add(new)


requests = steps.Flow(
    SealRequest,
    initiator="applicant",
    kind="用印申请",
    url_name="seals:request_step",
    on_reassign=_reassigned,
    start=steps.Start(
        "申请用印", "seals:request_create", APPLICANT_ROLES, refusal="只有站所室经办人、文书或办公室主任可以申请用印。"
    ),
)


@requests.step(
    "修改草稿",
    source=[R.DRAFT],
    roles=APPLICANT_ROLES,
    rule=_own_request,
    form=EditDraftForm,
    style="secondary",
    success="草稿已保存。",
)
def edit(run, request, *, data, seals, document=None):
    fields = list(data)
    for name, value in data.items():
        setattr(request, name, value)
    if document:
        request.document = document
        request.document_sha256 = sha256_of(document)
        fields += ["document", "document_sha256"]
    request.save(update_fields=fields)
    request.seals.set(seals)
    run.audit(comment=request.title)


@requests.step(
    "提交申请",
    source=[R.DRAFT],
    target=[R.PENDING, R.APPROVED],
    roles=APPLICANT_ROLES,
    rule=_own_request,
    confirm="提交后进入审批，审批开始后不能修改。确定提交吗？",
    success="用印申请已提交审批。",
)
def submit(run, request):
    """The draft goes to the first approver: the file is required and fingerprinted, the seals must be 在用."""
    if not request.document:
        raise Refused("请上传待用印的文件，不得在空白纸张上用印。")
    seals = list(request.seals.all())
    if not seals:
        raise Refused("请选择印章。")
    unusable = [s.name for s in seals if s.status != Seal.Status.IN_USE]
    if unusable:
        raise Refused(f"印章“{'、'.join(unusable)}”不在用，不能申请。")
    if request.use_type == SealRequest.UseType.CONTRACT and request.contract_amount is None:
        raise Refused("合同用印请填写合同金额。")
    if request.is_take_out and not request.expected_return:
        raise Refused("外带印章请填写预计归还时间。")
    if request.department_id is None:
        raise Refused("您没有所在部门，不能申请用印。")
    chain = approval_chain(
        seals=seals,
        use_type=request.use_type,
        contract_amount=request.contract_amount,
        department=request.department,
        applicant=request.applicant,
    )
    try:
        with request.document.open("rb") as f:
            fingerprint = sha256_of(f)
    except OSError:
        raise Refused("待用印文件缺失，请重新上传后再提交。") from None
    numbering = {}
    if request.serial is None:
        year = timezone.localdate().year
        numbering = {"year": year, "serial": get_next_value(f"seals.request.{year}")}
    request.steps.all().delete()  # a request withdrawn and submitted again gets a fresh chain
    signed = _signed_off_levels(request, chain, fingerprint)
    for order, (level, people) in enumerate(chain):
        step = ApprovalStep(request=request, order=order, level=level)
        if level in signed:
            step.by_sign_off, step.decision = True, ApprovalStep.Decision.APPROVED
            step.decided_by, step.decided_at, step.document_sha256 = (
                request.signed_off_by,
                request.signed_off_at,
                fingerprint,
            )
            step.comment = step.sign_off_text
        step.save()
        step.approvers.set(people)
    comment = f"{'、'.join(s.name for s in seals)} {request.copies}份"
    if signed:
        comment += f"；签发即批准：{'、'.join(Level(level).label for level in signed)}（{request.signed_off_by}）"
    missing = [(level, people) for level, people in chain if level not in signed]
    if not missing:  # the 签发 leader may approve every level: nobody is asked again
        run.advance(R.APPROVED, comment=comment, document_sha256=fingerprint, **numbering)
        _approved(run)
        return
    run.advance(R.PENDING, comment=comment, document_sha256=fingerprint, **numbering)
    _ask(run, *missing[0])


def _signed_off_levels(request, chain, fingerprint):
    """The levels of ``chain`` the 签发 of the linked record approves: those whose approvers include the leader who
    signed it off, while the file is still the one signed off (a file replaced since is asked for in full)."""
    signer = request.signed_off_by
    if signer is None or request.signed_off_at is None or request.signed_off_sha256 != fingerprint:
        return []
    return [level for level, people in chain if any(p.pk == signer.pk for p in people)]


def _ask(run, level, people):
    """The people of ``level`` now decide: exactly they hold ``approve``; they read the request; each gets an item."""
    request = run.obj
    run.hand_to(f"approve_{level}", users=people, notify=f"请审批用印：{request.title}")


@requests.step(
    "撤回",
    source=[R.PENDING],
    target=R.DRAFT,
    rule=_undecided,
    style="secondary",
    confirm="撤回后申请回到草稿，审批人不再看到它。确定撤回吗？",
    success="已撤回，申请回到草稿，可修改后重新提交。",
)
def withdraw(run, request):
    asked = {u.pk: u for step in request.steps.prefetch_related("approvers") for u in step.approvers.all()}
    permissions.set_grants(request, "approve")
    permissions.revoke(request, "view", users=[u for pk, u in asked.items() if pk != request.applicant_id])
    request.steps.all().delete()
    run.advance()


def _approve(run, *, level, comment=""):
    request = run.obj
    step = current_step(request)
    _void_if_file_changed(run, since="审批")
    changed = ApprovalStep.objects.filter(pk=step.pk, decision=ApprovalStep.Decision.PENDING).update(
        decision=ApprovalStep.Decision.APPROVED,
        decided_by=run.by,
        comment=comment,
        decided_at=timezone.now(),
        document_sha256=request.document_sha256,
    )
    if changed != 1:
        raise Refused("该环节已被审批，请刷新页面。")
    following = current_step(request)
    if following is not None:
        run.audit(comment=comment)
        _ask(run, following.level, list(following.approvers.all()))
        return
    run.advance(R.APPROVED, comment=comment)
    _approved(run)


def _approved(run):
    """Every level approved: nobody holds ``approve``; the custodians are asked to stamp, the applicant is told."""
    request = run.obj
    permissions.set_grants(request, "approve")
    keepers = custodians_of(request)
    # 用印 and 登记带出 are the custodians' by rule, not by grant: they are shown the request for 用印 only.
    run.hand_to("stamp", users=keepers, share=True, notify=f"请用印：{request.title}")
    if request.is_take_out:
        run.hand_to("take_out", users=keepers, notify=f"印章外带已批准：{request.title}")
    run.notify([request.applicant], f"用印申请已批准：{request.title}")


def _void_if_file_changed(run, *, since):
    """The approval is bound to the file's SHA-256: a stored file that no longer matches voids it (and stays void)."""
    request = run.obj
    if not request.steps.filter(decision=ApprovalStep.Decision.APPROVED).exists() and since == "审批":
        return
    try:
        if file_unchanged(request):
            return
    except FileMissing:
        logger.error("seal request %s: stored file %s is missing", request.code, request.document.name)
        raise Refused("待用印文件缺失，请联系系统管理员。") from None
    message = "待用印文件与审批时的文件不一致，原审批已作废，请重新申请。"
    run.advance(R.VOID, comment=message)
    permissions.set_grants(request, "approve")
    run.notify([request.applicant], f"用印申请已作废：{request.title}", body=message)
    raise Refused(message, keeps_changes=True)


_APPROVE = dict(
    source=[R.PENDING],
    target=[R.APPROVED, R.VOID],
    grant="approve",
    form=ApproveForm,
    everyone=True,
    urgent=lambda request: request.is_take_out,  # a seal going out waits on the approval
    refusal="您不是该用印申请当前环节的审批人。",
    confirm="同意后不能撤销。确定同意吗？",
    success="已同意。",
)


@requests.step(
    "同意（办公室主任）",
    work=f"待审批用印（{Level.OFFICE.label}）",
    roles=[Role.OFFICE_DIRECTOR],
    rule=_deciding_at(Level.OFFICE),
    **_APPROVE,
)
def approve_office(run, request, *, comment=""):
    _approve(run, level=Level.OFFICE, comment=comment)


@requests.step(
    "同意（分管领导）",
    work=f"待审批用印（{Level.DEPUTY.label}）",
    roles=[Role.DEPUTY_LEADER],
    rule=_deciding_at(Level.DEPUTY),
    **_APPROVE,
)
def approve_deputy(run, request, *, comment=""):
    _approve(run, level=Level.DEPUTY, comment=comment)


@requests.step(
    "同意（主要领导）",
    work=f"待审批用印（{Level.PRINCIPAL.label}）",
    roles=[Role.PRINCIPAL_LEADER],
    rule=_deciding_at(Level.PRINCIPAL),
    **_APPROVE,
)
def approve_principal(run, request, *, comment=""):
    _approve(run, level=Level.PRINCIPAL, comment=comment)


@requests.step(
    "驳回",
    source=[R.PENDING],
    target=R.REJECTED,
    roles=_current_role,
    grant="approve",
    rule=_deciding_now,
    form=RejectForm,
    everyone=True,
    style="danger",
    refusal="您不是该用印申请当前环节的审批人。",
    confirm="驳回后申请结束，申请人须重新申请。确定驳回吗？",
    success="已驳回。",
)
def reject(run, request, *, reason):
    _need(reason, "驳回须写明理由。")
    step = current_step(request)
    changed = ApprovalStep.objects.filter(pk=step.pk, decision=ApprovalStep.Decision.PENDING).update(
        decision=ApprovalStep.Decision.REJECTED, decided_by=run.by, comment=reason, decided_at=timezone.now()
    )
    if changed != 1:
        raise Refused("该环节已被审批，请刷新页面。")
    run.advance(comment=reason)
    permissions.set_grants(request, "approve")
    run.notify([request.applicant], f"用印申请未获同意：{request.title}", body=reason)


def _need(text, message):
    if not (text or "").strip():
        raise Refused(message)


class FileMissing(Exception):
    pass


def file_unchanged(request):
    """Does the stored file still match the fingerprint the approval is bound to? FileMissing when it is gone."""
    try:
        with request.document.open("rb") as f:
            return sha256_of(f) == request.document_sha256
    except (OSError, ValueError):
        raise FileMissing(request.document.name) from None


@requests.step(
    "用印",
    work="待用印",
    source=[R.APPROVED],
    target=[R.STAMPED, R.VOID],
    roles=[Role.SEAL_KEEPER],
    rule=_keeps_a_seal,
    form=StampForm,
    confirm="用印将记入用印登记簿，不能撤销。确定已按审批盖章吗？",
    success="用印已登记。",
)
def stamp(run, request, *, seal, copies):
    """用印登记: a custodian of that seal, after full approval, never more copies than approved in total.

    Each chosen seal may be applied to at most ``copies`` copies; the request is stamped when every seal is on every
    approved copy. The request row is locked by the step (PostgreSQL) and the register head while the register
    grows, so two custodians stamping at once can never exceed the approval."""
    if not seal.custodians.filter(pk=run.by.pk).exists():
        raise Refused("您不是该印章的保管人。", forbidden=True)
    if not request.seals.filter(pk=seal.pk).exists():
        raise Refused("该申请未申请此印章。", forbidden=True)
    if not Seal.objects.filter(pk=seal.pk, status=Seal.Status.IN_USE).exists():
        raise Refused("该印章已不在用，不能用印。")
    if copies < 1:
        raise Refused("用印份数至少为 1。")
    _void_if_file_changed(run, since="用印")
    locked = SealRequest.objects.select_for_update().get(pk=request.pk)
    done = locked.stamped_per_seal()
    already = done.get(seal.pk, 0)
    if already + copies > locked.copies:
        raise Refused(
            f"用印份数超过批准份数：{seal.name}已用印 {already} 份，批准 {locked.copies} 份，"
            f"最多还可用印 {locked.copies - already} 份。"
        )
    entry = _append_to_register(locked, seal, run.by, copies)
    done[seal.pk] = already + copies
    seals = list(locked.seals.all())
    complete = min(done.get(s.pk, 0) for s in seals)
    SealRequest.objects.filter(pk=locked.pk).update(stamped_copies=complete)
    request.stamped_copies = complete
    run.audit(comment=f"{seal.name} {copies}份，登记簿第{entry.seq}号")
    run.notify([request.applicant], f"已用印 {copies} 份：{request.title}")
    if complete == locked.copies:
        run.advance(R.STAMPED, comment="全部份数已用印")
        return entry
    # Copies remain: the custodians of the seals still to apply keep (or get back) their item.
    open_seals = [s for s in seals if done.get(s.pk, 0) < locked.copies]
    still = custodians_of(request, open_seals)
    finished = [u for u in custodians_of(request) if u not in still]
    run.withdraw("stamp", users=[u for u in finished if u != run.by], decision="印章已用毕")
    if run.by in finished:  # the custodian's own item: their work, done (already shown in 已办)
        run.finish("stamp", decision="印章已用毕")
    run.hand_to("stamp", users=still)  # kept open for whoever holds one
    return entry


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


@requests.step(
    "登记带出",
    work="待登记带出",
    source=[R.APPROVED, R.STAMPED],
    roles=[Role.SEAL_KEEPER],
    rule=_may_take_out,
    everyone=True,
    style="secondary",
    confirm="确认印章已交申请人带出？",
    success="已登记带出。",
)
def take_out(run, request):
    """外带: the custodian signs the seal out (after approval); the custodians get an item for its return."""
    now = timezone.now()
    changed = SealRequest.objects.filter(pk=request.pk, taken_out_at__isnull=True).update(taken_out_at=now)
    if changed != 1:
        raise Refused("印章已登记带出。")
    due = timezone.localtime(request.expected_return) if request.expected_return else None
    run.audit(comment=f"预计归还 {due:%Y-%m-%d %H:%M}" if due else "")
    run.hand_to("sign_back_in", users=custodians_of(request), notify=f"印章外带，待归还：{request.title}")
    when = f"，请于{due:%Y年%-m月%-d日 %H:%M}前归还" if due else ""
    run.notify([request.applicant], f"印章已带出{when}：{request.title}")
    request.taken_out_at = now


def _return_day(request):
    return timezone.localtime(request.expected_return).date() if request.expected_return else None


@requests.step(
    "登记归还",
    work="待登记归还",
    source=[R.APPROVED, R.STAMPED, R.VOID],
    roles=[Role.SEAL_KEEPER],
    rule=_may_sign_back_in,
    due=_return_day,
    urgent=True,  # a seal out of the office
    everyone=True,
    confirm="确认印章已归还并完好？",
    success="已登记归还。",
)
def sign_back_in(run, request):
    now = timezone.now()
    changed = SealRequest.objects.filter(pk=request.pk, taken_out_at__isnull=False, returned_at__isnull=True).update(
        returned_at=now
    )
    if changed != 1:
        raise Refused("印章未带出或已归还。")
    request.returned_at = now
    run.audit()


@requests.step(
    "作废",
    source=[R.DRAFT, R.APPROVED],
    target=R.VOID,
    rule=_may_void,
    form=VoidForm,
    style="danger",
    everyone=True,
    confirm="作废后不能恢复。确定作废吗？",
    success="申请已作废。",
)
def void(run, request, *, reason):
    _need(reason, "请填写作废原因。")
    run.advance(comment=reason)
    permissions.set_grants(request, "approve")
    if run.by.pk != request.applicant_id:
        run.notify([request.applicant], f"用印申请已作废：{request.title}", body=reason)


def overdue_returns(now=None):
    now = now or timezone.now()
    return SealRequest.objects.filter(taken_out_at__isnull=False, returned_at__isnull=True, expected_return__lt=now)


# --- Creating a request (not a step: there is no record yet) -----------------------------------------------------


@transaction.atomic
def save_draft(*, by, data, seals, document=None, department=None):
    """保存草稿: a request only its applicant sees, in 我发起的, until submitted. ``department``: whose file it is
    when not the applicant's own (a 发文 is its drafting department's; the clerk applies)."""
    requests.start.require(by)
    if by.department_id is None:
        raise ValidationError("您没有所在部门，不能申请用印。")
    request = SealRequest(**data, applicant=by, department=department or by.department, status=R.DRAFT)
    if document:
        request.document = document
        request.document_sha256 = sha256_of(document)
    request.save()
    request.seals.set(seals)
    permissions.grant(request, "view", users=[by])
    audit.record("保存草稿", by=by, obj=request, to_state=R.DRAFT, comment=request.title)
    requests.begin(request, by=by)
    return request


# --- The register ----------------------------------------------------------------------------------------------


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


# --- Introduction letters -----------------------------------------------------------------------------------------


def letter_approvers(letter_or_department, applicant=None):
    """A letter is approved like a tier-2 request: the deputy in charge of the department (else the principal)."""
    return approvers(Level.DEPUTY, department=letter_or_department, applicant=applicant)


@transaction.atomic
def apply_letter(*, by, data):
    """介绍信: every field required, the serial taken at once (a voided letter keeps its number)."""
    letters.start.require(by)
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
    level, people = letter_approvers(by.department, applicant=by)
    if not people:
        raise ValidationError(f"没有可以审批的{level.label}，请联系系统管理员。")
    year = timezone.localdate().year
    letter = IntroductionLetter.objects.create(
        **data, applicant=by, department=by.department, year=year, serial=get_next_value(f"seals.letter.{year}")
    )
    permissions.grant(letter, "view", users=[by])
    audit.record("申请介绍信", by=by, obj=letter, to_state=letter.status, comment=letter.number)
    letters.begin(letter, by=by).hand_to(
        "approve_letter", users=people, notify=f"请审批介绍信：{letter.recipient_unit}"
    )
    return letter


def _not_own_letter(letter, user):
    if letter.applicant_id == user.pk:
        return "不能审批自己申请的介绍信。"
    return None


def _may_void_letter(letter, user):
    if letter.applicant_id == user.pk or has_role(user, Role.OFFICE_DIRECTOR, Role.SEAL_KEEPER):
        return None
    return "只有经办人、办公室主任或印章管理员可以作废介绍信。"


letters = steps.Flow(
    IntroductionLetter,
    initiator="applicant",
    kind="介绍信",
    url_name="seals:letter_step",
    start=steps.Start(
        "申请介绍信",
        "seals:letter_create",
        APPLICANT_ROLES,
        refusal="只有站所室经办人、文书或办公室主任可以申请介绍信。",
    ),
)


@letters.step(
    "批准",
    work="待审批介绍信",
    source=[L.PENDING],
    target=L.APPROVED,
    roles=[Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER],
    grant="approve",
    rule=_not_own_letter,
    form=ApproveForm,
    everyone=True,
    refusal="您不是该介绍信的审批人。",
    confirm="批准后即可打印介绍信。确定批准吗？",
    success="介绍信已批准。",
)
def approve_letter(run, letter, *, comment=""):
    run.advance(comment=comment, approver=run.by, approved_at=timezone.now())
    _decided(run, comment, "介绍信已批准")


@letters.step(
    "驳回",
    source=[L.PENDING],
    target=L.REJECTED,
    roles=[Role.DEPUTY_LEADER, Role.PRINCIPAL_LEADER],
    grant="approve",
    rule=_not_own_letter,
    form=RejectForm,
    everyone=True,
    style="danger",
    refusal="您不是该介绍信的审批人。",
    confirm="确定驳回该介绍信吗？",
    success="已驳回。",
)
def reject_letter(run, letter, *, reason):
    _need(reason, "驳回须写明理由。")
    run.advance(comment=reason, approver=run.by, approved_at=timezone.now())
    _decided(run, reason, "介绍信未获批准")


def _decided(run, comment, title):
    letter = run.obj
    IntroductionLetter.objects.filter(pk=letter.pk).update(comment=comment)
    letter.comment = comment
    permissions.set_grants(letter, "approve")
    run.notify([letter.applicant], f"{title}：{letter.number}", body=comment)


@letters.step(
    "作废",
    source=[L.PENDING, L.APPROVED],
    target=L.VOID,
    rule=_may_void_letter,
    form=VoidForm,
    style="danger",
    everyone=True,
    confirm="作废后编号保留、不能恢复。确定作废吗？",
    success="介绍信已作废，编号保留。",
)
def void_letter(run, letter, *, reason):
    _need(reason, "请填写作废原因。")
    run.advance(comment=reason, void_reason=reason)
