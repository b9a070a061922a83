"""督查督办: the steps of a 督办事项, declared once.

    立项 (not a step: ``open_item``) → 办理中 --申请办结--> 待销号 --销号--> 已销号
    待销号 --退回--> 办理中;  办理中: 反馈 (one per milestone), 延期申请 → 延期审批 (同意/不同意)

Who: the 牵头单位 holds ``handle`` while the item is 办理中 (反馈, 申请办结, 延期申请); the 交办 leader — and the
office director too when the leader delegated the item (``delegated``) — holds ``close`` while it waits for 销号
(销号, 退回); the 交办 leader holds ``extend`` while a 延期 waits for him (延期审批). The leader, the 牵头单位 and the
协办单位 read the item (``view``).

Work items follow the item (``sync_work``): the 牵头单位 has one 「待反馈督办：<节点>」 per milestone still to feed
back, due on its date, and 「待申请办结」 once none is left (due on the deadline); the deciders 「待销号」, the
leader 「待审批延期」. Nothing is asked of the unit when nothing is due: no periodic report.

延期 is asked only up to the deadline (on the day itself too, not after), with a reason and a new date later
than the deadline; until the leader agrees, lateness counts from the original date.
"""

from django.db import transaction
from django.utils import timezone
from sequences import get_next_value

from township_office import audit, permissions, steps, worklist
from township_office.roles import LEADERS, OFFICE, Role, has_role, role_users
from township_office.steps import Refused

from . import lights
from .forms import DecideExtensionForm, ExtensionForm, FeedbackForm, ReasonForm, RequestDoneForm
from .models import Extension, Feedback, Milestone, SupervisionItem

S = SupervisionItem.Status


# --- Who ------------------------------------------------------------------------------------------------------


def deciders(item):
    """Who 销号 or 退回: the 交办 leader, and the office director when the leader delegated the item."""
    people = [item.leader]
    if item.delegated:
        people += [u for u in role_users(Role.OFFICE_DIRECTOR) if u.pk != item.leader_id]
    return people


def _is_decider(item, user):
    if user.pk == item.leader_id or (item.delegated and has_role(user, Role.OFFICE_DIRECTOR)):
        return None
    return "只有交办领导（或受委托的办公室主任）可以销号或退回。"


def _is_leader(item, user):
    return None if user.pk == item.leader_id else "只有交办领导可以审批延期。"


def pending_extension(item):
    return steps.cached(
        item, "pending_extension", lambda: item.extensions.filter(status=Extension.Status.PENDING).first()
    )


def unfed_milestones(item):
    return steps.cached(item, "unfed", lambda: list(item.milestones.filter(fed_at__isnull=True)))


def _has_unfed(item, user):
    if not unfed_milestones(item):
        return Refused("各节点均已反馈，请申请办结。")
    return None


def _may_ask_extension(item, user):
    today = timezone.localdate()
    if today > item.due:
        return Refused(f"已超过办结时限（{item.due:%Y年%m月%d日}），不能再申请延期；逾期从原时限起算。")
    if pending_extension(item) is not None:
        return Refused("已有延期申请等待交办领导审批。")
    return None


def _has_pending(item, user):
    if pending_extension(item) is None:
        return Refused("没有待审批的延期申请。")
    return _is_leader(item, user)


def milestone_key(milestone):
    return f"milestone-{milestone.pk}"


# --- Grants and work items follow the item -----------------------------------------------------------------------


def sync_work(run):
    """Grants, work items and the light as the item and its state now say."""
    item = run.obj
    live = item.status == S.OPEN
    permissions.set_grants(item, "handle", departments=[item.lead_department] if live else [])
    unfed = {milestone_key(m): m for m in item.milestones.filter(fed_at__isnull=True)} if live else {}
    for work in worklist.open_items(item).filter(step__startswith="milestone-").select_related("department"):
        if work.step not in unfed or work.department_id != item.lead_department_id:
            run.withdraw(work.step, departments=[work.department], decision="节点已反馈或事项已不在办理中")
    for key, milestone in unfed.items():
        run.hand_to(
            "feedback",
            key=key,
            detail=milestone.title,
            departments=[item.lead_department],
            due=milestone.due,
            exclusive=False,
            notify=f"请反馈督办节点：{milestone.title}（{item.number}，{milestone.due:%m月%d日}）",
        )
    if live and not unfed:
        run.hand_to(
            "request_done",
            departments=[item.lead_department],
            due=item.due,
            exclusive=False,
            notify=f"请申请办结：{item.number}（时限 {item.due:%m月%d日}）",
        )
    elif live:
        done = worklist.open_items(item, "request_done").select_related("department")
        for work in done:
            run.withdraw("request_done", departments=[work.department], decision="尚有节点待反馈")
    worklist.open_items(item, "request_done").update(due=item.due)  # an approved 延期 moves it
    if item.status != S.REVIEW:
        permissions.set_grants(item, "close", users=[])
    lights.refresh(item)


