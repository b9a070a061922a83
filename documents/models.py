"""公文流转: incoming files (收文) and outgoing documents (发文)."""

import uuid

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from guardian.models import GroupObjectPermissionBase, UserObjectPermissionBase

from township_office.models import Department, IssuerCode


class DocType(models.TextChoices):
    RESOLUTION = "决议", "决议"
    DECISION = "决定", "决定"
    ORDER = "命令", "命令"
    COMMUNIQUE = "公报", "公报"
    ANNOUNCEMENT = "公告", "公告"
    PUBLIC_NOTICE = "通告", "通告"
    OPINION = "意见", "意见"
    NOTICE = "通知", "通知"
    CIRCULAR = "通报", "通报"
    REPORT = "报告", "报告"
    REQUEST = "请示", "请示"
    REPLY = "批复", "批复"
    MOTION = "议案", "议案"
    LETTER = "函", "函"
    MINUTES = "纪要", "纪要"
    TELEGRAM = "电报", "其他：电报"
    MEETING_NOTICE = "会议通知", "其他：会议通知"
    BRIEFING = "简报", "其他：简报"


class Secrecy(models.TextChoices):
    """The levels a 收文 or 发文 stored here may carry: 内部 and 工作秘密 are restricted (only people granted see
    them), never state secrets. A state-secret file (``StateSecrecy``) is kept in the paper register only."""

    NONE = "none", "无"
    INTERNAL = "internal", "内部"
    WORK_SECRET = "work_secret", "工作秘密"


class StateSecrecy(models.TextChoices):
    """国家秘密 (保守国家秘密法): never stored or processed on this system, only registered on paper (``SecretEntry``)."""

    SECRET = "secret", "秘密"
    CONFIDENTIAL = "confidential", "机密"
    TOP_SECRET = "top_secret", "绝密"


class Urgency(models.TextChoices):
    NORMAL = "normal", "平件"
    URGENT = "urgent", "加急"
    EXTRA_URGENT = "extra_urgent", "特急"


class Retention(models.TextChoices):
    PERMANENT = "Y", "永久"
    Y30 = "D30", "定期30年"
    Y10 = "D10", "定期10年"


