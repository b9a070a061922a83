"""公务接待: the steps of a reception plan, declared once.

    草稿 --提交审批--> 待审批 --批准--> 已批准 --结算--> 已结算
    待审批 --退回修改 / 撤回--> 草稿;  已批准 --审批后修改--> 待审批;  草稿/待审批/已批准 --取消接待--> 已取消

Who decides a plan is ``approver_role(reception)``: the principal leader for a major reception or for a plan the
office director drafted herself (nobody approves their own plan), the office director otherwise. The approve and
send-back declarations take their roles from it, and ``approvers()`` assigns the work item from it.

Grants follow the plan as it stands (``sync_participants``): the approvers hold ``approve`` while the plan waits
for them; the accompanying leaders ``accompany``; the departments with a material still to prepare ``prepare``;
and exactly the plan's participants ``view`` — a leader or department removed from the plan loses it, and their
work items are withdrawn.
"""

from django.core.files.base import ContentFile
from django.utils import timezone

from township_office import audit, permissions, steps, worklist
from township_office.models import AuditEvent
from township_office.roles import OFFICE, Role, has_role, role_users
from township_office.steps import Refused

from . import rules
from .forms import ApproveForm, ChecklistForm, CloseForm, MaterialDoneForm, ReasonForm, TickForm
from .models import ChecklistItem, Material, Reception

S = Reception.Status
DEFAULT_CHECKLIST = ("确认来访人员名单", "落实会议室与座次", "准备汇报材料", "确认用车", "核对工作餐菜单")


# --- Who ------------------------------------------------------------------------------------------------------


def approver_role(reception):
    """The one rule of who decides on a plan: a major reception, or a plan the office director drafted herself,
    goes to the principal leader (the next in the chain); any other to the office director."""
    if reception.is_major or has_role(reception.created_by, Role.OFFICE_DIRECTOR):
        return Role.PRINCIPAL_LEADER
    return Role.OFFICE_DIRECTOR


def approver_roles(reception):
    return (approver_role(reception),)


def approvers(reception):
    """The people who must decide on the plan now (never its drafter)."""
    return list(role_users(approver_role(reception)).exclude(pk=reception.created_by_id))


def not_the_drafter(reception, user):
    if user.pk == reception.created_by_id:
        return "不能审批自己起草的接待方案，须由上一级领导审批。"
    return None


def only_the_drafter(reception, user):
    if user.pk != reception.created_by_id:
        return "只有方案起草人可以撤回。"
    return None


def material_step(material):
    """The work item of one material: a department preparing two materials holds two items."""
    return f"material-{material.pk}"


def _start_day(reception):
    return timezone.localtime(reception.start).date()


def _material_due(material, reception):
    return min(material.deadline, _start_day(reception))


def _materials_to_prepare(reception):
    """完成材料's work: one item per material not yet done, for its department (while the plan is in hand)."""
    if reception.status not in (S.PENDING, S.APPROVED):
        return []
    undone = reception.materials.filter(done_at__isnull=True).select_related("department")
    return [
        steps.Duty(departments=[m.department], key=material_step(m), detail=m.title, due=_material_due(m, reception))
        for m in undone
    ]


ACKNOWLEDGED = "陪同领导已阅接待方案"


def _leaders_to_read(reception):
    """已阅's work: the accompanying leaders who have not read the plan since it was last approved."""
    read = set(
        AuditEvent.objects.filter(
            object_type=reception._meta.label_lower,
            object_code=str(reception.code),
            action=ACKNOWLEDGED,
            created_at__gte=reception.approved_at,
        ).values_list("actor_id", flat=True)
    )
    return [steps.Duty(users=[u for u in reception.accompanying_leaders.all() if u.pk not in read])]


def close_blockers(reception, now=None):
    """Why the reception cannot be settled yet (empty when it can): it must have ended, with every material done
    and every checklist item ticked."""
    now = now or timezone.now()
    reasons = []
    if reception.end > now:
        reasons.append(f"接待尚未结束（{timezone.localtime(reception.end):%m月%d日 %H:%M} 结束），结束后才能结算")
    undone = [m.title for m in reception.materials.all() if m.done_at is None]
    if undone:
        reasons.append(f"材料尚未完成：{'、'.join(undone)}")
    unticked = [c.text for c in reception.checklist.all() if c.done_at is None]
    if unticked:
        reasons.append(f"细节清单尚未勾选：{'、'.join(unticked)}")
    return reasons


