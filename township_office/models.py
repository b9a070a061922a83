"""The shared core: the township, its departments, people, roles, audit log, notifications."""

import re
import uuid
from datetime import date

from django.contrib.auth.models import AbstractUser, Group
from django.contrib.contenttypes.models import ContentType
from django.db import models
from django.db.models import Value
from django.db.models.functions import Coalesce
from django.urls import reverse
from django.utils import timezone


class Township(models.Model):
    """The township the installation serves (one row)."""

    name = models.CharField("乡镇名称", max_length=50)
    office_name = models.CharField("办公室名称", max_length=50, help_text="如：长官镇党政办公室")
    party_committee_name = models.CharField("党委名称", max_length=50, help_text="如：中共长官镇委员会")
    government_name = models.CharField("政府名称", max_length=50, help_text="如：长官镇人民政府")
    fonds_code = models.CharField("全宗号", max_length=20, help_text="档号的第一段，按 DA/T 22-2015")
    office_code = models.CharField("机构代码", max_length=20, default="BGS", help_text="档号中的机构（问题）代码")
    case_number_prefix = models.CharField(
        "信访编号前缀", max_length=10, default="信", help_text="信访事项编号的前缀，如“长信”得到 长信〔2026〕1号"
    )
    supervision_warn_days = models.PositiveSmallIntegerField(
        "督办预警天数", default=3, help_text="督办事项的时限或下一节点在这么多天之内时亮黄灯"
    )
    supervision_ranking = models.BooleanField(
        "督办通报排名", default=False, help_text="月度督办通报是否按承办单位排名（默认不排名）"
    )

    class Meta:
        verbose_name = verbose_name_plural = "乡镇信息"

    def __str__(self):
        return self.name

    @classmethod
    def current(cls):
        return cls.objects.order_by("pk").first()


class IssuerCode(models.Model):
    """发文机关代字, e.g. 长政发 issued in the name of 长官镇人民政府."""

    class Body(models.TextChoices):
        PARTY = "party", "党委"
        GOVERNMENT = "government", "政府"
        OFFICE = "office", "党政办公室"

    code = models.CharField("发文机关代字", max_length=20, unique=True)
    body = models.CharField("发文机关", max_length=20, choices=Body.choices)
    description = models.CharField("说明", max_length=100, blank=True)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "发文机关代字"
        ordering = ["code"]

    def __str__(self):
        return self.code


class Department(models.Model):
    """站所室 or 村(居)委会. Members are the users whose ``department`` is this one;
    a grant to a department is a grant to its group, so members inherit it."""

    class Kind(models.TextChoices):
        OFFICE = "office", "党政办公室"
        STATION = "station", "站所室"
        VILLAGE = "village", "村(居)委会"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    name = models.CharField("名称", max_length=50, unique=True)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.STATION)
    archive_code = models.CharField("机构代码", max_length=20, blank=True, help_text="档号中的机构代码")
    phone = models.CharField("联系电话", max_length=30, blank=True)
    sort_order = models.PositiveIntegerField("排序", default=100)
    is_active = models.BooleanField("启用", default=True)
    group = models.OneToOneField(Group, on_delete=models.PROTECT, editable=False, related_name="department")

    class Meta:
        verbose_name = verbose_name_plural = "部门（站所室、村居）"
        ordering = ["kind", "sort_order", "name"]

    def __str__(self):
        return self.name

    def save(self, *args, **kwargs):
        if self.group_id is None:
            self.group, _ = Group.objects.get_or_create(name=f"部门:{self.name}")
        elif self.pk and self.group.name != f"部门:{self.name}":
            self.group.name = f"部门:{self.name}"
            self.group.save(update_fields=["name"])
        super().save(*args, **kwargs)


class User(AbstractUser):
    """A person working in or for the township office."""

    full_name = models.CharField("姓名", max_length=30)
    phone = models.CharField("电话", max_length=30, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="所在部门", on_delete=models.PROTECT, null=True, blank=True, related_name="members"
    )
    # 我的常用批示语: offered after the office's own, one tap each, wherever a 批示 or an opinion is written
    phrases = models.JSONField("我的常用批示语", default=list, blank=True)

    class Meta(AbstractUser.Meta):
        verbose_name = verbose_name_plural = "人员"

    def __str__(self):
        return self.full_name or self.username

    def get_full_name(self):
        return self.full_name or self.username

    def save(self, *args, **kwargs):
        previous = None
        if self.pk:
            previous = type(self).objects.filter(pk=self.pk).values_list("department_id", flat=True).first()
        super().save(*args, **kwargs)
        if previous != self.department_id:
            self._sync_department_group(previous)

    def _sync_department_group(self, previous_department_id):
        if previous_department_id:
            self.groups.remove(*Group.objects.filter(department__pk=previous_department_id))
        if self.department_id:
            self.groups.add(self.department.group)
        self._group_ids = None  # roles.group_ids() reads the membership afresh