def _view_grants(item):
    permissions.grant(item, "view", users=[item.leader], departments=[item.lead_department])
    supports = list(item.support_departments.all())
    if supports:
        permissions.grant(item, "view", departments=supports)


items = steps.Flow(
    SupervisionItem,
    kind="督办事项",
    url_name="supervision:step",
    initiator="created_by",
    own_items=("milestone-",),  # milestone_key(): opened by sync_work, closed by 反馈
    start=steps.Start("督办立项", "supervision:create", OFFICE, refusal="只有党政办公室可以录入督办事项。"),
)


# --- 立项 (not a step: there is no record yet) ----------------------------------------------------------------------


def may_list_from(user, leaders):
    """May ``user`` 列入督办 a record instructed by ``leaders``: one of them, or the office director."""
    if not leaders:
        return False
    return has_role(user, Role.OFFICE_DIRECTOR) or (has_role(user, *LEADERS) and user in leaders)


def from_source_refusal(user, source):
    """Why ``user`` may not 列入督办 from ``source`` (None when they may): the leader who instructed it, or the
    office director on the leader's behalf, once it has a 批示."""
    if not source.leaders:
        return "该文件尚无领导批示，不能列入督办。"
    if may_list_from(user, source.leaders):
        return None
    return "只有作出批示的领导或办公室主任可以列入督办。"


@transaction.atomic
def open_item(data, *, by, milestones=(), support=(), source=None):
    """立项: number the item (督〔年〕N号, gapless per year), save it with its milestones, give the leader and the
    units their grants and the 牵头单位 its work. ``data``: the item's fields; ``milestones``: (title, date) pairs;
    ``source``: a ``sources.Source`` the item comes from (列入督办), checked by the caller."""
    if source is None:
        if not items.start.allows(by):
            raise Refused(items.start.refusal, forbidden=True)
        if data.get("source_kind") == SupervisionItem.Source.MANUAL and not (data.get("source_note") or "").strip():
            raise Refused("手工录入的督办事项须写明来源说明。")
    else:
        reason = from_source_refusal(by, source)
        if reason:
            raise Refused(reason, forbidden=True)
        data = {
            **data,
            "source_kind": source.kind,
            "source_note": source.note,
            "source_type": source.label,
            "source_code": source.code,
            "source_restricted": source.restricted,
            "accused_person": source.accused_person,
            "accused_department": source.accused_department,
        }
    year = timezone.localdate().year
    item = SupervisionItem.objects.create(
        **data, year=year, serial=get_next_value(f"supervision.item.{year}"), created_by=by
    )
    Milestone.objects.bulk_create([Milestone(item=item, title=t, due=d) for t, d in milestones])
    item.support_departments.set(support)
    _view_grants(item)
    run = items.begin(item, by=by)
    audit.record(
        "督办立项", by=by, obj=item, to_state=item.status, comment=item.source_note or item.get_source_kind_display()
    )
    sync_work(run)
    if item.leader_id != by.pk:  # the office entered it: the leader is told; a leader who listed it knows
        run.notify([item.leader], f"已列入督办：{item}")
    return item


# --- The steps ---------------------------------------------------------------------------------------------------


@items.step(
    "反馈",
    work="待反馈督办",  # each milestone is its own item (milestone_key): 「待反馈督办：<节点>」
    source=[S.OPEN],
    grant="handle",
    rule=_has_unfed,
    form=FeedbackForm,
    refusal="只有牵头单位可以反馈。",
    success="反馈已提交。",
)
def feedback(run, item, *, milestone, text, attachment=None):
    changed = Milestone.objects.filter(pk=milestone.pk, item=item, fed_at__isnull=True).update(fed_at=timezone.now())
    if changed != 1:
        raise Refused("该节点已反馈（可能已被同事提交），请刷新页面。")
    Feedback.objects.create(
        item=item,
        milestone=milestone,
        text=text,
        attachment=attachment or "",
        attachment_name=attachment.name[:200] if attachment else "",
        author=run.by,
        department=run.by.department,
    )
    run.finish(milestone_key(milestone), decision="已反馈")
    run.audit(comment=f"{milestone.title}：{text}")
    sync_work(run)
    run.notify([item.leader], f"督办反馈：{item.number} {milestone.title}", body=text[:200])