class IncomingDocument(models.Model):
    """收文 — a file received from outside, or a phone notice (电话记录) routed the same way."""

    class Kind(models.TextChoices):
        FILE = "file", "来文"
        PHONE = "phone", "电话记录"

    class Nature(models.TextChoices):
        FOR_READING = "for_reading", "阅知"
        FOR_ACTION = "for_action", "批办"

    class Status(models.TextChoices):
        REGISTERED = "registered", "待拟办"
        RETURNED = "returned", "已退文"
        INSTRUCTING = "instructing", "待批示"
        HANDLING = "handling", "办理中"
        COMPLETED = "completed", "已办结"
        ARCHIVED = "archived", "已归档"

    class CirculationMode(models.TextChoices):
        SEQUENTIAL = "sequential", "按领导排序依次传阅"
        PARALLEL = "parallel", "同时传阅"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    kind = models.CharField("类别", max_length=10, choices=Kind.choices, default=Kind.FILE)
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("收文编号")
    source_org = models.CharField("来文单位", max_length=100)
    source_doc_number = models.CharField("来文字号", max_length=60, blank=True)
    title = models.CharField("文件标题", max_length=200)
    doc_type = models.CharField("文种", max_length=10, choices=DocType.choices, default=DocType.NOTICE)
    secrecy = models.CharField("密级", max_length=15, choices=Secrecy.choices, default=Secrecy.NONE)
    secrecy_term = models.CharField("保密期限", max_length=30, blank=True)
    urgency = models.CharField("紧急程度", max_length=15, choices=Urgency.choices, default=Urgency.NORMAL)
    copies = models.PositiveIntegerField("份数", default=1)
    pages = models.PositiveIntegerField("页数", default=1)
    deadline = models.DateField("办理时限", null=True, blank=True)
    nature = models.CharField("性质", max_length=15, choices=Nature.choices, default=Nature.FOR_ACTION)
    signed_for_at = models.DateTimeField("签收时间", default=timezone.now)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="登记人", on_delete=models.PROTECT, related_name="+"
    )
    registered_at = models.DateTimeField("登记时间", default=timezone.now)
    # 电话记录
    caller = models.CharField("来电人", max_length=30, blank=True)
    call_time = models.DateTimeField("来电时间", null=True, blank=True)
    content = models.TextField("内容", blank=True)
    # 初审 / 拟办
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.REGISTERED, db_index=True)
    return_reason = models.TextField("退文理由", blank=True)
    proposal = models.TextField("拟办意见", blank=True)
    proposal_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )
    proposal_at = models.DateTimeField(null=True, blank=True)
    instructing_leaders = models.ManyToManyField(
        settings.AUTH_USER_MODEL, blank=True, related_name="+", verbose_name="呈批领导"
    )
    circulation_mode = models.CharField(
        "传阅方式", max_length=15, choices=CirculationMode.choices, default=CirculationMode.SEQUENTIAL
    )
    # 办结
    result = models.TextField("办理结果", blank=True)
    reply = models.TextField("答复情况", blank=True)
    completed_at = models.DateTimeField("办结时间", null=True, blank=True)
    completed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="办结人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 归档
    retention = models.CharField("保管期限", max_length=5, choices=Retention.choices, blank=True)
    archive_number = models.PositiveIntegerField("件号", null=True, blank=True)
    archive_code = models.CharField("档号", max_length=60, blank=True)
    archived_at = models.DateTimeField("归档时间", null=True, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "收文"
        ordering = ["-year", "-serial"]
        permissions = [
            ("handle_incomingdocument", "承办收文"),
            ("instruct_incomingdocument", "批示收文"),
            ("read_incomingdocument", "传阅收文"),
        ]
        constraints = [models.UniqueConstraint(fields=["year", "serial"], name="incoming_serial_unique_per_year")]
        indexes = [
            models.Index(fields=["status", "deadline"]),
            models.Index(fields=["registered_at"]),
            # 归档文件目录: a year's records in 件号 order, a page at a time
            models.Index(fields=["year", "archive_number"], name="incoming_catalogue"),
        ]

    def __str__(self):
        return f"{self.number} {self.title}"

    def get_absolute_url(self):
        return reverse("documents:incoming_detail", args=[self.code])

    @property
    def number(self):
        return f"收文〔{self.year}〕{self.serial}号"

    @property
    def is_restricted(self):
        """内部 / 工作秘密: visible only to the people granted, never by role alone."""
        return self.secrecy != Secrecy.NONE

    @property
    def is_phone(self):
        return self.kind == self.Kind.PHONE

    @property
    def is_urgent(self):
        return self.urgency in (Urgency.URGENT, Urgency.EXTRA_URGENT)

    @property
    def is_open(self):
        return self.status in (self.Status.REGISTERED, self.Status.INSTRUCTING, self.Status.HANDLING)

    def is_overdue(self, today=None):
        today = today or timezone.localdate()
        return bool(self.deadline and self.is_open and self.deadline < today)


class Attachment(models.Model):
    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="attachments")
    file = models.FileField("附件", upload_to="incoming/%Y/%m/")
    name = models.CharField("文件名", max_length=200)
    kind = models.CharField(max_length=10)
    uploaded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    uploaded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "收文附件"
        ordering = ["pk"]

    def __str__(self):
        return self.name


