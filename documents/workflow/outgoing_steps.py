"""发文 steps: 修改草稿, 提交, 撤回, 审核, 核稿, 会签 (跳过, 登记纸质会签), 签发, 复核, 编号, 用印, 印发 (登记纸质送达),
归档."""

from django.apps import apps
from django.utils import timezone
from sequences import get_next_value

from township_office import permissions, steps, worklist
from township_office.forms import departments_with_accounts
from township_office.models import Department, User
from township_office.roles import LEADERS, Role, has_role, role_users
from township_office.steps import Refused

from .. import official
from ..forms import (
    ApproveForm,
    ArchiveForm,
    CountersignForm,
    EditDraftForm,
    IssueForm,
    OpinionForm,
    OptionalOpinionForm,
    SkipCountersignForm,
    SubmitForm,
)
from ..models import (
    Delivery,
    DraftVersion,
    Opinion,
    OutgoingDocument,
)
from ..paper_forms import PaperCountersignForm, PaperDeliveryForm
from ..permissions import delivery_of_department
from ..seal_forms import SealRequestForm
from .common import Out, archive_code_for, refuse_state_secret

# --- 发文 -------------------------------------------------------------------------------------------------


def _reassign_outgoing(document, item, old, new):
    """转交 of a 会签 moves the department in the document's list, so the 会签 is still complete when all sign;
    转交 of a 签收 moves the department's delivery (the new department signs for it, the table says so)."""
    if item.step == "countersign" and item.department_id:
        document.countersign_departments.remove(old)
        document.countersign_departments.add(new)
    if item.step == "sign_for" and item.department_id:
        if document.deliveries.filter(department=new.pk).exists():
            raise Refused(f"{new} 已是该文的收文单位，不能转交给它。")
        document.deliveries.filter(department=old.pk, signed_at__isnull=True).update(department=new, on_paper=False)
        document.__dict__.pop("_deliveries", None)


outgoing = steps.Flow(
    OutgoingDocument,
    initiator="drafter",
    kind="发文",
    url_name="documents:outgoing_step",
    on_reassign=_reassign_outgoing,
    start=steps.Start(
        "拟稿",
        "documents:outgoing_create",
        (Role.DEPARTMENT_STAFF,),
        refusal="只有站所室经办人可以拟稿。",
        rule=lambda user: None if user.department_id else "您没有所在部门，不能拟稿。",
    ),
)


def reviewers_for(document):
    """部门审核 by the deputy leaders in charge of the drafting department."""
    return list(role_users(Role.DEPUTY_LEADER).filter(position__in_charge_of=document.drafting_department_id))


def _not_drafter(document, users):
    return [u for u in users if u.pk != document.drafter_id]


def checkers_for(document):
    """核稿: the office directors, never the drafter; the principal leaders when an office director drafted it
    and no other office director is there (the next person in the chain decides)."""
    return _not_drafter(document, role_users(Role.OFFICE_DIRECTOR)) or _not_drafter(
        document, role_users(Role.PRINCIPAL_LEADER)
    )


def check_roles(document):
    """Who may 核稿 this document: one function for the declaration and for the items (``checkers_for``)."""
    if _not_drafter(document, role_users(Role.OFFICE_DIRECTOR)):
        return (Role.OFFICE_DIRECTOR,)
    return (Role.PRINCIPAL_LEADER,)


def signers_for(document):
    """签发: the principal leaders for important and upward documents; for routine ones the deputy leaders in
    charge of the drafting department (the principal leaders when none is). Never the drafter."""
    principals = _not_drafter(document, role_users(Role.PRINCIPAL_LEADER))
    if document.importance != OutgoingDocument.Importance.ROUTINE:
        return principals
    return _not_drafter(document, reviewers_for(document)) or principals


def _not_own_draft(document, user):
    """Separation of duties: nobody checks or signs a document they drafted themselves."""
    return "不能核稿或签发自己拟稿的发文，由下一位审批人办理。" if document.drafter_id == user.pk else None


