"""印信管理: the seal registry, seal-use requests with their approval chain, the hash-chained
register of stampings, and introduction letters."""

import hashlib
import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from township_office.models import Department


class Seal(models.Model):
    class Kind(models.TextChoices):
        PARTY = "party", "党委印章"
        GOVERNMENT = "government", "政府印章"
        OFFICE = "office", "办公室印章"
        DEPARTMENT = "department", "部门印章"
        CONTRACT = "contract", "合同专用章"
        LEGAL_REPRESENTATIVE = "legal_rep", "法定代表人名章"

    class Status(models.TextChoices):
        IN_USE = "in_use", "在用"
        DISABLED = "disabled", "停用"
        LOST = "lost", "遗失"
        DESTROYED = "destroyed", "销毁"

    class Tier(models.IntegerChoices):
        PRINCIPAL = 1, "一级（主要领导审批）"
        DEPUTY = 2, "二级（分管领导审批）"
        OFFICE = 3, "三级（办公室主任审批）"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("印章名称", max_length=60, unique=True)
    kind = models.CharField("类别", max_length=15, choices=Kind.choices)
    tier = models.PositiveSmallIntegerField("审批级别", choices=Tier.choices)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.IN_USE)
    department = models.ForeignKey(Department, verbose_name="所属部门", null=True, blank=True, on_delete=models.PROTECT)
    custodians = models.ManyToManyField(settings.AUTH_USER_MODEL, verbose_name="保管人", related_name="kept_seals")

    class Meta:
        verbose_name = verbose_name_plural = "印章"
        ordering = ["tier", "name"]

    def __str__(self):
        return self.name


class SealStatusChange(models.Model):
    seal = models.ForeignKey(Seal, on_delete=models.CASCADE, related_name="status_changes")
    from_status = models.CharField("原状态", max_length=10, choices=Seal.Status.choices)
    to_status = models.CharField("新状态", max_length=10, choices=Seal.Status.choices)
    reason = models.CharField("原因", max_length=200)
    changed_on = models.DateField("变更日期", default=timezone.localdate)
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "印章状态变更"
        ordering = ["-changed_on", "-pk"]

    def __str__(self):
        return f"{self.seal} {self.get_from_status_display()}→{self.get_to_status_display()}"