class Instruction(models.Model):
    """批示: signed instructions are never edited; a later one may follow."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="instructions")
    leader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("批示内容")
    signed_at = models.DateTimeField("批示时间", default=timezone.now)
    # 手写签名 (optional): the PNG kept by township_office.signatures; its SHA-256 is in the 批示's audit event
    signature = models.BinaryField("手写签名", blank=True, default=b"", editable=False)

    class Meta:
        verbose_name = verbose_name_plural = "领导批示"
        ordering = ["signed_at", "pk"]
        # "has this leader instructed this file?" (我的待办) must not read every instruction the leader ever signed
        indexes = [models.Index(fields=["document", "leader"], name="instruction_document_leader")]

    def __str__(self):
        return f"{self.leader}：{self.text[:20]}"

    def save(self, *args, **kwargs):
        if not self._state.adding:
            raise PermissionError("已签批示不可修改，只能追加新的批示")
        super().save(*args, **kwargs)

    def delete(self, *args, **kwargs):
        raise PermissionError("已签批示不可删除")

    @property
    def signature_url(self):
        """The drawn signature as a data URL ("" for none), for the page and the 收文处理笺."""
        from township_office.signatures import data_url

        return data_url(self.signature)


class Circulation(models.Model):
    """传阅: one copy in one reader's hands."""

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="circulations")
    reader = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.PositiveIntegerField("顺序", default=0)
    sent_at = models.DateTimeField("送达时间", null=True, blank=True)
    read_at = models.DateTimeField("阅毕时间", null=True, blank=True)
    comment = models.TextField("阅文意见", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "传阅"
        ordering = ["order", "pk"]
        constraints = [models.UniqueConstraint(fields=["document", "reader"], name="circulation_once_per_reader")]
        # 我的待办 and the 传阅 board ask for the copies still out; over the years almost every copy is read.
        indexes = [
            models.Index(fields=["reader"], condition=Q(read_at__isnull=True), name="circulation_unread"),
            models.Index(fields=["document", "order"], condition=Q(read_at__isnull=True), name="circulation_out"),
        ]

    def __str__(self):
        return f"{self.reader} {self.state_label}"

    @property
    def state_label(self):
        if self.read_at:
            return "已阅"
        return "在阅" if self.sent_at else "待传"


class Assignment(models.Model):
    """承办: a department handling the file, as lead (主办) or support (协办)."""

    class Role(models.TextChoices):
        LEAD = "lead", "主办"
        SUPPORT = "support", "协办"

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="assignments")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    role = models.CharField("承办方式", max_length=10, choices=Role.choices)
    assigned_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "承办"
        ordering = ["role", "pk"]
        constraints = [models.UniqueConstraint(fields=["document", "department"], name="assignment_once")]

    def __str__(self):
        return f"{self.department}（{self.get_role_display()}）"


class ProgressReport(models.Model):
    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="progress_reports")
    department = models.ForeignKey(Department, on_delete=models.PROTECT, related_name="+")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("办理进展")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "办理进展"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return self.text[:30]