def _unsigned_countersign(document):
    signed = document.opinions.filter(step=Opinion.Step.COUNTERSIGN).values("department")
    return document.countersign_departments.exclude(pk__in=signed)


def pending_countersign(document):
    return list(_unsigned_countersign(document))


def paper_countersign_pending(document):
    """The 会签 departments still to sign that have no active account: the office records their paper opinion."""
    return departments_with_accounts(_unsigned_countersign(document)).filter(has_accounts=False)


def _drafter_rule(document, user):
    return None if document.drafter_id == user.pk else "只有拟稿人可以办理。"


def _opinion(document, step, by, text, approved=True, department=None, skipped=False):
    return Opinion.objects.create(
        document=document,
        step=step,
        author=by,
        text=text,
        approved=approved,
        department=department,
        skipped=skipped,
    )


def _need_text(text):
    if not text.strip():
        raise Refused("请填写意见。")


def _back_to_drafter(run, document, *, step, text):
    """退回修改: the opinion, the document back to 拟稿, the drafter's item to resubmit; nobody keeps a step."""
    _opinion(document, step, run.by, text, approved=False)
    run.advance(Out.DRAFT, comment=text)
    for perm in ("review", "countersign", "sign_off"):
        permissions.set_grants(document, perm)
    run.hand_to("submit", users=[document.drafter], notify=f"发文稿被退回修改：{document.title}", body=text)


def _to_sign_off(run, document):
    run.hand_to("sign_off", users=signers_for(document), notify=f"请签发：{document.title}")


def _to_clerks(run, document, step):
    """The clerks' work items of the office's steps (复核, 编号, 用印, 印发, 归档): their ``workers_for``."""
    run.hand_to(step, users=role_users(*outgoing[step].workers_for(document)))


def _to_office(run, document, step, *, notify=""):
    """What the office records from paper (纸质会签, 纸质送达): the clerks' item while any is left to record; the
    last one recorded (or the last such department skipped) closes everyone's item."""
    run.hand_to(step, users=role_users(*outgoing[step].workers_for(document)), notify=notify)


def start_draft(document, *, by):
    """Called by ``services.draft_outgoing`` once the draft is saved: 我发起的, and the drafter holds it."""
    outgoing.begin(document, by=by)
    permissions.grant(document, "view", users=[by])


@outgoing.step(
    "修改草稿", source=[Out.DRAFT], rule=_drafter_rule, form=EditDraftForm, style="secondary", success="草稿已保存。"
)
def edit_draft(run, document, *, changes, countersign_departments=(), recipient_departments=None, body=None):
    """修改草稿 by the drafter: the fields changed, a new version of the text when its wording changed, and the
    流转记录 says what was changed (「修改了：标题、正文」)."""
    refuse_state_secret(changes.get("secrecy"))
    fields = [name for name, value in changes.items() if getattr(document, name) != value]
    for name in fields:
        setattr(document, name, changes[name])
    if body:
        document.body = body
        fields.append("body")
    if fields:
        document.save(update_fields=fields)
    document.countersign_departments.set(countersign_departments)
    if recipient_departments is not None:
        document.recipient_departments.set(recipient_departments)
    version = keep_version(document, by=run.by)
    changed = [str(OutgoingDocument._meta.get_field(name).verbose_name) for name in fields]
    run.audit(
        comment=f"修改了：{'、'.join(changed)}" + (f"（第{version.number}稿）" if version else "")
        if changed
        else "未修改内容"
    )


def keep_version(document, *, by):
    """A new :class:`DraftVersion` when the composed text differs from the last one kept (the first: always);
    returns it, or None when nothing of the text changed."""
    last = document.versions.order_by("-number").first()
    values = {name: getattr(document, name) for name in DraftVersion.FIELDS}
    if last is not None and all(getattr(last, name) == value for name, value in values.items()):
        return None
    changed = (
        [str(DraftVersion._meta.get_field(n).verbose_name) for n, v in values.items() if getattr(last, n) != v]
        if last
        else []
    )
    return DraftVersion.objects.create(
        document=document,
        number=(last.number + 1) if last else 1,
        changed="、".join(changed) or "初稿",
        author=by,
        **values,
    )