class Position(models.Model):
    """职务: a person's title and rank; deputy leaders are in charge of (分管) departments."""

    user = models.OneToOneField(User, on_delete=models.CASCADE, related_name="position", verbose_name="人员")
    title = models.CharField("职务", max_length=40)
    rank = models.PositiveIntegerField("排序", default=100, help_text="领导排序，数字小者在前")
    in_charge_of = models.ManyToManyField(
        Department, blank=True, related_name="leaders_in_charge", verbose_name="分管部门"
    )

    class Meta:
        verbose_name = verbose_name_plural = "职务"
        ordering = ["rank", "pk"]

    def __str__(self):
        return f"{self.user} {self.title}"


# What ``audit.fingerprinted`` appends inside a comment's parenthesis: "（附手写签名，SHA-256 <64 hex>）".
FINGERPRINT = re.compile(r"，SHA-256 [0-9a-f]{64}")


class AuditEventQuerySet(models.QuerySet):
    def update(self, **kwargs):
        raise PermissionError("审计日志不可修改")

    def delete(self):
        raise PermissionError("审计日志不可删除")

    _raw_delete = delete


class AuditEvent(models.Model):
    """审计日志: append-only. The ORM refuses update/delete; database triggers refuse them too."""

    created_at = models.DateTimeField("时间", default=timezone.now, db_index=True)
    actor = models.ForeignKey(
        User,
        verbose_name="操作人",
        null=True,
        blank=True,
        on_delete=models.DO_NOTHING,
        db_constraint=False,
        related_name="+",
    )
    actor_name = models.CharField("操作人姓名", max_length=60, blank=True)
    action = models.CharField("操作", max_length=60, db_index=True)
    object_type = models.CharField("对象类型", max_length=60, blank=True, db_index=True)
    object_code = models.CharField("对象编号", max_length=64, blank=True, db_index=True)
    object_repr = models.CharField("对象", max_length=200, blank=True)
    from_state = models.CharField("原状态", max_length=40, blank=True)
    to_state = models.CharField("新状态", max_length=40, blank=True)
    comment = models.TextField("说明", blank=True)
    client_address = models.GenericIPAddressField("来源地址", null=True, blank=True)

    objects = AuditEventQuerySet.as_manager()

    class Meta:
        verbose_name = verbose_name_plural = "审计日志"
        ordering = ["-created_at", "-pk"]
        default_permissions = ("view",)
        indexes = [models.Index(fields=["object_type", "object_code", "created_at"])]

    def __str__(self):
        return f"{self.created_at:%Y-%m-%d %H:%M} {self.actor_name} {self.action}"

    def save(self, *args, **kwargs):
        if self.pk is not None or not self._state.adding:
            raise PermissionError("审计日志不可修改")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("审计日志不可删除")

    @property
    def plain_comment(self):
        """The comment as the 流转记录 shows it to the people working on the record: without the SHA-256 a
        step may record for the auditors (``audit.fingerprinted``)."""
        return FINGERPRINT.sub("", self.comment)