@items.step(
    "申请办结",
    work="待申请办结",
    source=[S.OPEN],
    target=S.REVIEW,
    grant="handle",
    form=RequestDoneForm,
    refusal="只有牵头单位可以申请办结。",
    confirm="申请办结后由交办领导审核销号，确定提交吗？",
    success="已申请办结，等待交办领导销号。",
)
def request_done(run, item, *, result, attachment=None):
    fields = {"result": result, "applied_on": timezone.localdate()}
    if attachment:
        item.result_file = attachment
        item.save(update_fields=["result_file"])
    run.advance(comment=result, **fields)
    Extension.objects.filter(item=item, status=Extension.Status.PENDING).update(
        status=Extension.Status.VOID, comment="已申请办结，延期申请作废"
    )
    run.hand_to("decide_extension", users=[])
    run.hand_to("sign_off", users=deciders(item), due=None, notify=f"请审核销号：{item}")
    sync_work(run)


@items.step(
    "销号",
    work="待销号",
    source=[S.REVIEW],
    target=S.DONE,
    grant="close",
    rule=_is_decider,
    everyone=True,
    confirm="销号后该督办事项办结，确定销号吗？",
    success="已销号。",
    refusal="您不是该督办事项的交办领导。",
)
def sign_off(run, item):
    run.advance(comment=f"{run.by}销号", closed_at=timezone.now())
    sync_work(run)
    run.notify(list(item.lead_department.members.filter(is_active=True)), f"督办事项已销号：{item.number}")


@items.step(
    "退回",
    source=[S.REVIEW],
    target=S.OPEN,
    grant="close",
    rule=_is_decider,
    form=ReasonForm,
    style="danger",
    everyone=True,
    success="已退回牵头单位继续办理。",
    refusal="您不是该督办事项的交办领导。",
)
def send_back(run, item, *, reason):
    run.advance(comment=reason, applied_on=None)
    sync_work(run)
    run.notify(list(item.lead_department.members.filter(is_active=True)), f"督办事项被退回：{item.number}", body=reason)


@items.step(
    "延期申请",
    source=[S.OPEN],
    grant="handle",
    rule=_may_ask_extension,
    form=ExtensionForm,
    style="secondary",
    refusal="只有牵头单位可以申请延期。",
    success="延期申请已提交交办领导审批。",
)
def request_extension(run, item, *, reason, new_date):
    if new_date <= item.due:
        raise Refused(f"延期后的时限须晚于现时限（{item.due:%Y年%m月%d日}）。")
    Extension.objects.create(item=item, reason=reason, old_date=item.due, new_date=new_date, asked_by=run.by)
    run.audit(comment=f"申请延至{new_date:%Y年%m月%d日}：{reason}")
    run.hand_to("decide_extension", users=[item.leader], due=item.due, notify=f"请审批延期：{item}")


@items.step(
    "延期审批",
    work="待审批延期",
    source=[S.OPEN],
    grant="extend",
    rule=_has_pending,
    form=DecideExtensionForm,
    refusal="您不是该督办事项的交办领导。",
    success="延期申请已审批。",
)
def decide_extension(run, item, *, agree, comment=""):
    extension = pending_extension(item)
    changed = Extension.objects.filter(pk=extension.pk, status=Extension.Status.PENDING).update(
        status=Extension.Status.APPROVED if agree else Extension.Status.REFUSED,
        decided_by=run.by,
        decided_at=timezone.now(),
        comment=comment,
    )
    if changed != 1:
        raise Refused("该延期申请已审批，请刷新页面。")
    if agree:
        SupervisionItem.objects.filter(pk=item.pk).update(extended_deadline=extension.new_date)
        item.extended_deadline = extension.new_date
    word = f"同意延期至{extension.new_date:%Y年%m月%d日}" if agree else "不同意延期"
    run.audit(comment=f"{word}。{comment}".strip("。") if comment else word)
    run.hand_to("decide_extension", users=[])
    sync_work(run)
    run.notify(
        list(item.lead_department.members.filter(is_active=True)), f"延期申请{word}：{item.number}", body=comment
    )