def _may_close(reception, user):
    reasons = close_blockers(reception)
    return "；".join(reasons) + "。" if reasons else None


def _may_cancel(reception, user):
    if reception.status == S.APPROVED and reception.start <= timezone.now():
        return "接待已经开始，不能取消；接待结束后请结算。"
    return None


def _has_material(reception, user):
    if not reception.materials.filter(done_at__isnull=True, department=user.department_id).exists():
        return "您所在部门承担的材料均已完成。"
    return None


def _has_unticked(reception, user):
    if not reception.checklist.filter(done_at__isnull=True).exists():
        return "细节清单已全部勾选。"
    return None


def _has_unread(reception, user):
    if not worklist.open_items(reception, "acknowledge").filter(assignee=user.pk).exists():
        return "您已阅知该接待方案。"
    return None


# --- Grants and work items follow the plan ---------------------------------------------------------------------


def sync_participants(run):
    """Grants and work items as the plan and its state now say; whoever left the plan loses both."""
    reception = run.obj
    leaders = list(reception.accompanying_leaders.all())
    materials = list(reception.materials.select_related("department"))
    item_departments = {i.department for i in reception.itinerary.select_related("department") if i.department}
    live = reception.status in (S.PENDING, S.APPROVED)
    deciding = approvers(reception) if reception.status == S.PENDING else []
    undone = [m for m in materials if m.done_at is None] if live else []

    permissions.set_grants(reception, "accompany", users=leaders)
    permissions.set_grants(reception, "prepare", departments={m.department for m in undone})
    viewers = {u.pk: u for u in [*leaders, *deciding, reception.approved_by] if u is not None}
    departments = {m.department for m in materials} | item_departments
    if reception.status == S.DRAFT:  # a draft is the office's: nobody new is shown it, the removed still lose it
        users, groups = permissions.holders(reception, "view")
        viewers = {pk: u for pk, u in viewers.items() if pk in users}
        departments = {d for d in departments if d.group_id in groups}
    permissions.set_grants(reception, "view", users=list(viewers.values()), departments=departments)

    run.hand_to("approve", users=deciding, notify=f"请审批接待方案：{reception}")
    _withdraw_others(run, "approve", keep_users={u.pk for u in deciding})
    _withdraw_others(run, "acknowledge", keep_users={u.pk for u in leaders})

    wanted = {material_step(m): m for m in undone}
    for item in worklist.open_items(reception).filter(step__startswith="material-"):
        material = wanted.get(item.step)
        if material is None or material.department_id != item.department_id:
            run.withdraw(item.step, departments=[item.department], decision="材料已调整或方案已不在办理中")
    starts = _start_day(reception)
    for key, material in wanted.items():
        # One item per material, closed by 完成材料; the ``prepare`` grant of every department was set above.
        run.hand_to(
            "finish_material",
            key=key,
            detail=material.title,
            departments=[material.department],
            due=_material_due(material, reception),
            notify=f"请准备接待材料：{material.title}（{reception.visiting_unit}，{starts:%m月%d日}）",
            exclusive=False,
            share=False,
        )


def _withdraw_others(run, step, *, keep_users):
    gone = worklist.open_items(run.obj, step).exclude(assignee__in=keep_users).select_related("assignee")
    users = [item.assignee for item in gone if item.assignee is not None]
    if users:
        run.withdraw(step, users=users, decision="已不在接待方案中")


def _reassigned(reception, item, old, new):
    """转交 by the office director: a material moves with its item to the new department; an accompanying leader's
    item hands the accompanying to the new leader."""
    if item.step == "acknowledge" and item.assignee_id:
        reception.accompanying_leaders.remove(old)
        reception.accompanying_leaders.add(new)
    if item.step.startswith("material-") and item.department_id:
        Material.objects.filter(pk=int(item.step.split("-", 1)[1]), reception=reception).update(department=new)
        undone = Material.objects.filter(reception=reception, done_at__isnull=True).select_related("department")
        permissions.set_grants(reception, "prepare", departments={m.department for m in undone})