@outgoing.step(
    "提交部门审核",
    source=[Out.DRAFT],
    target=Out.DEPT_REVIEW,
    rule=_drafter_rule,
    form=SubmitForm,
    work="待修改后重新提交",
    success="已提交部门审核。",
)
def submit(run, document):
    """提交 / 重新提交 by the drafter: to the deputy leader in charge. The composed 正文 is required."""
    if not document.text.strip():
        raise Refused("请先填写或导入正文再提交。")
    reviewers = reviewers_for(document)
    if not reviewers:
        raise Refused("所在部门没有分管领导，无法送部门审核，请联系系统管理员。")
    run.advance(comment=document.title)
    run.hand_to("review", users=reviewers, notify=f"请部门审核：{document.title}")


@outgoing.step(
    "撤回",
    source=[Out.DEPT_REVIEW],
    target=Out.DRAFT,
    rule=_drafter_rule,
    style="secondary",
    confirm="撤回后稿件回到草稿，审核人的待办随之撤销。确定撤回吗？",
    success="已撤回，稿件回到草稿。",
)
def withdraw(run, document):
    """撤回 by the drafter until the first decision: back to draft, the reviewers' items and grants taken back."""
    reviewers = [item.assignee for item in worklist.open_items(document, "review").select_related("assignee")]
    run.advance(comment="拟稿人撤回")
    run.withdraw("review", users=[u for u in reviewers if u], decision="拟稿人已撤回")
    lost, _ = permissions.set_grants(document, "review")
    permissions.revoke(document, "view", users=User.objects.filter(pk__in=lost))


@outgoing.step(
    "审核通过",
    work="待部门审核",
    source=[Out.DEPT_REVIEW],
    target=Out.OFFICE_CHECK,
    roles=[Role.DEPUTY_LEADER],
    grant="review",
    form=ApproveForm,
    refusal="您不是该稿的审核人。",
)
def review(run, document, *, text="同意"):
    """部门审核 by the deputy leader in charge of the drafting department."""
    text = text.strip() or "同意"  # approving without typing records 同意
    _opinion(document, Opinion.Step.DEPT_REVIEW, run.by, text)
    run.advance(comment=text)
    permissions.set_grants(document, "review")
    run.hand_to("check", users=checkers_for(document), notify=f"请核稿：{document.title}")


@outgoing.step(
    "审核退回",
    source=[Out.DEPT_REVIEW],
    target=Out.DRAFT,
    roles=[Role.DEPUTY_LEADER],
    grant="review",
    form=OpinionForm,
    style="danger",
    refusal="您不是该稿的审核人。",
)
def review_return(run, document, *, text):
    _need_text(text)
    _back_to_drafter(run, document, step=Opinion.Step.DEPT_REVIEW, text=text)


@outgoing.step(
    "核稿通过",
    work="待核稿",
    source=[Out.OFFICE_CHECK],
    rule=_not_own_draft,
    target=[Out.COUNTERSIGN, Out.SIGN_OFF],
    roles=check_roles,
    form=ApproveForm,
    everyone=True,
)
def check(run, document, *, text="同意"):
    """办公室核稿: on to 会签 (each countersigning department) or straight to 签发. The grants are written here,
    after the decision, in the step's transaction: a refused or returned 核稿 grants nothing."""
    text = text.strip() or "同意"  # approving without typing records 同意
    _opinion(document, Opinion.Step.OFFICE_CHECK, run.by, text)
    countersign = list(departments_with_accounts(document.countersign_departments.all()))
    if countersign:
        run.advance(Out.COUNTERSIGN, comment=text)
        online = [d for d in countersign if d.has_accounts]
        run.hand_to("countersign", departments=online, notify=f"请会签：{document.title}")
        if len(online) < len(countersign):  # a department without an account signs on paper
            _to_office(run, document, "countersign_on_paper", notify=f"请登记纸质会签：{document.title}")
    else:
        run.advance(Out.SIGN_OFF, comment=text)
        _to_sign_off(run, document)