class Reminder(models.Model):
    """催办: automatic (due soon / overdue) or manual with a note. One row per due event."""

    class Kind(models.TextChoices):
        DUE_SOON = "due_soon", "到期提醒"
        OVERDUE = "overdue", "逾期催办"
        MANUAL = "manual", "人工催办"

    document = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE, related_name="reminders")
    kind = models.CharField(max_length=10, choices=Kind.choices)
    event_key = models.CharField(max_length=80, unique=True)
    note = models.TextField("催办说明", blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    sent_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "催办"
        ordering = ["-sent_at"]

    def __str__(self):
        return f"{self.get_kind_display()} {self.document.number}"


class OutgoingDocument(models.Model):
    """发文: drafted by a department, checked, signed off, numbered, sealed and issued."""

    class Importance(models.TextChoices):
        ROUTINE = "routine", "一般事务性"
        IMPORTANT = "important", "重要"
        UPWARD = "upward", "上行文"

    class Status(models.TextChoices):
        DRAFT = "draft", "拟稿"
        DEPT_REVIEW = "dept_review", "待部门审核"
        OFFICE_CHECK = "office_check", "待办公室核稿"
        COUNTERSIGN = "countersign", "待会签"
        SIGN_OFF = "sign_off", "待签发"
        RECHECK = "recheck", "待复核"
        NUMBERING = "numbering", "待编号"
        SEALING = "sealing", "待用印"
        ISSUING = "issuing", "待印发"
        ISSUED = "issued", "已印发"
        ARCHIVED = "archived", "已归档"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    issuer_code = models.ForeignKey(IssuerCode, verbose_name="发文机关代字", on_delete=models.PROTECT)
    year = models.PositiveIntegerField("年度", null=True, blank=True)
    serial = models.PositiveIntegerField("发文序号", null=True, blank=True)
    doc_number = models.CharField("发文字号", max_length=40, blank=True, db_index=True)
    title = models.CharField("标题", max_length=200)
    doc_type = models.CharField("文种", max_length=10, choices=DocType.choices, default=DocType.NOTICE)
    importance = models.CharField("性质", max_length=10, choices=Importance.choices, default=Importance.ROUTINE)
    secrecy = models.CharField("密级", max_length=15, choices=Secrecy.choices, default=Secrecy.NONE)
    urgency = models.CharField("紧急程度", max_length=15, choices=Urgency.choices, default=Urgency.NORMAL)
    drafting_department = models.ForeignKey(Department, verbose_name="拟稿单位", on_delete=models.PROTECT)
    drafter = models.ForeignKey(
        settings.AUTH_USER_MODEL, verbose_name="拟稿人", on_delete=models.PROTECT, related_name="+"
    )
    drafter_phone = models.CharField("联系电话", max_length=30, blank=True)
    # The composed document (GB/T 9704): typed in the page or imported from a .docx, typeset by the system
    # (documents.official). ``body`` keeps the Word file it was imported from (原稿), or an older upload.
    issuer_bodies = models.JSONField("发文机关", default=list, blank=True)  # IssuerCode.Body values; [] = the 代字's
    text = models.TextField("正文", blank=True)  # one paragraph a line, headings 一、 （一） 1. （1）
    body = models.FileField("原稿", upload_to="outgoing/%Y/%m/", blank=True)
    attachments_note = models.TextField("附件说明", blank=True)  # one attachment a line
    main_recipients = models.CharField("主送机关", max_length=300)
    cc_recipients = models.CharField("抄送机关", max_length=300, blank=True)
    signatures = models.CharField("发文机关署名", max_length=200, blank=True)  # blank: the 发文机关
    printed_by = models.CharField("印发机关", max_length=50, blank=True)  # blank: the township's office
    date_of_issue = models.DateField("成文日期", null=True, blank=True)  # the 签发 date
    # The numbered document typeset by 编号 (documents.official.freeze): the file sealed, issued and archived.
    typeset = models.FileField("公文", upload_to="outgoing/typeset/%Y/", blank=True)
    typeset_sha256 = models.CharField(max_length=64, blank=True, editable=False)
    countersign_departments = models.ManyToManyField(Department, blank=True, related_name="+", verbose_name="会签部门")
    # 印发 delivers to these departments of the township (a 签收 each); 主送/抄送 above stay for outside units
    recipient_departments = models.ManyToManyField(
        Department, blank=True, related_name="+", verbose_name="主送/抄送单位（本镇）"
    )
    signer = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签发人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    status = models.CharField("状态", max_length=15, choices=Status.choices, default=Status.DRAFT, db_index=True)
    copies = models.PositiveIntegerField("印发份数", null=True, blank=True)
    issued_on = models.DateField("印发日期", null=True, blank=True)
    proofreader = models.CharField("校对", max_length=30, blank=True)
    created_at = models.DateTimeField(default=timezone.now, db_index=True)  # the 发文 list order
    retention = models.CharField("保管期限", max_length=5, choices=Retention.choices, blank=True)
    archive_number = models.PositiveIntegerField("件号", null=True, blank=True)
    archive_code = models.CharField("档号", max_length=60, blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发文"
        ordering = ["-created_at", "-pk"]
        permissions = [
            ("review_outgoingdocument", "审核发文"),
            ("countersign_outgoingdocument", "会签发文"),
            ("sign_off_outgoingdocument", "签发发文"),
            ("sign_for_outgoingdocument", "签收发文"),
        ]
        # a drafter's drafts (我的待办), not every document they drafted in ten years
        indexes = [
            models.Index(fields=["status", "drafter"], name="outgoing_status_drafter"),
            models.Index(fields=["year", "archive_number"], name="outgoing_catalogue"),  # 归档文件目录
        ]
        constraints = [
            models.UniqueConstraint(
                fields=["issuer_code", "year", "serial"],
                condition=models.Q(serial__isnull=False),
                name="outgoing_number_unique",
            )
        ]

    def __str__(self):
        return f"{self.doc_number or '（未编号）'} {self.title}"

    def get_absolute_url(self):
        return reverse("documents:outgoing_detail", args=[self.code])

    @property
    def is_restricted(self):
        """内部 / 工作秘密: visible only to the people granted, never by role alone."""
        return self.secrecy != Secrecy.NONE

    @property
    def is_urgent(self):
        return self.urgency in (Urgency.URGENT, Urgency.EXTRA_URGENT)

    @property
    def at_sealing_or_later(self):
        """Display only: the linked seal-use requests are shown from 用印 on."""
        s = self.Status
        return self.status in (s.SEALING, s.ISSUING, s.ISSUED, s.ARCHIVED)


class Opinion(models.Model):
    """An opinion on an outgoing document at one step: 部门审核, 核稿, 会签, 签发, 复核."""

    class Step(models.TextChoices):
        DEPT_REVIEW = "dept_review", "部门审核"
        OFFICE_CHECK = "office_check", "核稿"
        COUNTERSIGN = "countersign", "会签"
        SIGN_OFF = "sign_off", "签发"
        RECHECK = "recheck", "复核"

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="opinions")
    step = models.CharField(max_length=15, choices=Step.choices)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    department = models.ForeignKey(Department, null=True, blank=True, on_delete=models.PROTECT, related_name="+")
    text = models.TextField("意见")
    approved = models.BooleanField(default=True)
    skipped = models.BooleanField("已跳过", default=False)  # 会签 skipped by the office director (text: the reason)
    created_at = models.DateTimeField(default=timezone.now)
    # 纸质会签: a department without an account signed on paper; the office recorded it (``author``)
    on_paper = models.BooleanField("纸质会签", default=False)
    paper_signer = models.CharField("会签人（纸质）", max_length=30, blank=True)
    paper_signed_on = models.DateField("会签日期（纸质）", null=True, blank=True)
    paper_scan = models.FileField("会签扫描件", upload_to="outgoing/countersign/%Y/%m/", blank=True)

    class Meta:
        verbose_name = verbose_name_plural = "发文意见"
        ordering = ["created_at", "pk"]

    def __str__(self):
        return f"{self.get_step_display()} {self.author}"


class DraftVersion(models.Model):
    """One saved version of a 发文's composed text (拟稿, every 修改草稿): who saved what, kept for good."""

    document = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="versions")
    number = models.PositiveIntegerField("版本")
    title = models.CharField("标题", max_length=200)
    main_recipients = models.CharField("主送机关", max_length=300)
    text = models.TextField("正文", blank=True)
    attachments_note = models.TextField("附件说明", blank=True)
    signatures = models.CharField("发文机关署名", max_length=200, blank=True)
    cc_recipients = models.CharField("抄送机关", max_length=300, blank=True)
    changed = models.CharField("修改内容", max_length=200, blank=True)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    FIELDS = ("title", "main_recipients", "text", "attachments_note", "signatures", "cc_recipients")

    class Meta:
        verbose_name = verbose_name_plural = "发文稿版本"
        ordering = ["document", "number"]
        constraints = [models.UniqueConstraint(fields=["document", "number"], name="draft_version_once")]

    def __str__(self):
        return f"第{self.number}稿"