class Matter(models.Model):
    """One record going through a workflow (a 收文, a 用印申请, …) as the work lists see it.

    Written by ``worklist.track()`` when the record is created and kept current by every step, so that
    我的待办, 已办 and 我发起的 read one table and never ask the four apps. ``title`` is what the people who
    hold work on the record may read of it (a secret file is "密件").
    """

    content_type = models.ForeignKey(ContentType, on_delete=models.CASCADE, related_name="+")
    object_id = models.PositiveBigIntegerField()
    kind = models.CharField("类别", max_length=20)
    title = models.CharField("标题", max_length=200)
    url = models.CharField("链接", max_length=300)
    state = models.CharField("当前状态", max_length=40, blank=True)
    initiator = models.ForeignKey(
        User, verbose_name="发起人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    created_at = models.DateTimeField("发起时间", default=timezone.now)
    updated_at = models.DateTimeField("最近变化", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "事项"
        constraints = [models.UniqueConstraint(fields=["content_type", "object_id"], name="matter_once_per_record")]
        indexes = [models.Index(fields=["initiator", "-updated_at"], name="matter_by_initiator")]

    def __str__(self):
        return f"{self.kind} {self.title}"


NO_DUE = date(9999, 12, 31)  # a work item without a deadline sorts after every dated one


class WorkItem(models.Model):
    """Who must act on which record, by which step, since when and by when; and once done, by whom and how.

    An item is for one person (``assignee``) or for every member of a department (``department``). The
    steps write items in their own transaction (``worklist.assign``/``finish``); 我的待办 reads them.
    """

    class Kind(models.TextChoices):
        ACT = "act", "待办"
        READ = "read", "待阅"

    matter = models.ForeignKey(Matter, on_delete=models.CASCADE, related_name="work_items", verbose_name="事项")
    step = models.CharField("步骤", max_length=40)
    label = models.CharField("待办事项", max_length=40)
    kind = models.CharField("类型", max_length=10, choices=Kind.choices, default=Kind.ACT)
    assignee = models.ForeignKey(
        User, verbose_name="办理人", null=True, blank=True, on_delete=models.CASCADE, related_name="work_items"
    )
    department = models.ForeignKey(
        Department, verbose_name="办理部门", null=True, blank=True, on_delete=models.CASCADE, related_name="work_items"
    )
    created_at = models.DateTimeField("收到时间", default=timezone.now)
    due = models.DateField("办理时限", null=True, blank=True)
    # 我的待办's order: by deadline, items without one last. A plain (stored) column, so that an index can give
    # the order; SQLite indexes have no NULLS LAST, and an expression in the query would not match the index.
    due_order = models.GeneratedField(
        expression=Coalesce("due", Value(NO_DUE)), output_field=models.DateField(), db_persist=True
    )
    urgent = models.BooleanField("紧急", default=False)
    done_at = models.DateTimeField("办理时间", null=True, blank=True)
    done_by = models.ForeignKey(
        User, verbose_name="实际办理人", null=True, blank=True, on_delete=models.SET_NULL, related_name="+"
    )
    decision = models.CharField("办理结果", max_length=200, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "待办事项"
        constraints = [
            models.CheckConstraint(
                condition=models.Q(assignee__isnull=False) | models.Q(department__isnull=False),
                name="work_item_has_someone",
            )
        ]
        indexes = [
            models.Index(
                fields=["assignee", "created_at"], condition=models.Q(done_at__isnull=True), name="work_open_person"
            ),
            models.Index(
                fields=["department", "created_at"],
                condition=models.Q(done_at__isnull=True),
                name="work_open_department",
            ),
            # 我的待办 pages in its order straight off these, for the person and for the department (see
            # worklist.waiting): no sort of every open item, however many the office director has.
            models.Index(
                fields=["assignee", "due_order", "-urgent", "created_at", "id"],
                condition=models.Q(done_at__isnull=True, kind="act"),
                name="work_todo_person",
            ),
            models.Index(
                fields=["department", "due_order", "-urgent", "created_at", "id"],
                condition=models.Q(done_at__isnull=True, kind="act"),
                name="work_todo_department",
            ),
            models.Index(fields=["done_by", "-done_at"], name="work_done_by"),
            # 待阅/传阅 starts from the person's (or department's) few read-only items, not from all they ever had.
            # (partial, so that 待办's own partial indexes stay the plan for open items to act on)
            models.Index(fields=["assignee", "-created_at"], condition=models.Q(kind="read"), name="work_person_read"),
            models.Index(
                fields=["department", "-created_at"], condition=models.Q(kind="read"), name="work_department_read"
            ),
            models.Index(fields=["matter", "step"], name="work_matter_step"),
        ]

    def __str__(self):
        return f"{self.label} {self.matter.title}"

    @property
    def is_open(self):
        return self.done_at is None

    @property
    def overdue(self):
        return self.due is not None and self.done_at is None and self.due < timezone.localdate()


class Notification(models.Model):
    """In-app notification for one person."""

    recipient = models.ForeignKey(User, on_delete=models.CASCADE, related_name="notifications")
    title = models.CharField("标题", max_length=200)
    body = models.TextField("内容", blank=True)
    url = models.CharField("链接", max_length=300, blank=True)
    created_at = models.DateTimeField("时间", default=timezone.now)
    read_at = models.DateTimeField("阅读时间", null=True, blank=True)
    # De-duplication key: the same event never notifies the same person twice.
    event_key = models.CharField(max_length=120, blank=True)
    # The work item it announces: once the item is done (by anyone), the notification is cleared.
    work_item = models.ForeignKey(WorkItem, null=True, blank=True, on_delete=models.SET_NULL, related_name="+")

    class Meta:
        verbose_name = verbose_name_plural = "通知"
        ordering = ["-created_at", "-pk"]
        indexes = [models.Index(fields=["recipient", "read_at"])]
        constraints = [
            models.UniqueConstraint(
                fields=["recipient", "event_key"], condition=~models.Q(event_key=""), name="notification_once_per_event"
            )
        ]

    def __str__(self):
        return self.title

    def get_absolute_url(self):
        return reverse("township_office:notification_open", args=[self.pk])


from .ops_models import AuditHead, AuditLink, Heartbeat, OutboxMessage, PasswordChangeRequired  # noqa: E402, F401
