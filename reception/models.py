"""公务接待: receptions of visiting superiors under the 2013 national rules."""

import uuid
from decimal import Decimal

from django.conf import settings
from django.db import models
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from township_office.models import Department


class MeetingRoom(models.Model):
    name = models.CharField("会议室", max_length=50, unique=True)
    capacity = models.PositiveIntegerField("容纳人数", default=20)
    is_active = models.BooleanField("启用", default=True)

    class Meta:
        verbose_name = verbose_name_plural = "会议室"
        ordering = ["name"]

    def __str__(self):
        return self.name


class Reception(models.Model):
    class Status(models.TextChoices):
        DRAFT = "draft", "方案编制中"
        PENDING = "pending", "待审批"
        APPROVED = "approved", "已批准"
        CLOSED = "closed", "已结算"
        CANCELLED = "cancelled", "已取消"

    class Lodging(models.TextChoices):
        NONE = "none", "不安排住宿"
        STANDARD = "standard", "标准间"
        SUITE = "suite", "套间"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    visiting_unit = models.CharField("来访单位", max_length=100)
    purpose = models.CharField("公务活动事由", max_length=200)
    letter_number = models.CharField("公函编号", max_length=60, blank=True)
    letter_date = models.DateField("公函日期", null=True, blank=True)
    letter_scan = models.FileField("公函扫描件", upload_to="reception/letters/%Y/", blank=True)
    start = models.DateTimeField("开始时间", db_index=True)  # list order and calendar
    end = models.DateTimeField("结束时间")
    is_major = models.BooleanField(
        "重大接待", default=False, help_text="市级以上领导来访或规模较大的接待，由主要领导审批"
    )
    accompanying_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="陪同领导"
    )
    # The working meal (at most one) and what surrounds it.
    has_meal = models.BooleanField("安排工作餐", default=False)
    meal_time = models.DateTimeField("工作餐时间", null=True, blank=True)
    meal_place = models.CharField("工作餐地点", max_length=100, blank=True)
    meal_menu = models.CharField("菜单（家常菜）", max_length=300, blank=True)
    meal_diners = models.PositiveIntegerField("陪餐人数", default=0)
    meal_cost_per_person = models.DecimalField("人均餐费（元）", max_digits=8, decimal_places=2, default=Decimal("0"))
    lodging = models.CharField("住宿", max_length=10, choices=Lodging.choices, default=Lodging.NONE)
    lodging_rooms = models.PositiveIntegerField("房间数", default=0)
    vehicles = models.CharField("用车安排", max_length=200, blank=True)
    # Items the rules forbid: recorded so that the check is explicit.
    banners = models.BooleanField("悬挂标语横幅", default=False)
    welcome_crowd = models.BooleanField("组织迎送", default=False)
    gifts = models.BooleanField("赠送礼品、纪念品、土特产", default=False)
    alcohol = models.BooleanField("提供酒水", default=False)
    cigarettes = models.BooleanField("提供香烟", default=False)
    premium_dishes = models.BooleanField("高档菜肴", default=False)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.DRAFT, db_index=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    approved_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    approved_at = models.DateTimeField(null=True, blank=True)
    # Closing
    actual_attendees = models.CharField("实际陪同人员", max_length=300, blank=True)
    meal_cost = models.DecimalField("餐费", max_digits=10, decimal_places=2, default=Decimal("0"))
    lodging_cost = models.DecimalField("住宿费", max_digits=10, decimal_places=2, default=Decimal("0"))
    transport_cost = models.DecimalField("交通费", max_digits=10, decimal_places=2, default=Decimal("0"))
    other_cost = models.DecimalField("其他", max_digits=10, decimal_places=2, default=Decimal("0"))
    invoices = models.FileField("发票", upload_to="reception/invoices/%Y/", blank=True)
    reception_list = models.FileField("接待清单", upload_to="reception/lists/%Y/", blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "公务接待"
        ordering = ["-start"]
        permissions = [
            ("approve_reception", "审批接待方案"),
            ("accompany_reception", "陪同接待"),
            ("prepare_reception", "准备接待材料"),
        ]
        constraints = [
            models.CheckConstraint(condition=models.Q(end__gt=models.F("start")), name="reception_ends_after_start")
        ]

    def __str__(self):
        return f"{self.visiting_unit}：{self.purpose}"

    def get_absolute_url(self):
        return reverse("reception:detail", args=[self.code])

    def worklist_title(self):
        return f"{self.visiting_unit}：{self.purpose}（{timezone.localtime(self.start):%m月%d日}）"

    @property
    def status_tag(self):
        """The CSS class of the status badge (display only)."""
        S = self.Status
        return {S.DRAFT: "", S.PENDING: "warn", S.APPROVED: "info", S.CLOSED: "ok", S.CANCELLED: "muted"}[self.status]

    @property
    def total_cost(self):
        return self.meal_cost + self.lodging_cost + self.transport_cost + self.other_cost


class Guest(models.Model):
    reception = models.ForeignKey(Reception, on_delete=models.CASCADE, related_name="guests")
    name = models.CharField("姓名", max_length=30)
    unit = models.CharField("单位", max_length=100)
    title = models.CharField("职务", max_length=50)

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.name


class ItineraryItem(models.Model):
    reception = models.ForeignKey(Reception, on_delete=models.CASCADE, related_name="itinerary")
    start = models.DateTimeField("开始", db_index=True)  # the calendar
    end = models.DateTimeField("结束")
    place = models.CharField("地点", max_length=100)
    activity = models.CharField("活动内容", max_length=200)
    accompanying = models.CharField("陪同人员", max_length=100, blank=True)
    department = models.ForeignKey(
        Department, verbose_name="责任部门", null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    meeting_room = models.ForeignKey(
        MeetingRoom, verbose_name="会议室", null=True, blank=True, on_delete=models.PROTECT, related_name="bookings"
    )

    class Meta:
        ordering = ["start", "pk"]

    def __str__(self):
        return self.activity


class Material(models.Model):
    """汇报材料 assigned to a department with a deadline; shows in its 我的待办."""

    reception = models.ForeignKey(Reception, on_delete=models.CASCADE, related_name="materials")
    title = models.CharField("材料名称", max_length=100)
    department = models.ForeignKey(Department, verbose_name="承担部门", on_delete=models.PROTECT, related_name="+")
    deadline = models.DateField("完成时限")
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["deadline", "pk"]

    def __str__(self):
        return self.title


class ChecklistItem(models.Model):
    reception = models.ForeignKey(Reception, on_delete=models.CASCADE, related_name="checklist")
    text = models.CharField("事项", max_length=100)
    done_at = models.DateTimeField(null=True, blank=True)
    done_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        ordering = ["pk"]

    def __str__(self):
        return self.text


class ReceptionUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(Reception, on_delete=models.CASCADE)


class ReceptionGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(Reception, on_delete=models.CASCADE)
