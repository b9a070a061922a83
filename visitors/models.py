"""来访与信访: contacts at the front desk and petition cases under the 《信访工作条例》(2022)."""

import uuid
from datetime import timedelta

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from township_office.models import Department

from .idnumber import mask


class Category(models.TextChoices):
    LAND = "land", "土地征收"
    LABOUR = "labour", "劳动社保"
    CONSTRUCTION = "construction", "城乡建设"
    LEGAL = "legal", "涉法涉诉"
    AGRICULTURE = "agriculture", "农村农业"
    CIVIL = "civil", "民政"
    ENVIRONMENT = "environment", "生态环境"
    OTHER = "other", "其他"


class Contact(models.Model):
    """One 来访, 来信 or 来电 registered at the front desk."""

    class Channel(models.TextChoices):
        VISIT = "visit", "来访"
        LETTER = "letter", "来信"
        CALL = "call", "来电"

    class Gender(models.TextChoices):
        MALE = "M", "男"
        FEMALE = "F", "女"
        UNKNOWN = "", "未填"

    class Status(models.TextChoices):
        DRAFT = "draft", "草稿"
        OPEN = "open", "待处理"
        ANSWERED = "answered", "当场答复办结"
        CASE = "case", "已转信访事项"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    channel = models.CharField("渠道", max_length=10, choices=Channel.choices, default=Channel.VISIT)
    received_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    received_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="接待人", on_delete=models.PROTECT, related_name="+"
    )
    name = models.CharField("姓名", max_length=30)
    gender = models.CharField("性别", max_length=1, choices=Gender.choices, blank=True)
    id_number = models.CharField("身份证号", max_length=18, blank=True, db_index=True)
    phone = models.CharField("联系电话", max_length=20, blank=True, db_index=True)
    address = models.CharField("村（社区）/住址", max_length=100, blank=True)
    people_count = models.PositiveIntegerField("人数", default=1)
    matter = models.TextField("反映问题")
    category = models.CharField("问题类别", max_length=15, choices=Category.choices, default=Category.OTHER)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    answer = models.TextField("当场答复情况", blank=True)
    # 来信 only: the postmark and the scan of the letter (checked by content like every upload)
    postmark_date = models.DateField("邮戳日期", null=True, blank=True)
    letter_scan = models.FileField("来信扫描件", upload_to="visitors/letters/%Y/", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "来访来信来电"
        ordering = ["-received_at", "-pk"]
        # the front desk's 我的待办: contacts not yet answered, oldest first
        indexes = [models.Index(fields=["status", "received_at"], name="contact_status_received")]

    def __str__(self):
        return f"{self.get_channel_display()} {self.name} {timezone.localtime(self.received_at):%Y-%m-%d}"

    def get_absolute_url(self):
        return reverse("visitors:contact_detail", args=[self.code])

    def get_edit_url(self):
        return reverse("visitors:contact_edit", args=[self.code])

    @property
    def is_letter(self):
        return self.channel == self.Channel.LETTER

    @property
    def is_group_visit(self):
        return self.people_count >= 5

    def worklist_title(self):
        draft = "（草稿）" if self.status == self.Status.DRAFT else ""
        return f"{self.get_channel_display()} {self.name}：{self.matter[:30]}{draft}"

    @property
    def masked_id(self):
        return mask(self.id_number)


class Representative(models.Model):
    """集体访 elects at most five representatives."""

    contact = models.ForeignKey(Contact, on_delete=models.CASCADE, related_name="representatives")
    name = models.CharField("代表姓名", max_length=30)
    id_number = models.CharField("身份证号", max_length=18, blank=True)
    phone = models.CharField("电话", max_length=20, blank=True)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class PetitionCase(models.Model):
    class Type(models.TextChoices):
        SUGGESTION = "suggestion", "建议意见类"
        ACCUSATION = "accusation", "检举控告类"
        CLAIM = "claim", "申诉求决类"

    class Severity(models.TextChoices):
        MINOR = "minor", "一般"
        MAJOR = "major", "重大（集体访、越级风险、公共安全）"

    class Status(models.TextChoices):
        REGISTERED = "registered", "待受理"
        DECLINED = "declined", "不予受理"
        INSTRUCTING = "instructing", "待领导批示"
        HANDLING = "handling", "办理中"
        REPLIED = "replied", "已答复"
        CLOSED = "closed", "已办结"
        WITHDRAWN = "withdrawn", "已撤回"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    prefix = models.CharField("编号前缀", max_length=10, blank=True, help_text="立案时乡镇设置的信访编号前缀")
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("编号")
    contact = models.ForeignKey(Contact, on_delete=models.PROTECT, related_name="cases", verbose_name="来源登记")
    opened_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="立案人",
    )
    petition_type = models.CharField("信访类型", max_length=12, choices=Type.choices)
    category = models.CharField("问题类别", max_length=15, choices=Category.choices)
    severity = models.CharField("性质", max_length=10, choices=Severity.choices, default=Severity.MINOR)
    received_on = models.DateField("收到日期")
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    # 受理 / 告知 (within 15 days of receipt)
    notice_text = models.TextField("书面告知内容", blank=True)
    notice_sent_on = models.DateField("书面告知日期", null=True, blank=True)
    accepted_on = models.DateField("受理日期", null=True, blank=True)
    handled_with_opinion = models.BooleanField("以信访处理意见书办理", default=False)
    # 批示 and 交办
    instructing_leader = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="批示领导",
    )
    instruction = models.TextField("领导批示", blank=True)
    instructed_at = models.DateTimeField(null=True, blank=True)
    lead_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="主办部门"
    )
    support_departments = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name="协办部门")
    deadline = models.DateField("办理时限", null=True, blank=True)
    extension_days = models.PositiveIntegerField("延期天数", default=0)
    extension_reason = models.CharField("延期理由", max_length=200, blank=True)
    extension_requested_days = models.PositiveIntegerField(default=0)
    extension_approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    # Forwarding
    accused_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+", verbose_name="被反映部门"
    )
    accused_person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name="被反映人",
    )
    forwarded_to = models.CharField("转送机关", max_length=60, blank=True)
    forwarded_on = models.DateField("转送日期", null=True, blank=True)
    # 上报, 答复, 满意度, 复查
    report_up = models.TextField("向上级报告情况", blank=True)
    reply_text = models.TextField("答复意见", blank=True)
    replied_on = models.DateField("答复日期", null=True, blank=True)
    satisfaction = models.CharField(
        "满意度",
        max_length=12,
        blank=True,
        choices=[("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")],
    )
    review_requested_on = models.DateField("申请复查日期", null=True, blank=True)
    review_kind = models.CharField(
        "复查/复核", max_length=10, blank=True, choices=[("review", "复查"), ("recheck", "复核")]
    )
    review_result = models.TextField("复查（复核）结果", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "信访事项"
        ordering = ["-year", "-serial"]
        permissions = [("handle_petitioncase", "办理信访事项"), ("instruct_petitioncase", "批示信访事项")]
        constraints = [models.UniqueConstraint(fields=["year", "serial"], name="case_serial_unique")]
        indexes = [models.Index(fields=["status", "deadline"])]

    def __str__(self):
        return f"{self.number} {self.contact.name}"

    def get_absolute_url(self):
        return reverse("visitors:case_detail", args=[self.code])

    @property
    def number(self):
        return f"{self.prefix}〔{self.year}〕{self.serial}号"

    def worklist_title(self):
        return f"{self.number} {self.contact.matter[:40]}"

    @property
    def current_due(self):
        """The date the case waits for now: the written notice before 受理, then the handling deadline."""
        if self.status == self.Status.REGISTERED:
            return self.notice_due
        return self.effective_deadline

    @property
    def current_due_label(self):
        return "告知" if self.status == self.Status.REGISTERED else ""

    @property
    def extension_pending(self):
        return bool(self.extension_requested_days and not self.extension_days)

    @property
    def notice_due(self):
        """The petitioner is told in writing within 15 days of receipt."""
        return self.received_on + timedelta(days=15)

    @property
    def effective_deadline(self):
        return self.deadline + timedelta(days=self.extension_days) if self.deadline else None

    @property
    def review_due(self):
        return self.replied_on + timedelta(days=30) if self.replied_on else None

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        if self.status == self.Status.REGISTERED:
            return today > self.notice_due
        if self.status in (self.Status.INSTRUCTING, self.Status.HANDLING):
            return bool(self.effective_deadline and today > self.effective_deadline)
        return False


class CaseProgress(models.Model):
    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="progress")
    department = models.ForeignKey(Department, null=True, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("办理进展")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:30]


class CaseReminder(models.Model):
    case = models.ForeignKey(PetitionCase, on_delete=models.CASCADE, related_name="reminders")
    event_key = models.CharField(max_length=100, unique=True)
    sent_at = models.DateTimeField(default=timezone.now)

    def __str__(self):
        return self.event_key


class DailyReport(models.Model):
    """每日来文来电来访汇报 as the PDF one principal leader receives each morning (what that leader may read)."""

    date = models.DateField("日期")
    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        null=True,
        blank=True,
        on_delete=models.CASCADE,
        related_name="+",
        verbose_name="收阅人",
    )
    file = models.FileField(upload_to="daily/")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-date", "pk"]
        constraints = [models.UniqueConstraint(fields=["date", "recipient"], name="daily_report_once_per_reader")]

    def __str__(self):
        return f"{self.date} 每日汇报"


class ContactUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Contact, on_delete=models.CASCADE)


class ContactGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Contact, on_delete=models.CASCADE)


class PetitionCaseUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(PetitionCase, on_delete=models.CASCADE)


class PetitionCaseGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(PetitionCase, on_delete=models.CASCADE)
