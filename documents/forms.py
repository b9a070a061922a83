from django import forms
from django.forms.models import fields_for_model
from django.utils import timezone

from township_office import validators
from township_office.forms import (
    StaffedDepartmentField,
    StaffedDepartmentsField,
    departments_with_accounts,
)
from township_office.gbdoc import body_text
from township_office.gbdoc.forms import BodyField, DocxField
from township_office.models import IssuerCode, Township, User
from township_office.phrases import PhraseStepForm, instruction_field
from township_office.roles import LEADERS
from township_office.signatures import SignatureField
from township_office.steps import StepForm
from township_office.uploads import validate_upload
from township_office.validators import SearchField
from township_office.widgets import DepartmentPicker, LeaderGrid, PhraseTextarea

from .models import IncomingDocument, Opinion, OutgoingDocument, Retention, StateSecrecy

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
BODY_KINDS = ("word", "pdf", "ofd")


def _sane_pk(value):
    """A primary key as a form sends it: ASCII digits that fit a database integer (a huge number would overflow
    SQLite's INTEGER and answer 500 instead of a message)."""
    text = str(value).strip()
    return text.isascii() and text.isdigit() and len(text) <= 18


class SafeChoice:
    """A model choice field that refuses a malformed id with its own message before asking the database."""

    def to_python(self, value):
        if value not in self.empty_values and not _sane_pk(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SafeMultipleChoice:
    def _check_values(self, value):
        for pk in value:
            if not _sane_pk(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class DepartmentField(SafeChoice, StaffedDepartmentField):
    pass


class DepartmentsField(SafeMultipleChoice, StaffedDepartmentsField):
    pass


class SafeModelChoiceField(SafeChoice, forms.ModelChoiceField):
    pass


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class MultipleFileField(forms.FileField):
    widget = MultipleFileInput

    def clean(self, data, initial=None):
        files = data if isinstance(data, (list, tuple)) else ([data] if data else [])
        cleaned = [super(MultipleFileField, self).clean(f, initial) for f in files]
        for f in cleaned:
            validate_upload(f)
        return cleaned


INCOMING_FIELDS = [
    "signed_for_at",
    "source_org",
    "source_doc_number",
    "title",
    "doc_type",
    "secrecy",
    "secrecy_term",
    "urgency",
    "copies",
    "pages",
    "deadline",
    "nature",
]
PHONE_FIELDS = ["call_time", "caller", "source_org", "title", "content", "urgency", "deadline", "nature"]
PHONE_LABELS = {"source_org": "来电单位", "title": "事由"}
INCOMING_WIDGETS = {
    "signed_for_at": DATETIME,
    "call_time": DATETIME,
    "deadline": DATE,
    "content": forms.Textarea(attrs={"rows": 5}),
}


STATE_SECRET_REFUSAL = (
    "国家秘密（秘密、机密、绝密）文件不得录入本系统：电子内容一律不存，纸质件请到「密件登记」登记份号和去向。"
)
SECRECY_HELP = "内部、工作秘密文件只有被授权的人可见。秘密、机密、绝密文件不在此录入，请到「密件登记」登记纸质件。"


class SecrecyField(forms.TypedChoiceField):
    """密级 of a stored 收文/发文: none, 内部 or 工作秘密. A state-secret level is refused with the reason."""

    def validate(self, value):
        if value in StateSecrecy.values:
            raise forms.ValidationError(STATE_SECRET_REFUSAL, code="state_secret")
        super().validate(value)


def guard_secrecy(form):
    """Give the form's 密级 field the explanation and the refusal of state-secret levels."""
    field = form.fields.get("secrecy")
    if field is not None:
        form.fields["secrecy"] = SecrecyField(
            choices=field.choices,
            coerce=field.coerce,
            empty_value=field.empty_value,
            required=field.required,
            label=field.label,
            initial=field.initial,
            help_text=SECRECY_HELP,
        )


def _check_incoming(form, data):
    for name in ("signed_for_at", "call_time", "deadline"):
        value = data.get(name)
        if value and not 1949 <= value.year <= 2100:
            form.add_error(name, "请填写1949年至2100年之间的日期。")
    if data.get("secrecy") not in (None, "none") and not data.get("secrecy_term"):
        form.add_error("secrecy_term", "内部、工作秘密文件请填写保密期限。")
    if data.get("nature") == IncomingDocument.Nature.FOR_ACTION and not data.get("deadline"):
        form.add_error("deadline", "批办件请填写办理时限。")


def _mark_conditional(form):
    """The fields required only in some cases say so in their label (the others carry the form's * mark)."""
    if "deadline" in form.fields:
        form.fields["deadline"].label = "办理时限（批办件必填）"
    if "secrecy_term" in form.fields:
        form.fields["secrecy_term"].label = "保密期限（内部、工作秘密必填）"


def _refuse_past_deadline(form, data):
    """A file registered now cannot be due before today (a typing slip: a year or a month wrong)."""
    deadline = data.get("deadline")
    if deadline and deadline < timezone.localdate() and "deadline" not in form.errors:
        form.add_error("deadline", "办理时限不能早于今天，请核对。")


class IncomingForm(forms.ModelForm):
    attachments = MultipleFileField(
        label="扫描件附件", required=False, help_text="PDF、图片、Word、Excel 或 OFD，可多选"
    )

    class Meta:
        model = IncomingDocument
        fields = INCOMING_FIELDS
        widgets = INCOMING_WIDGETS
        formfield_callback = validators.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        guard_secrecy(self)
        _mark_conditional(self)

    def clean(self):
        data = super().clean()
        _check_incoming(self, data)
        _refuse_past_deadline(self, data)
        return data

    def valid_attachments(self):
        """The scans chosen that passed their checks, also when another field was refused (to be held)."""
        if "attachments" in self.errors:
            return []
        return getattr(self, "cleaned_data", {}).get("attachments") or []


class PhoneRecordForm(forms.ModelForm):
    class Meta:
        model = IncomingDocument
        fields = PHONE_FIELDS
        widgets = INCOMING_WIDGETS
        labels = PHONE_LABELS
        formfield_callback = validators.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("call_time", "caller", "content"):
            self.fields[name].required = True
        _mark_conditional(self)

    def clean(self):
        data = super().clean()
        _check_incoming(self, data)
        _refuse_past_deadline(self, data)
        return data


# --- 收文 steps ---------------------------------------------------------------------


class CorrectForm(StepForm):
    """更正登记: the registration fields, filled with the current values, and scans to add."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        phone = self.obj.kind == IncomingDocument.Kind.PHONE
        names = PHONE_FIELDS if phone else INCOMING_FIELDS
        fields = fields_for_model(
            IncomingDocument,
            fields=names,
            widgets=INCOMING_WIDGETS,
            labels=PHONE_LABELS if phone else None,
            formfield_callback=validators.formfield,
        )
        if phone:
            for name in ("call_time", "caller", "content"):
                fields[name].required = True
        for name in names:
            self.fields[name] = fields[name]
            if not self.is_bound:
                self.initial[name] = getattr(self.obj, name)
        if not phone:
            self.fields["attachments"] = MultipleFileField(
                label="补充扫描件", required=False, help_text="漏扫的页面或附件，可多选；原有附件保留"
            )
        self.fields["reason"] = forms.CharField(label="更正说明", required=False, max_length=200)
        self.field_names = names
        guard_secrecy(self)

    def clean(self):
        data = super().clean()
        _check_incoming(self, data)
        return data

    def arguments(self):
        data = dict(self.cleaned_data)
        return {
            "changes": {name: data[name] for name in self.field_names},
            "files": data.get("attachments") or [],
            "reason": data.get("reason", ""),
        }


class ReturnForm(StepForm):
    reason = forms.CharField(label="退文理由", widget=forms.Textarea(attrs={"rows": 3}))


def _leader_choices():
    return (
        User.objects.filter(groups__name__in=LEADERS, is_active=True)
        .distinct()
        .select_related("position")
        .order_by("position__rank", "pk")
    )


class LeaderChoiceField(SafeMultipleChoice, forms.ModelMultipleChoiceField):
    """Leaders by name; the LeaderGrid shows each one's title under the name."""

    def label_from_instance(self, obj):
        return obj.full_name


# 常用语 of the office's other opinion boxes ("×××" is selected once put in, to be typed over).
PROPOSAL_PHRASES = ("拟呈×××阅示", "拟请×××阅处", "拟交×××办理", "拟送领导传阅", "阅知")
READ_PHRASES = ("已阅", "已阅，同意", "已阅，请×××办理")
COUNTERSIGN_PHRASES = ("同意", "无意见", "建议修改：")


class ProposalForm(PhraseStepForm):
    phrase_field = "proposal"
    office_phrases = PROPOSAL_PHRASES
    proposal = forms.CharField(label="拟办意见", widget=PhraseTextarea(attrs={"rows": 4}))
    leaders = LeaderChoiceField(label="呈批领导", queryset=User.objects.none(), required=False, widget=LeaderGrid)
    lead_department = DepartmentField(
        label="主办部门",
        queryset=departments_with_accounts(),
        required=False,
        help_text="标注「无账号」的部门没有可用账号，不能选择",
    )
    support_departments = DepartmentsField(
        label="协办部门", queryset=departments_with_accounts(), required=False, widget=DepartmentPicker
    )
    readers = LeaderChoiceField(label="传阅领导", queryset=User.objects.none(), required=False, widget=LeaderGrid)
    circulation_mode = forms.ChoiceField(label="传阅方式", choices=IncomingDocument.CirculationMode.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = _leader_choices()
        self.fields["leaders"].queryset = leaders
        self.fields["readers"].queryset = leaders
        self.fields["lead_department"].queryset = departments_with_accounts()
        self.fields["support_departments"].queryset = departments_with_accounts()

    def clean(self):
        data = super().clean()
        if not self.errors and not (data.get("leaders") or data.get("lead_department") or data.get("readers")):
            raise forms.ValidationError("请至少选择呈批领导、主办部门或传阅人员之一。")
        return data


APPROVAL_PHRASES = ("同意", "同意印发", "按程序办理")


class InstructForm(PhraseStepForm):
    text = instruction_field()
    signature = SignatureField(label="")  # the pad carries its own heading (手写签名（可选）)


class ReadForm(PhraseStepForm):
    phrase_field = "comment"
    office_phrases = READ_PHRASES
    comment = forms.CharField(label="阅文意见（可不填）", required=False, widget=PhraseTextarea(attrs={"rows": 2}))


class ProgressForm(StepForm):
    text = forms.CharField(label="办理进展", widget=forms.Textarea(attrs={"rows": 3}))


class CompleteForm(StepForm):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(label="答复情况（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ChaseForm(StepForm):
    note = forms.CharField(label="催办说明", widget=forms.Textarea(attrs={"rows": 2}))


class ArchiveForm(StepForm):
    retention = forms.ChoiceField(label="保管期限", choices=Retention.choices)


class IncomingFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "标题、文号、来文单位"})
    )
    year = forms.IntegerField(label="年度", required=False, min_value=1990, max_value=2100)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *IncomingDocument.Status.choices])
    urgency = forms.ChoiceField(
        label="紧急程度", required=False, choices=[("", "全部"), *IncomingDocument._meta.get_field("urgency").choices]
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)