@outgoing.step(
    "核稿退回",
    source=[Out.OFFICE_CHECK],
    rule=_not_own_draft,
    target=Out.DRAFT,
    roles=check_roles,
    form=OpinionForm,
    style="danger",
    everyone=True,
)
def check_return(run, document, *, text):
    _need_text(text)
    _back_to_drafter(run, document, step=Opinion.Step.OFFICE_CHECK, text=text)


def _countersign_rule(document, user):
    if not user.department_id:
        return "您所在部门不是会签部门。"
    if document.opinions.filter(step=Opinion.Step.COUNTERSIGN, department=user.department_id).exists():
        return "您所在部门已会签。"
    return None


def _after_countersign(run, document, *, comment):
    """One department signed or was skipped (one audit event saying which): the others keep their step; when
    none is left, on to 签发."""
    pending = pending_countersign(document)
    permissions.set_grants(document, "countersign", departments=pending)
    if pending:
        run.audit(comment=comment)
        if not paper_countersign_pending(document).exists():
            run.finish("countersign_on_paper", everyone=True, decision="纸质会签已登记完毕")
    else:
        run.advance(Out.SIGN_OFF, comment=f"{comment}（会签完毕）")
        _to_sign_off(run, document)


@outgoing.step(
    "会签",
    work="待会签",
    source=[Out.COUNTERSIGN],
    target=Out.SIGN_OFF,
    grant="countersign",
    rule=_countersign_rule,
    form=CountersignForm,
    refusal="您所在部门不是会签部门。",
)
def countersign(run, document, *, text):
    """会签 by a member of a countersigning department; when every department has signed, on to 签发."""
    _need_text(text)
    _opinion(document, Opinion.Step.COUNTERSIGN, run.by, text, department=run.by.department)
    _after_countersign(run, document, comment=f"{run.by.department}：{text}")


@outgoing.step(
    "跳过会签",
    source=[Out.COUNTERSIGN],
    target=Out.SIGN_OFF,
    roles=[Role.OFFICE_DIRECTOR],
    form=SkipCountersignForm,
    style="secondary",
    confirm="跳过后该部门不再会签，理由记入流转记录。确定跳过吗？",
)
def skip_countersign(run, document, *, department, reason):
    """The office director unblocks a 会签 (a department with no one to sign, or away) with a written reason."""
    if not reason.strip():
        raise Refused("请写明跳过会签的理由。")
    if department not in pending_countersign(document):
        raise Refused(f"{department} 不在待会签部门之列。")
    _opinion(document, Opinion.Step.COUNTERSIGN, run.by, reason, department=department, skipped=True)
    run.withdraw("countersign", departments=[department], decision=f"跳过会签：{reason}"[:200])
    _after_countersign(run, document, comment=f"{department}：{reason}")


def _paper_countersign_rule(document, user):
    if not paper_countersign_pending(document).exists():
        return Refused("没有待登记纸质会签的部门（无账号的会签部门均已会签或跳过）。")
    return None