class BatchPrint(models.Model):
    """批量打印收文处理笺: built by a Celery task, progress shown in the page."""

    class Status(models.TextChoices):
        PENDING = "pending", "排队中"
        RUNNING = "running", "生成中"
        DONE = "done", "已完成"
        FAILED = "failed", "失败"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="+")
    document_codes = models.JSONField(default=list)
    status = models.CharField(max_length=10, choices=Status.choices, default=Status.PENDING)
    done_count = models.PositiveIntegerField(default=0)
    file = models.FileField(upload_to="batch/", blank=True)
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "批量打印"

    def __str__(self):
        return f"批量打印 {len(self.document_codes)} 份"

    @property
    def percent(self):
        total = len(self.document_codes) or 1
        return int(self.done_count * 100 / total)


class IncomingDocumentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE)


class IncomingDocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(IncomingDocument, on_delete=models.CASCADE)


class OutgoingDocumentUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE)


class OutgoingDocumentGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE)


# --- 密件登记: the paper register of state-secret files -----------------------------------------------------
# The system keeps no content of a state-secret file: no scan, no body, no 批示 text, and the title only when the
# clerk confirms that the title itself is not secret. It tracks where each paper copy (份号) is.

SECRET_PLACEHOLDER = "密件"


class SecretEntry(models.Model):
    """密件: one state-secret file received (or made) on paper, registered without its content."""

    class Status(models.TextChoices):
        KEPT = "kept", "在管"
        CLOSED = "closed", "已清退或销毁"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    year = models.PositiveIntegerField("年度")
    serial = models.PositiveIntegerField("登记号")
    source_org = models.CharField("来文单位", max_length=100)
    doc_number = models.CharField("文号", max_length=60, blank=True)
    secrecy = models.CharField("密级", max_length=15, choices=StateSecrecy.choices)
    secrecy_term = models.CharField("保密期限", max_length=30, blank=True)
    copies = models.PositiveIntegerField("份数", default=1)
    received_at = models.DateTimeField("收到时间", default=timezone.now)
    title_not_secret = models.BooleanField("标题本身不涉密", default=False)
    title = models.CharField("标题", max_length=200, blank=True)  # kept only when title_not_secret
    return_by = models.DateField("应退还日期", null=True, blank=True)
    status = models.CharField("状态", max_length=10, choices=Status.choices, default=Status.KEPT)
    registered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    registered_at = models.DateTimeField("登记时间", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "密件登记"
        ordering = ["-year", "-serial"]
        constraints = [
            models.UniqueConstraint(fields=["year", "serial"], name="secret_entry_serial_unique_per_year"),
            models.CheckConstraint(
                condition=Q(title_not_secret=True) | Q(title=""), name="secret_entry_title_only_when_not_secret"
            ),
        ]
        indexes = [models.Index(fields=["status", "year", "serial"], name="secret_entry_list")]

    def __str__(self):  # what the audit log keeps of it: the number, never a title
        return self.number

    def get_absolute_url(self):
        return reverse("documents:secret_detail", args=[self.code])

    @property
    def number(self):
        return f"密〔{self.year}〕{self.serial}号"

    @property
    def shown_title(self):
        return self.title if self.title_not_secret and self.title else SECRET_PLACEHOLDER

    @property
    def is_overdue(self):
        """Copies still out after the 应退还日期 (Beijing date): shown as 已逾期 until every copy is closed."""
        return bool(self.status == self.Status.KEPT and self.return_by and self.return_by < timezone.localdate())


class SecretCopy(models.Model):
    """份号: one paper copy of a 密件, where it is now. No holder: the register office (文书/办公室主任) keeps it."""

    class Status(models.TextChoices):
        AT_OFFICE = "at_office", "办公室保管"
        HANDOVER = "handover", "待确认接收"
        HELD = "held", "个人持有"
        RETURNING = "returning", "待确认退回"
        DESTROYING = "destroying", "待监销人确认"
        CLEARED = "cleared", "已清退"
        DESTROYED = "destroyed", "已销毁"

    code = models.UUIDField(default=uuid.uuid4, unique=True, editable=False)
    entry = models.ForeignKey(SecretEntry, on_delete=models.PROTECT, related_name="copy_set", verbose_name="密件")
    copy_number = models.CharField("份号", max_length=20)
    status = models.CharField("状态", max_length=12, choices=Status.choices, default=Status.AT_OFFICE)
    holder = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="持有人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # the person a pending handover goes to, or the second witness of a pending 销毁
    pending_to = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="待确认人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    pending_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="发起人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    updated_at = models.DateTimeField("最近变化", default=timezone.now)

    class Meta:
        verbose_name = verbose_name_plural = "密件份号"
        ordering = ["entry", "pk"]
        constraints = [models.UniqueConstraint(fields=["entry", "copy_number"], name="secret_copy_number_once")]
        indexes = [models.Index(fields=["status"], name="secret_copy_status")]

    def __str__(self):
        return f"{self.entry.number} 第{self.copy_number}份"

    def get_absolute_url(self):
        return reverse("documents:secret_copy", args=[self.code])

    def worklist_title(self):
        return f"{self.entry.number} {self.entry.shown_title}（第{self.copy_number}份）"

    @property
    def holder_label(self):
        if self.status in (self.Status.CLEARED, self.Status.DESTROYED):
            return "—"
        return self.holder.full_name if self.holder_id else "党政办公室（机要）"


class SecretCopyEvent(models.Model):
    """What happened to one paper copy: who, when, and the other person (receiver, leader, witness); never text
    of the file. 批示 made on paper is recorded as the leader and the time only."""

    class Kind(models.TextChoices):
        REGISTERED = "registered", "登记"
        HANDED_OVER = "handed_over", "移交"
        HANDOVER_WITHDRAWN = "handover_withdrawn", "撤回移交"
        RECEIVED = "received", "确认接收"
        INSTRUCTED = "instructed", "纸质批示"
        RETURNED = "returned", "退回"
        RETURN_RECEIVED = "return_received", "确认退回"
        CLEARED = "cleared", "清退"
        DESTRUCTION_STARTED = "destruction_started", "销毁（待监销）"
        DESTRUCTION_WITHDRAWN = "destruction_withdrawn", "撤回销毁"
        DESTROYED = "destroyed", "销毁"

    copy = models.ForeignKey(SecretCopy, on_delete=models.PROTECT, related_name="events")
    kind = models.CharField("事项", max_length=25, choices=Kind.choices)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="经办人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    person = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="相关人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    at = models.DateTimeField("时间", default=timezone.now)
    recipient = models.CharField("接收单位及人员", max_length=120, blank=True)  # 清退: to whom

    class Meta:
        verbose_name = verbose_name_plural = "密件流转记录"
        ordering = ["at", "pk"]

    def __str__(self):
        return f"{self.copy} {self.get_kind_display()}"


class SecretEntryUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SecretEntry, on_delete=models.CASCADE)


class SecretEntryGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SecretEntry, on_delete=models.CASCADE)


class SecretCopyUserObjectPermission(UserObjectPermissionBase):
    content_object = models.ForeignKey(SecretCopy, on_delete=models.CASCADE)


class SecretCopyGroupObjectPermission(GroupObjectPermissionBase):
    content_object = models.ForeignKey(SecretCopy, on_delete=models.CASCADE)


class Delivery(models.Model):
    """印发 to one department of the township: delivered, signed for (签收) by a member, first read after that.

    A department with no active account when the 发文 was issued gets no work item: ``on_paper`` says the office
    must deliver the paper copy."""

    outgoing = models.ForeignKey(OutgoingDocument, on_delete=models.CASCADE, related_name="deliveries")
    department = models.ForeignKey(Department, verbose_name="收文单位", on_delete=models.PROTECT, related_name="+")
    delivered_at = models.DateTimeField("送达时间", default=timezone.now)
    on_paper = models.BooleanField("无账号，需纸质送达", default=False)
    signed_at = models.DateTimeField("签收时间", null=True, blank=True)
    signed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="签收人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    # 纸质送达: recorded by the office (``signed_at`` is then the time on the 回执, the line is closed)
    paper_receiver = models.CharField("签收人（回执）", max_length=30, blank=True)
    paper_recorded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="登记人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )
    paper_receipt = models.FileField("回执扫描件", upload_to="outgoing/receipts/%Y/%m/", blank=True)
    first_read_at = models.DateTimeField("首次阅读时间", null=True, blank=True)
    first_read_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        verbose_name="首次阅读人",
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="+",
    )

    class Meta:
        verbose_name = verbose_name_plural = "发文送达"
        ordering = ["department__kind", "department__sort_order", "department__name"]
        constraints = [models.UniqueConstraint(fields=["outgoing", "department"], name="delivery_once_per_department")]
        # 下发文件: what was delivered to one department, latest first
        indexes = [models.Index(fields=["department", "-delivered_at"], name="delivery_department")]

    def __str__(self):
        return f"{self.department} {self.state_label}"

    @property
    def state_label(self):
        if self.signed_at:
            return "已签收"
        return "未签收（无账号，需纸质送达）" if self.on_paper else "未签收"