plans = steps.Flow(
    Reception,
    initiator="created_by",
    kind="接待方案",
    url_name="reception:step",
    on_reassign=_reassigned,
    own_items=("material-",),  # material_step(): opened by 下达, closed by 完成材料
    start=steps.Start("登记接待（公函）", "reception:create", OFFICE, refusal="只有党政办公室可以编制接待方案。"),
)


# --- Creating a plan (not a step: there is no record yet) --------------------------------------------------------


def create_plan(plan, *, by):
    """Save a new plan as a draft: listed in the drafter's 我发起的, editable, not yet submitted."""
    if not plans.start.allows(by):
        raise Refused(plans.start.refusal, forbidden=True)
    reception = plan.save(created_by=by)
    ChecklistItem.objects.bulk_create([ChecklistItem(reception=reception, text=text) for text in DEFAULT_CHECKLIST])
    plans.begin(reception, by=by)
    audit.record("登记接待方案（草稿）", by=by, obj=reception, to_state=reception.status, comment=str(reception))
    return reception


# --- The steps ---------------------------------------------------------------------------------------------------


@plans.step("修改方案", source=[S.DRAFT, S.PENDING], roles=OFFICE, style="secondary")
def edit(run, reception, *, plan):
    """Change a draft or a plan waiting for approval (the approver decides on what is there when deciding)."""
    plan.save()
    run.audit("修改接待方案", comment=str(reception))
    sync_participants(run)


@plans.step("审批后修改（重新报批）", source=[S.APPROVED], target=S.PENDING, roles=OFFICE, style="secondary")
def revise(run, reception, *, plan):
    """Any change to an approved plan sends it back to its approver."""
    plan.save()
    run.advance(comment="方案批准后修改，重新报批", approved_by=None, approved_at=None)
    sync_participants(run)


@plans.step("提交审批", source=[S.DRAFT], target=S.PENDING, roles=OFFICE, success="接待方案已提交审批。")
def submit(run, reception):
    problems = rules.breaches(reception)
    if problems:
        raise Refused("不符合接待规定，不能报批：" + "；".join(problems))
    if not approvers(reception):
        raise Refused(f"没有可审批该方案的{Role(approver_role(reception)).label}账号，请联系系统管理员。")
    run.advance()
    sync_participants(run)


@plans.step(
    "撤回",
    source=[S.PENDING],
    target=S.DRAFT,
    rule=only_the_drafter,
    style="secondary",
    confirm="撤回后方案回到草稿，审批人的待办随之撤销。确定撤回吗？",
    success="已撤回，方案回到草稿。",
)
def withdraw(run, reception):
    run.advance(comment="起草人撤回")
    sync_participants(run)


@plans.step(
    "批准",
    work="待审批接待方案",
    due=_start_day,
    source=[S.PENDING],
    target=S.APPROVED,
    roles=approver_roles,
    grant="approve",
    rule=not_the_drafter,
    form=ApproveForm,
    confirm="批准后即按此方案接待，确定批准吗？",
    success="接待方案已批准。",
    refusal="您不是该接待方案的审批人。",
)
def approve(run, reception, *, comment=""):
    problems = rules.breaches(reception)
    if problems:
        raise Refused("不符合接待规定，不能批准：" + "；".join(problems))
    run.advance(comment=comment, approved_by=run.by, approved_at=timezone.now())
    sync_participants(run)
    run.hand_to(
        "acknowledge",
        users=list(reception.accompanying_leaders.all()),
        notify=f"请陪同接待：{reception}（{timezone.localtime(reception.start):%m月%d日 %H:%M}）",
    )
    run.notify([reception.created_by], f"接待方案已批准：{reception}")


@plans.step(
    "退回修改",
    source=[S.PENDING],
    target=S.DRAFT,
    roles=approver_roles,
    grant="approve",
    rule=not_the_drafter,
    form=ReasonForm,
    style="danger",
    success="已退回。",
    refusal="您不是该接待方案的审批人。",
)
def send_back(run, reception, *, reason):
    run.advance(comment=reason)
    sync_participants(run)
    run.notify([reception.created_by], f"接待方案被退回：{reception}", body=reason)