@outgoing.step(
    "登记纸质会签",
    work="待登记纸质会签",
    source=[Out.COUNTERSIGN],
    target=Out.SIGN_OFF,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    work_roles=[Role.CLERK],
    rule=_paper_countersign_rule,
    form=PaperCountersignForm,
    style="secondary",
    refusal="只有办公室文书或办公室主任可以登记纸质会签。",
    success="纸质会签已登记。",
)
def countersign_on_paper(run, document, *, department, signer, signed_on, text, scan=None):
    """A department without an account signed the 会签 on paper: the office records who signed, the date, the
    opinion and (optionally) the scan. It counts as that department's 会签, as an online one does."""
    _need_text(text)
    if not signer.strip():
        raise Refused("请填写会签人姓名。")
    if signed_on > timezone.localdate():
        raise Refused("会签日期不能晚于今天，请核对。")
    if not document.countersign_departments.filter(pk=department.pk).exists():
        raise Refused(f"{department} 不是该文的会签部门。")
    if document.opinions.filter(step=Opinion.Step.COUNTERSIGN, department=department.pk).exists():
        raise Refused(f"{department} 已会签，不能重复登记。")
    if not paper_countersign_pending(document).filter(pk=department.pk).exists():
        raise Refused(f"{department} 有可用账号，应由该部门在线会签。")
    opinion = Opinion(
        document=document,
        step=Opinion.Step.COUNTERSIGN,
        author=run.by,
        text=text.strip(),
        department=department,
        on_paper=True,
        paper_signer=signer.strip(),
        paper_signed_on=signed_on,
    )
    if scan:
        opinion.paper_scan = scan
    opinion.save()
    scanned = "，附扫描件" if scan else ""
    _after_countersign(
        run, document, comment=f"{department}（纸质，{opinion.paper_signer} {signed_on:%Y-%m-%d}{scanned}）：{text}"
    )
    if document.status == Out.COUNTERSIGN and paper_countersign_pending(document).exists():
        _to_office(run, document, "countersign_on_paper")  # the office's item stays open for the others


def _signer_rule(document, user):
    if document.drafter_id == user.pk:
        return _not_own_draft(document, user)
    if document.importance != OutgoingDocument.Importance.ROUTINE and not has_role(user, Role.PRINCIPAL_LEADER):
        return "重要文件和上行文须由主要领导签发。"
    return None


@outgoing.step(
    "签发",
    work="待签发",
    source=[Out.SIGN_OFF],
    target=Out.RECHECK,
    roles=LEADERS,
    grant="sign_off",
    rule=_signer_rule,
    form=ApproveForm,
    everyone=True,
    confirm="签发后进入复核、编号，确定签发吗？",
    refusal="您不是该文的签发人。",
)
def sign_off(run, document, *, text="同意"):
    """签发: by the right leader; opinion, name and full date are recorded."""
    text = text.strip() or "同意"  # approving without typing records 同意
    _opinion(document, Opinion.Step.SIGN_OFF, run.by, text)
    # 成文日期 is the day the leader signed it (GB/T 9704-2012 7.3.5.1): printed under the 署名
    run.advance(comment=text, signer=run.by, date_of_issue=timezone.localdate())
    permissions.set_grants(document, "sign_off")
    _to_clerks(run, document, "recheck")


@outgoing.step(
    "签发退回",
    source=[Out.SIGN_OFF],
    target=Out.DRAFT,
    roles=LEADERS,
    grant="sign_off",
    rule=_not_own_draft,
    form=OpinionForm,
    style="danger",
    everyone=True,
    refusal="您不是该文的签发人。",
)
def sign_off_return(run, document, *, text):
    _need_text(text)
    _back_to_drafter(run, document, step=Opinion.Step.SIGN_OFF, text=text)


@outgoing.step(
    "复核",
    work="待复核",
    source=[Out.RECHECK],
    target=Out.NUMBERING,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    work_roles=[Role.CLERK],
    form=OptionalOpinionForm,
    everyone=True,
)
def recheck(run, document, *, text=""):
    """复核 by the clerk before numbering."""
    _opinion(document, Opinion.Step.RECHECK, run.by, text or "复核无误")
    run.advance(comment=text)
    _to_clerks(run, document, "number")