class CatalogueForm(forms.Form):
    year = forms.IntegerField(label="年度", required=False, min_value=1949, max_value=2100)
    format = forms.ChoiceField(label="格式", required=False, choices=[("", "网页"), ("pdf", "PDF"), ("xlsx", "Excel")])


# --- 发文 ---------------------------------------------------------------------------

OUTGOING_FIELDS = [
    "issuer_code",
    "issuer_bodies",
    "doc_type",
    "importance",
    "secrecy",
    "urgency",
    "title",
    "main_recipients",
    "text",
    "attachments_note",
    "signatures",
    "cc_recipients",
    "printed_by",
    "drafter_phone",
]


# The compose form top to bottom: the particulars, then the document as it is printed, then who gets it.
DRAFTING_ORDER = [
    "issuer_code",
    "issuer_bodies",
    "doc_type",
    "importance",
    "secrecy",
    "urgency",
    "title",
    "main_recipients",
    "text",
    "docx",
    "attachments_note",
    "signatures",
    "cc_recipients",
    "printed_by",
    "recipient_departments",
    "countersign_departments",
    "drafter_phone",
]


class RecipientDepartmentsField(SafeMultipleChoice, forms.ModelMultipleChoiceField):
    """The township's departments a 发文 is delivered to at 印发. One without an active account may be chosen (the
    office then delivers the paper copy): it is marked 「无账号」 here and named again at 印发."""

    def label_from_instance(self, obj):
        return f"{obj}（无账号）" if not getattr(obj, "has_accounts", True) else str(obj)