class SealRequest(models.Model):
    class UseType(models.TextChoices):
        DOCUMENT = "document", "文件"
        CONTRACT = "contract", "合同"
        CERTIFICATE = "certificate", "证明"
        LETTER = "letter", "介绍信"
        TAKE_OUT = "take_out", "外带"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        PENDING = "pending", "审批中"
        APPROVED = "approved", "已批准待用印"
        STAMPED = "stamped", "已用印"
        REJECTED = "rejected", "已驳回"
        VOID = "void", "已作废"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    # Numbered when first submitted (a draft has no number yet; a withdrawn request keeps its number).
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    serial = models.PositiveIntegerField("序号", null=True, blank=True)
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="申请人", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(Department, verbose_name="申请部门", on_delete=models.PROTECT, related_name="+")
    seals = models.ManyToManyField(Seal, verbose_name="印章", related_name="requests")
    title = models.CharField("文件名称", max_length=200)
    recipient = models.CharField("致送单位", max_length=100)
    purpose = models.CharField("用印事由", max_length=300)
    copies = models.PositiveIntegerField("用印份数")
    use_type = models.CharField("用印类别", max_length=15, choices=UseType.choices)
    contract_amount = models.DecimalField("合同金额（元）", max_digits=14, decimal_places=2, null=True, blank=True)
    document = models.FileField("待用印文件", upload_to="seals/%Y/%m/", blank=True)  # required to submit
    document_sha256 = models.CharField("文件指纹", max_length=64, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    stamped_copies = models.PositiveIntegerField("已用印份数", default=0)
    created_at = models.DateTimeField("申请时间", default=timezone.now, db_index=True)  # the list order
    # 外带: the seal leaves the office and is signed back in.
    expected_return = models.DateTimeField("预计归还时间", null=True, blank=True)
    taken_out_at = models.DateTimeField("带出时间", null=True, blank=True)
    returned_at = models.DateTimeField("归还时间", null=True, blank=True)
    # A record of another app this request is for (e.g. an outgoing document); no FK between apps.
    linked_object_type = models.CharField(max_length=60, blank=True, db_index=True)
    linked_object_code = models.CharField(max_length=64, blank=True, db_index=True)
    linked_label = models.CharField("关联文件", max_length=80, blank=True)  # e.g. 发文 长政发〔2026〕3号
    # The leader who signed the linked record off (签发) and when, and the file that was: at 提交 their approval
    # counts for each level of the chain they may approve, as long as the file is still that one.
    signed_off_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    signed_off_at = models.DateTimeField("签发时间", null=True, blank=True)
    signed_off_sha256 = models.CharField(max_length=64, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "用印申请"
        ordering = ["-created_at", "-pk"]
        permissions = [("approve_sealrequest", "审批用印申请")]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="seal_request_serial_unique"),
            models.CheckConstraint(
                condition=models.Q(stamped_copies__lte=models.F("copies")), name="never_more_copies_than_approved"
            ),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("seals:request_detail", args=[self.code])

    @property
    def number(self):
        if self.serial is None:
            return "用印申请（草稿）"
        return f"用印〔{self.year}〕{self.serial}号"

    def worklist_title(self):
        return f"{self.number} {self.title}"

    @property
    def is_take_out(self):
        return self.use_type == self.UseType.TAKE_OUT

    @property
    def seal_is_out(self):
        return self.taken_out_at is not None and self.returned_at is None

    def get_status_display(self):
        """The state as people read it: a seal taken out and not yet back says so (lists, 我发起的, badges)."""
        if self.seal_is_out:
            return "印章已带出，待归还"
        return self.Status(self.status).label

    @property
    def status_class(self):
        """The badge's CSS class (display only)."""
        return {
            self.Status.DRAFT: "muted",
            self.Status.REJECTED: "danger",
            self.Status.VOID: "danger",
            self.Status.STAMPED: "ok",
        }.get(self.status, "info")

    def stamped_per_seal(self):
        """{seal pk: copies stamped so far} for this request, from the register."""
        rows = self.stampings.values("seal").annotate(total=models.Sum("copies"))
        return {row["seal"]: row["total"] for row in rows}

    @property
    def contract_amount_display(self):
        """The contract amount as money is written: ¥1,200,000.00 (empty without one)."""
        return "" if self.contract_amount is None else f"¥{self.contract_amount:,.2f}"

    @property
    def fully_stamped(self):
        return self.status == self.Status.STAMPED


class ApprovalStep(models.Model):
    class Level(models.TextChoices):
        OFFICE = "office", "办公室主任"
        DEPUTY = "deputy", "分管领导"
        PRINCIPAL = "principal", "主要领导"

    class Decision(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "同意"
        REJECTED = "rejected", "不同意"

    request = models.ForeignKey(SealRequest, on_delete=models.CASCADE, related_name="steps")
    order = models.PositiveSmallIntegerField()
    level = models.CharField(max_length=10, choices=Level.choices)
    approvers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="+")
    decision = models.CharField(max_length=10, choices=Decision.choices, default=Decision.PENDING)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    comment = models.TextField(blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The SHA-256 of the file the approver saw: the approval is bound to that file.
    document_sha256 = models.CharField(max_length=64, blank=True)
    # Approved by the 签发 of the linked record (the leader may approve this level): nobody was asked again.
    by_sign_off = models.BooleanField("签发即批准", default=False)

    class Meta:
        ordering = ["order"]
        constraints = [models.UniqueConstraint(fields=["request", "order"], name="one_step_per_order")]

    def __str__(self):
        return f"{self.get_level_display()} {self.get_decision_display()}"

    @property
    def opinion(self):
        """The opinion as printed: the decision, then the comment — once when the comment already says it
        (「同意」, 「同意，请按规定用印」), never 「同意：同意」."""
        if self.by_sign_off:
            return self.comment
        decision = self.get_decision_display()
        comment = self.comment.strip()
        if not comment or comment.startswith(decision):
            return comment or decision
        return f"{decision}：{comment}"

    @property
    def sign_off_text(self):
        """签发即批准：<leader> <time>（发文 <文号>）, in Beijing time."""
        when = timezone.localtime(self.decided_at)
        return f"签发即批准：{self.decided_by} {when:%Y年%-m月%-d日 %H:%M}（{self.request.linked_label}）"


class StampingQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("用印登记簿只能追加，不能修改")

    def delete(self):
        raise PermissionError("用印登记簿只能追加，不能删除")


class Stamping(models.Model):
    """用印登记簿: append-only; each entry carries the hash of the previous one."""

    seq = models.PositiveIntegerField("序号", unique=True)
    request = models.ForeignKey(SealRequest, on_delete=models.PROTECT, related_name="stampings")
    seal = models.ForeignKey(Seal, on_delete=models.PROTECT, related_name="stampings")
    custodian = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="监印人", on_delete=models.PROTECT, related_name="+"
    )
    copies = models.PositiveIntegerField("份数")
    stamped_at = models.DateTimeField("用印时间")
    document_sha256 = models.CharField(max_length=64)
    prev_hash = models.CharField(max_length=64)
    entry_hash = models.CharField(max_length=64)

    objects = StampingQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "用印登记"
        ordering = ["seq"]
        indexes = [models.Index(fields=["stamped_at"])]

    def __str__(self):
        return f"{self.seq} {self.seal} {self.copies}份"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("用印登记簿只能追加，不能修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("用印登记簿只能追加，不能删除")

    def compute_hash(self):
        payload = "|".join(
            [
                self.prev_hash,
                str(self.seq),
                str(self.request_id),
                str(self.seal_id),
                str(self.custodian_id),
                str(self.copies),
                self.stamped_at.isoformat(),
                self.document_sha256,
            ]
        )
        return hashlib.sha256(payload.encode()).hexdigest()


class RegisterHead(models.Model):
    """One row: the last entry of the register, locked while a new entry is appended."""

    last_seq = models.PositiveIntegerField(default=0)
    last_hash = models.CharField(max_length=64, default="0" * 64)

    def __str__(self):
        return f"登记簿至第{self.last_seq}号"


class IntroductionLetter(models.Model):
    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        REJECTED = "rejected", "已驳回"
        VOID = "void", "作废"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("编号")
    applicant = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="经办人", on_delete=models.PROTECT, related_name="+"
    )
    department = models.ForeignKey(Department, verbose_name="申请部门", on_delete=models.PROTECT, related_name="+")
    recipient_unit = models.CharField("前往单位", max_length=100)
    persons = models.CharField("被介绍人", max_length=100)
    person_count = models.PositiveIntegerField("人数")
    purpose = models.CharField("联系事项", max_length=200)
    valid_days = models.PositiveIntegerField("有效期（天）")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    approver = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="批准人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    comment = models.TextField("审批意见", blank=True)
    void_reason = models.CharField("作废原因", max_length=200, blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "介绍信"
        ordering = ["-year", "-serial"]
        permissions = [("approve_introductionletter", "审批介绍信")]
        constraints = [models.UniqueConstraint(fields=["year", "serial"], name="letter_serial_unique")]

    def __str__(self):
        return f"{self.number} {self.recipient_unit}"

    def get_absolute_url(self):
        return reverse("seals:letter_detail", args=[self.code])

    @property
    def number(self):
        return f"（{self.year}）第{self.serial}号"

    def worklist_title(self):
        return f"介绍信{self.number} {self.recipient_unit}"

    @property
    def is_void(self):
        return self.status == self.Status.VOID

    @property
    def printable(self):
        """Printed once approved; a voided letter prints with 作废 (it keeps its number)."""
        return self.status in (self.Status.APPROVED, self.Status.VOID)

    @property
    def status_class(self):
        return {self.Status.VOID: "danger", self.Status.REJECTED: "danger", self.Status.APPROVED: "ok"}.get(
            self.status, "info"
        )


class SealRequestUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SealRequest, on_delete=models.CASCADE)


class SealRequestGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SealRequest, on_delete=models.CASCADE)


class IntroductionLetterUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(IntroductionLetter, on_delete=models.CASCADE)


class IntroductionLetterGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(IntroductionLetter, on_delete=models.CASCADE)