@outgoing.step(
    "编号",
    work="待编号",
    source=[Out.NUMBERING],
    target=Out.SEALING,
    roles=[Role.CLERK],
    everyone=True,
    confirm="编号不可撤销，确定编号吗？",
)
def number(run, document):
    """编号: 发文字号 = issuer code + 〔year〕 + serial + 号, gapless per issuer code and year."""
    year = timezone.localdate().year
    serial = get_next_value(f"documents.outgoing.{document.issuer_code.code}.{year}")
    doc_number = f"{document.issuer_code.code}〔{year}〕{serial}号"
    run.advance(comment=doc_number, year=year, serial=serial, doc_number=doc_number)
    if official.is_composed(document):
        official.freeze(document)  # the numbered document, typeset once: what is sealed and issued
    _to_clerks(run, document, "seal")
    return doc_number


def _seals_api():
    """The seals app's narrow interface, or None when the seals app (or its api) is not installed."""
    if not apps.is_installed("seals"):
        return None
    try:
        from seals import api
    except ImportError:
        return None
    return api if hasattr(api, "requests_for") else None


def seal_requests_for(document):
    """The seal-use requests linked to this document (empty when the seals app is not installed)."""
    api = _seals_api()
    return api.requests_for("documents.outgoingdocument", str(document.code)) if api else []


def _live_seal_request(document):
    """A seal-use request of the document that is not void or rejected (one is enough), or None."""
    ended = ("void", "rejected")
    return next((r for r in seal_requests_for(document) if r.status not in ended), None)


def _request_seal_rule(document, user):
    if not document.doc_number:
        return Refused("该文尚未编号，编号后才能申请用印。")
    if not official.is_composed(document):  # an older 发文 with an uploaded 正文: its file goes through 印信管理
        return Refused("该文正文为上传文件，没有系统排版的正式文件，请在印信管理中上传该文件申请用印。")
    if _seals_api() is None:
        return Refused("本系统未启用印信管理，请线下办理用印。")
    live = _live_seal_request(document)
    if live is not None:
        return Refused(f"该文已有用印申请 {live.number}（{live.status_label}），不能重复申请。")
    return None


@outgoing.step(
    "申请用印",
    source=[Out.SEALING],
    roles=[Role.CLERK],
    rule=_request_seal_rule,
    form=SealRequestForm,
    style="secondary",
    refusal="只有办公室文书可以为发文申请用印。",
    confirm="将以本文编号后的正式文件申请用印，签发领导可审批的级别视为已批准。确定申请吗？",
    success="用印申请已提交，待用印文件即本文正式文件。",
)
def request_seal(run, document, *, seals, copies):
    """申请用印 from the numbered 发文: the seal-use request is made and submitted at once with the issued PDF as its
    file (its SHA-256 bound); the 签发 leader's approval counts for the levels that leader may approve."""
    if not copies or copies < 1:
        raise Refused("用印份数至少为 1。")
    signed = (
        document.opinions.filter(step=Opinion.Step.SIGN_OFF, approved=True, author=document.signer_id)
        .order_by("-created_at")
        .first()
    )
    if signed is None:
        raise Refused("该文没有签发记录，不能申请用印。")
    summary = _seals_api().request_for_document(
        by=run.by,
        department=document.drafting_department,
        object_type="documents.outgoingdocument",
        object_code=str(document.code),
        linked_label=f"发文 {document.doc_number}",
        title=document.title,
        recipient=document.main_recipients,
        copies=copies,
        seal_ids=seals,
        pdf=official.document_pdf(document),
        filename=f"{document.doc_number}.pdf",
        signed_off_by=document.signer,
        signed_off_at=signed.created_at,
    )
    run.audit(comment=summary.number)
    return summary


@outgoing.step(
    "确认用印",
    work="待用印",
    source=[Out.SEALING],
    target=Out.ISSUING,
    roles=[Role.CLERK],
    everyone=True,
    confirm="确认用印后转入印发，不能撤销。确定吗？",
)
def seal(run, document):
    """用印: confirmed when a linked seal-use request is fully stamped."""
    requests = seal_requests_for(document)
    if _seals_api() is not None and not any(r.fully_stamped for r in requests):
        raise Refused("该文尚无已完成用印的用印申请，请先申请用印并由印章管理员登记用印。")
    numbers = "、".join(r.number for r in requests if r.fully_stamped)
    run.advance(comment=numbers)
    _to_clerks(run, document, "issue")