class OutgoingFields:
    """The drafting fields shared by 拟稿 and 修改草稿: the 发文's particulars and its composed document (typed, or
    imported from a .docx whose file is kept as 原稿)."""

    def add_drafting_fields(self):
        guard_secrecy(self)
        self.fields["issuer_bodies"] = forms.MultipleChoiceField(
            label="发文机关标志",
            choices=IssuerCode.Body.choices,
            required=False,
            widget=forms.CheckboxSelectMultiple,
            help_text="红头上的机关，可多选（联合行文）；不选即为所选代字的机关。",
        )
        self.fields["title"].widget = forms.TextInput(attrs={"placeholder": "长官镇人民政府关于……的通知"})
        self.fields["main_recipients"].required = False  # checked in clean(): a .docx may bring it
        self.fields["main_recipients"].shows_required = True
        self.fields["main_recipients"].help_text = "如：各村（居）委会，镇直各单位"
        self.fields["text"] = BodyField(required=False, widget=forms.Textarea(attrs={"rows": 14}))
        self.fields["docx"] = DocxField(
            help_text="仅限 .docx：导入后正文、标题、主送机关、附件说明按文件填入，原文件保存为原稿可下载。"
        )
        self.fields["attachments_note"].widget = forms.Textarea(attrs={"rows": 2})
        self.fields["attachments_note"].help_text = "每个附件一行，只写名称，如：全镇防火责任人名单"
        self.fields["signatures"].help_text = "不填即为发文机关名称；联合行文用顿号分隔"
        self.fields["printed_by"].help_text = "不填即为本镇党政办公室"
        township = Township.current()
        if township is not None:  # the 印发机关 printed when the field is left empty
            self.fields["printed_by"].widget.attrs["placeholder"] = township.office_name
        self.fields["recipient_departments"] = RecipientDepartmentsField(
            label="主送/抄送单位（本镇）",
            queryset=departments_with_accounts(),
            required=False,
            widget=DepartmentPicker,
            help_text="印发后送达所选站所、村（居）的账号签收；标注「无账号」的单位需纸质送达。"
            "上面的主送、抄送填写镇外单位。",
        )
        self.fields["issuer_code"] = SafeModelChoiceField(
            label="发文机关代字",
            queryset=IssuerCode.objects.filter(is_active=True),
            initial=self.initial.get("issuer_code"),
        )
        self.fields["countersign_departments"] = RecipientDepartmentsField(
            label="会签部门",
            queryset=departments_with_accounts(),
            required=False,
            widget=DepartmentPicker,
            help_text="标注「无账号」的部门在纸上会签，由办公室登记其会签意见",
        )
        self.order_fields(DRAFTING_ORDER)

    def clean_issuer_bodies(self):
        chosen = self.cleaned_data.get("issuer_bodies") or []
        return [body for body in IssuerCode.Body.values if body in chosen]  # 党委, 政府, 办公室: the standard's order

    def clean(self):
        data = super().clean()
        blocks = data.get("text")
        imported = data.get("docx")
        if imported is not None and "text" in data:
            if blocks and body_text(blocks) != self.composed_text():
                self.add_error(
                    "docx",
                    "正文框里已有内容，导入 Word 文档会替换它：请先清空正文（或撤销对正文的修改）再导入，"
                    "以免输入的内容丢失。",
                )
                return data
            blocks = imported.blocks
            for name, value in (
                ("title", imported.title),
                ("main_recipients", imported.main_recipients),
                ("attachments_note", "\n".join(imported.attachments)),
                ("signatures", imported.signature),
            ):
                if value and not (data.get(name) or "").strip():
                    data[name] = value
        if "text" in data:
            data["text"] = body_text(blocks or [])
        if "main_recipients" in data and not data["main_recipients"].strip():
            self.add_error("main_recipients", "请填写主送机关。")
        return data

    def composed_text(self):
        """The 正文 the form started from (empty for a new draft)."""
        return ""

    def drafting_data(self):
        """The model fields to save and the file imported as 原稿 (or None)."""
        data = self.cleaned_data
        imported = data.get("docx")
        return {name: data[name] for name in OUTGOING_FIELDS}, (imported.file if imported else None)


