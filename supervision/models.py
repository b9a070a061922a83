"""督查督办: every decision followed to its end.

A 督办事项 is born from a source (a 收文 批示, a 信访事项, a 发文, a county's 交办, or entered by hand with a note),
is numbered 督〔2026〕N号 gapless per year, names the 交办 leader, the 牵头单位 and the 协办单位, a deadline and
optional milestones (节点). Its light (绿/黄/红) is computed (``lights.py``), never typed, and stored for lists.
"""

import uuid

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from township_office.models import Department


class Light(models.TextChoices):
    GREEN = "green", "绿灯"
    YELLOW = "yellow", "黄灯"
    RED = "red", "红灯"


class SupervisionItem(models.Model):
    class Status(models.TextChoices):
        OPEN = "open", "办理中"
        REVIEW = "review", "待销号"
        DONE = "done", "已销号"

    class Source(models.TextChoices):
        INCOMING = "incoming", "收文批示"
        PETITION = "petition", "信访事项"
        OUTGOING = "outgoing", "发文"
        COUNTY = "county", "上级交办"
        MANUAL = "manual", "手工录入"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("序号")
    title = models.CharField("督办事项", max_length=200)
    requirement = models.TextField("督办要求", blank=True)
    source_kind = models.CharField("来源", max_length=10, choices=Source.choices, default=Source.MANUAL)
    source_note = models.CharField("来源说明", max_length=200, blank=True)
    # The source record, by its app label and model ("documents.incomingdocument") and its public code.
    source_type = models.CharField(max_length=60, blank=True)
    source_code = models.CharField(max_length=64, blank=True)
    source_restricted = models.BooleanField("来源为内部/工作秘密", default=False)
    # An item from an accusation (检举控告) is never shown to the accused: copied from the case when it is opened.
    accused_person = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    accused_department = models.ForeignKey(
        Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    leader = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="交办领导", on_delete=models.PROTECT, related_name="+"
    )
    delegated = models.BooleanField("委托办公室销号", default=False, help_text="交办领导委托办公室主任审核销号")
    lead_department = models.ForeignKey(Department, verbose_name="牵头单位", on_delete=models.PROTECT, related_name="+")
    support_departments = models.ManyToManyField(Department, verbose_name="协办单位", blank=True, related_name="+")
    deadline = models.DateField("办结时限")
    extended_deadline = models.DateField("延期后时限", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.OPEN)
    light = models.CharField("督办灯", max_length=10, choices=Light.choices, default=Light.GREEN)
    light_note = models.CharField("亮灯原因", max_length=120, blank=True)
    result = models.TextField("办理结果", blank=True)
    result_file = models.FileField("结果材料", upload_to="supervision/results/%Y/", blank=True)
    applied_on = models.DateField("申请办结日期", null=True, blank=True)
    closed_at = models.DateTimeField("销号时间", null=True, blank=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "督办事项"
        ordering = ["-year", "-serial"]
        permissions = [
            ("handle_supervisionitem", "承办督办事项"),
            ("close_supervisionitem", "销号督办事项"),
            ("extend_supervisionitem", "审批督办延期"),
        ]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="supervision_serial_unique_per_year"),
            models.CheckConstraint(
                condition=~models.Q(source_kind="manual") | ~models.Q(source_note=""),
                name="supervision_manual_has_note",
            ),
        ]
        indexes = [
            models.Index(fields=["status", "light"], name="supervision_status_light"),
            models.Index(fields=["leader", "-year", "-serial"], name="supervision_by_leader"),
            models.Index(fields=["source_type", "source_code"], name="supervision_source"),
        ]

    def __str__(self):
        """The number and title; an item from a 内部/工作秘密 source names only its number (its pages show the title
        to those who may open the source: ``permissions.titles``)."""
        return f"{self.number} {'内部事项' if self.source_restricted else self.title}"

    def get_absolute_url(self):
        return reverse("supervision:detail", args=[self.code])

    @property
    def number(self):
        return f"督〔{self.year}〕{self.serial}号"

    @property
    def due(self):
        """The deadline lateness counts from: the approved 延期's, else the original one."""
        return self.extended_deadline or self.deadline

    @property
    def light_tag(self):
        return {Light.GREEN: "ok", Light.YELLOW: "warn", Light.RED: "danger"}[self.light]


class Milestone(models.Model):
    """节点: one feedback each, by its date."""

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="milestones")
    title = models.CharField("节点", max_length=100)
    due = models.DateField("节点日期")
    fed_at = models.DateTimeField("反馈时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办节点"
        ordering = ["due", "pk"]

    def __str__(self):
        return f"{self.title}（{self.due:%m月%d日}）"


class Feedback(models.Model):
    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="feedbacks")
    milestone = models.OneToOneField(
        Milestone, null=True, blank=True, on_delete=models.CASCADE, related_name="feedback"
    )
    text = models.TextField("反馈内容")
    attachment = models.FileField("附件", upload_to="supervision/feedback/%Y/", blank=True)
    attachment_name = models.CharField(max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "督办反馈"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:30]


class Extension(models.Model):
    """延期申请: asked before the deadline with a reason and a later date, decided by the 交办 leader."""

    class Status(models.TextChoices):
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已同意"
        REFUSED = "refused", "不同意"
        VOID = "void", "已作废"

    item = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE, related_name="extensions")
    reason = models.TextField("延期理由")
    old_date = models.DateField("原时限")
    new_date = models.DateField("申请延至")
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.PENDING)
    asked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    asked_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    decided_at = models.DateTimeField(null=True, blank=True)
    comment = models.CharField("审批意见", max_length=500, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "督办延期"
        ordering = ["asked_at", "pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["item"], condition=models.Q(status="pending"), name="supervision_one_pending_extension"
            ),
            models.CheckConstraint(condition=models.Q(new_date__gt=models.F("old_date")), name="extension_is_later"),
        ]

    def __str__(self):
        return f"延至{self.new_date:%m月%d日}"


class SupervisionItemUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE)


class SupervisionItemGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SupervisionItem, on_delete=models.CASCADE)