def recipients_of(document):
    """The township departments a 发文 goes to, each annotated with ``has_accounts`` (any active member)."""
    return list(departments_with_accounts(document.recipient_departments.all()))


def _names(departments):
    return "、".join(str(d) for d in departments)


def _issue_confirm(document):
    """Asked before 印发: how many departments will be asked to 签收, and which must get the paper copy."""
    recipients = recipients_of(document)
    staffed = [d for d in recipients if d.has_accounts]
    paper = [d for d in recipients if not d.has_accounts]
    text = f"印发后不可撤销，将送达 {len(staffed)} 个本镇单位的账号签收。" if recipients else "未选择本镇收文单位。"
    if paper:
        text += f"{_names(paper)} 没有可用账号，需纸质送达。"
    return text + "确定印发吗？"


def _issue_success(document):
    deliveries = list(document.deliveries.select_related("department"))
    paper = [d.department for d in deliveries if d.on_paper]
    text = f"已印发，已送达 {len(deliveries) - len(paper)} 个本镇单位签收。"
    if paper:
        text += f"{_names(paper)} 无账号，需纸质送达。"
    return text


@outgoing.step(
    "印发",
    work="待印发",
    source=[Out.ISSUING],
    target=Out.ISSUED,
    roles=[Role.CLERK],
    form=IssueForm,
    everyone=True,
    confirm=_issue_confirm,
    success=_issue_success,
)
def issue(run, document, *, copies, issued_on, proofreader):
    """印发/核发: copies, date, proofreader; 主送 and 抄送 were fixed at drafting. Each township department
    chosen at drafting gets a Delivery; one with active accounts also gets view, the 签收 step and its item."""
    if not copies or copies < 1:
        raise Refused("印发份数至少为 1。")
    recipients = recipients_of(document)
    staffed = [d for d in recipients if d.has_accounts]
    paper = [d for d in recipients if not d.has_accounts]
    comment = f"{copies}份"
    if recipients:
        comment += f"，送达本镇 {len(staffed)} 个单位签收"
    if paper:
        comment += f"，{len(paper)} 个单位无账号需纸质送达"
    run.advance(comment=comment, copies=copies, issued_on=issued_on, proofreader=proofreader)
    now = timezone.now()
    Delivery.objects.bulk_create(
        [Delivery(outgoing=document, department=d, delivered_at=now, on_paper=not d.has_accounts) for d in recipients]
    )
    run.hand_to("sign_for", departments=staffed, notify=f"请签收：{document.doc_number} {document.title}")
    if paper:
        _to_office(
            run, document, "record_paper_delivery", notify=f"请纸质送达并登记：{document.doc_number} {document.title}"
        )
    _to_clerks(run, document, "archive_outgoing")
    run.notify([document.drafter], f"已印发：{document.doc_number} {document.title}")


def delivery_of(document, user):
    """The delivery of ``document`` to the user's department (None when there is none), read once per page."""
    return delivery_of_department(document, getattr(user, "department_id", None))


def _sign_for_rule(document, user):
    delivery = delivery_of(document, user)
    if delivery is None:
        return "您所在部门不是该文的收文单位。"
    if delivery.signed_at:
        return Refused(f"{delivery.department}已签收该文，不能重复签收。")
    return None