@plans.step(
    "已阅",
    work="陪同接待",
    reading=True,
    due=_start_day,
    holders=_leaders_to_read,
    source=[S.APPROVED],
    grant="accompany",
    rule=_has_unread,
    style="secondary",
    success="已阅。",
)
def acknowledge(run, reception):
    run.audit(ACKNOWLEDGED)


@plans.step(
    "完成材料",
    work="准备材料",  # each material is its own item (material_step): 「准备材料：<title>」
    holders=_materials_to_prepare,
    source=[S.PENDING, S.APPROVED],
    grant="prepare",
    rule=_has_material,
    form=MaterialDoneForm,
    refusal="该接待没有您所在部门承担的材料。",
)
def finish_material(run, reception, *, material):
    changed = Material.objects.filter(
        pk=material.pk, reception=reception, department=run.by.department_id, done_at__isnull=True
    ).update(done_at=timezone.now(), done_by=run.by)
    if changed != 1:
        raise Refused("该材料已标记完成（可能已被同事处理），请刷新页面。")
    # The department's item of this very material closes as done (each material is its own item).
    run.finish(material_step(material), decision="完成材料")
    run.audit("完成接待材料", comment=material.title)
    sync_participants(run)


@plans.step(
    "添加清单事项", source=[S.DRAFT, S.PENDING, S.APPROVED], roles=OFFICE, form=ChecklistForm, style="secondary"
)
def add_checklist_item(run, reception, *, text):
    ChecklistItem.objects.create(reception=reception, text=text)
    run.audit("添加接待细节", comment=text)


@plans.step("勾选清单", source=[S.DRAFT, S.PENDING, S.APPROVED], roles=OFFICE, rule=_has_unticked, form=TickForm)
def tick(run, reception, *, item):
    changed = ChecklistItem.objects.filter(pk=item.pk, reception=reception, done_at__isnull=True).update(
        done_at=timezone.now(), done_by=run.by
    )
    if changed != 1:
        raise Refused("该事项已勾选（可能已被同事处理），请刷新页面。")
    run.audit("勾选接待细节", comment=item.text)


@plans.step(
    "结算",
    source=[S.APPROVED],
    target=S.CLOSED,
    roles=OFFICE,
    rule=_may_close,
    form=CloseForm,
    confirm="结算后接待不能再修改，确定结算并生成接待清单吗？",
    success="接待已结算，接待清单已生成。",
)
def close(run, reception, *, costs, attendees, invoices=None):
    """Closing: actual attendees and costs; the three papers — invoices, the 公函, the 接待清单 — must be there."""
    if not invoices and not reception.invoices:
        raise Refused("报销须附发票。")
    if not reception.letter_scan:
        raise Refused("报销须附来访单位公函。")
    from .pdf import reception_list

    for field, value in costs.items():
        setattr(reception, field, value)
    reception.actual_attendees = attendees
    if invoices:
        reception.invoices = invoices
    reception.closed_at = timezone.now()  # the 清单 is dated the day of closing, never before the reception ended
    reception.save(update_fields=[*costs, "actual_attendees", "invoices", "closed_at"])
    content = reception_list(reception)
    reception.reception_list.save(f"接待清单-{reception.code}.pdf", ContentFile(content), save=False)
    run.advance(comment=f"合计 {reception.total_cost} 元", reception_list=reception.reception_list.name)
    sync_participants(run)


@plans.step(
    "取消接待",
    source=[S.DRAFT, S.PENDING, S.APPROVED],
    target=S.CANCELLED,
    roles=OFFICE,
    rule=_may_cancel,
    form=ReasonForm,
    style="danger",
    confirm="取消后不能恢复，确定取消这次接待吗？",
    success="接待已取消。",
)
def cancel(run, reception, *, reason):
    was_live = reception.status in (S.PENDING, S.APPROVED)
    leaders = list(reception.accompanying_leaders.all())
    run.advance(comment=reason)
    sync_participants(run)
    if was_live and leaders:
        run.notify(leaders, f"接待已取消：{reception}", body=reason)