class OutgoingForm(OutgoingFields, forms.ModelForm):
    """拟稿: 保存草稿 keeps it with the drafter; 提交 sends it to the department's review (the 正文 is then
    required, checked by the 提交 step)."""

    class Meta:
        model = OutgoingDocument
        fields = OUTGOING_FIELDS
        formfield_callback = validators.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.add_drafting_fields()


class EditDraftForm(OutgoingFields, StepForm):
    """修改草稿: the drafting fields with the draft's values; a new body replaces the old one."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        fields = fields_for_model(OutgoingDocument, fields=OUTGOING_FIELDS, formfield_callback=validators.formfield)
        for name in OUTGOING_FIELDS:
            self.fields[name] = fields[name]
        self.add_drafting_fields()
        if not self.is_bound:
            for name in OUTGOING_FIELDS:
                value = getattr(self.obj, name)
                self.initial[name] = value.pk if name == "issuer_code" else value
            self.initial["countersign_departments"] = [d.pk for d in self.obj.countersign_departments.all()]
            self.initial["recipient_departments"] = [d.pk for d in self.obj.recipient_departments.all()]

    def composed_text(self):
        return self.obj.text

    def arguments(self):
        changes, original = self.drafting_data()
        return {
            "changes": changes,
            "countersign_departments": list(self.cleaned_data["countersign_departments"]),
            "recipient_departments": list(self.cleaned_data["recipient_departments"]),
            "body": original,
        }


class SubmitForm(StepForm):
    """提交: the draft as saved (修改草稿 changes it first)."""


class OpinionForm(StepForm):
    text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}))


class ApproveForm(PhraseStepForm):
    """审核通过, 核稿通过, 签发: an opinion may be typed, tapped or left empty (recorded as 同意)."""

    office_phrases = APPROVAL_PHRASES
    text = forms.CharField(label="意见（不填即为「同意」）", required=False, widget=PhraseTextarea())

    def arguments(self):
        return {"text": self.cleaned_data["text"].strip() or "同意"}


class CountersignForm(PhraseStepForm):
    """会签: the department's opinion, typed or tapped (同意, 无意见, …)."""

    office_phrases = COUNTERSIGN_PHRASES
    text = forms.CharField(label="会签意见", widget=PhraseTextarea(attrs={"rows": 3}))


class OptionalOpinionForm(StepForm):
    text = forms.CharField(label="意见（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class SkipCountersignForm(StepForm):
    department = SafeModelChoiceField(label="跳过会签的部门", queryset=None)
    reason = forms.CharField(label="跳过理由", widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        signed = self.obj.opinions.filter(step=Opinion.Step.COUNTERSIGN).values("department")
        self.fields["department"].queryset = self.obj.countersign_departments.exclude(pk__in=signed)


class IssueForm(StepForm):
    copies = validators.IntegerField(label="印发份数", min_value=1, column=OutgoingDocument.copies.field)
    issued_on = forms.DateField(label="印发日期", widget=DATE)
    proofreader = forms.CharField(label="校对", max_length=30)


class OutgoingFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "标题、发文字号"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *OutgoingDocument.Status.choices])


class ReceivedFilterForm(forms.Form):
    q = SearchField(widget=forms.TextInput(attrs={"placeholder": "标题、发文字号"}))
    signed = forms.ChoiceField(
        label="签收", required=False, choices=[("", "全部"), ("no", "未签收"), ("yes", "已签收")]
    )