@outgoing.step(
    "签收",
    work="待签收",
    source=[Out.ISSUED, Out.ARCHIVED],
    grant="sign_for",
    rule=_sign_for_rule,
    refusal="您所在部门不是该文的收文单位，或已经签收。",
    success="已签收。",
)
def sign_for(run, document):
    """签收 by any member of a recipient department, once per department: the department keeps view (to read
    it again) and loses the step; the office sees who signed and when."""
    delivery = delivery_of(document, run.by)
    signed = Delivery.objects.filter(pk=delivery.pk, signed_at__isnull=True).update(
        signed_at=timezone.now(), signed_by=run.by
    )
    if signed != 1:  # two members at once: one wins
        raise Refused(f"{delivery.department}已签收该文，不能重复签收。")
    document.__dict__.pop("_deliveries", None)
    unsigned = document.deliveries.filter(signed_at__isnull=True, on_paper=False).values("department")
    permissions.set_grants(document, "sign_for", departments=Department.objects.filter(pk__in=unsigned))
    run.audit(comment=str(delivery.department))


def paper_deliveries_pending(document):
    """The deliveries to units without an account whose paper delivery is not recorded yet."""
    return document.deliveries.filter(on_paper=True, signed_at__isnull=True)


def _paper_delivery_rule(document, user):
    if not paper_deliveries_pending(document).exists():
        return Refused("没有待登记纸质送达的单位。")
    return None


@outgoing.step(
    "登记纸质送达",
    work="待登记纸质送达",
    source=[Out.ISSUED, Out.ARCHIVED],
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    work_roles=[Role.CLERK],
    rule=_paper_delivery_rule,
    form=PaperDeliveryForm,
    style="secondary",
    refusal="只有办公室文书或办公室主任可以登记纸质送达。",
    success="纸质送达已登记。",
)
def record_paper_delivery(run, document, *, delivery, delivered_at, receiver, receipt=None):
    """纸质送达 to a unit without an account: when, the name on the 回执 and (optionally) its scan; the clerk who
    records it is kept. It closes that unit's line as a 签收 does (``signed_at`` is the time on the 回执)."""
    row = Delivery.objects.select_for_update().filter(pk=delivery.pk, outgoing=document).first()
    if row is None:
        raise Refused("该单位不是本文的收文单位。")
    if not row.on_paper:
        raise Refused(f"{row.department} 有账号，由该单位在线签收，不登记纸质送达。")
    if row.signed_at:
        raise Refused(f"{row.department} 已签收或已登记纸质送达，不能重复登记。")
    receiver = receiver.strip()
    if not receiver:
        raise Refused("请填写回执上的签收人姓名。")
    if delivered_at > timezone.now():
        raise Refused("送达时间不能晚于现在，请核对。")
    if document.issued_on and timezone.localtime(delivered_at).date() < document.issued_on:
        raise Refused(f"送达时间不能早于印发日期（{document.issued_on:%Y-%m-%d}），请核对。")
    row.signed_at = delivered_at
    row.paper_receiver = receiver
    row.paper_recorded_by = run.by
    fields = ["signed_at", "paper_receiver", "paper_recorded_by"]
    if receipt:
        row.paper_receipt = receipt
        fields.append("paper_receipt")
    row.save(update_fields=fields)
    document.__dict__.pop("_deliveries", None)
    scanned = "，附回执扫描件" if receipt else ""
    run.audit(
        comment=f"{row.department}：{timezone.localtime(delivered_at):%Y-%m-%d %H:%M} 纸质送达，签收人 {receiver}"
        f"{scanned}"
    )
    if paper_deliveries_pending(document).exists():
        _to_office(run, document, "record_paper_delivery")  # the office's item stays open for the others
    else:
        run.finish("record_paper_delivery", everyone=True, decision="纸质送达已登记完毕")


@outgoing.step(
    "归档",
    work="待归档",
    source=[Out.ISSUED],
    target=Out.ARCHIVED,
    roles=[Role.CLERK, Role.OFFICE_DIRECTOR],
    work_roles=[Role.CLERK],
    form=ArchiveForm,
    everyone=True,
    confirm="归档后文件只读，确定归档吗？",
)
def archive_outgoing(run, document, *, retention):
    year = document.year or timezone.localdate().year
    number = get_next_value(f"documents.archive.{year}")
    code = archive_code_for(year, retention, number)
    run.advance(comment=code, retention=retention, archive_number=number, archive_code=code)
