from datetime import timedelta

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Exists, OuterRef
from django.utils import timezone

from township_office import validators
from township_office.exports import FORMATS
from township_office.forms import StaffedDepartmentField, StaffedDepartmentsField, departments_with_accounts
from township_office.listing import FilterForm
from township_office.models import Department, User
from township_office.phrases import PhraseStepForm, instruction_field
from township_office.roles import LEADERS, role_users
from township_office.steps import StepForm
from township_office.uploads import validate_upload
from township_office.widgets import DepartmentPicker, PhraseTextarea

from . import rules, services
from .idnumber import validate_id_number
from .models import Contact, PetitionCase
from .phones import validate_phone

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


MAX_ID = 2**63 - 1


def _out_of_range(value):
    text = str(value).strip()
    digits = text.lstrip("-")
    # ASCII digits only: "²" is a digit to str.isdigit() but not to int()
    return digits.isascii() and digits.isdigit() and not -MAX_ID <= int(text) <= MAX_ID


class BoundedChoice:
    """A model choice refused as invalid (not a 500) when its id is past what the database's integers hold."""

    def to_python(self, value):
        if value not in self.empty_values and _out_of_range(value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class BoundedChoices:
    def clean(self, value):
        if value and not isinstance(value, str) and any(_out_of_range(v) for v in value):
            raise ValidationError(self.error_messages["invalid_choice"], code="invalid_choice", params={"value": ""})
        return super().clean(value)


class DepartmentField(BoundedChoice, StaffedDepartmentField):
    pass


class DepartmentsField(BoundedChoices, StaffedDepartmentsField):
    pass


class ChoiceOfDepartment(BoundedChoice, forms.ModelChoiceField):
    pass


class StaffField(BoundedChoice, forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name or obj.username}（{obj.department.name if obj.department else '无部门'}）"


def staff_choices():
    return User.objects.filter(is_active=True).select_related("department").order_by("department__name", "full_name")


def check_accused(form, data):
    """Only an accusation names who is accused; it is then hidden from them."""
    accused = data.get("accused_department") or data.get("accused_person")
    if accused and data.get("petition_type") != PetitionCase.Type.ACCUSATION:
        form.add_error("petition_type", "只有检举控告类事项登记被反映部门或被反映人。")


class ContactForm(forms.ModelForm):
    """登记来访、来信、来电: submitted at once (with what to do with it), or saved as a draft.

    ``draft=True``: only the name is required and the outcome is not asked; the values given are still checked
    (an ID number must be valid whenever one is typed)."""

    OUTCOMES = [("register", "仅登记"), ("answer", "当场答复并办结"), ("case", "立为信访事项")]
    outcome = forms.ChoiceField(label="处理方式", choices=OUTCOMES, initial="register", widget=forms.RadioSelect)
    answer = forms.CharField(label="当场答复情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    petition_type = forms.ChoiceField(
        label="信访类型", required=False, choices=[("", "——"), *PetitionCase.Type.choices]
    )
    accused_department = ChoiceOfDepartment(
        label="被反映部门（检举控告类）", required=False, queryset=Department.objects.none()
    )
    accused_person = StaffField(label="被反映人（检举控告类）", required=False, queryset=User.objects.none())
    id_number = forms.CharField(label="身份证号", required=False, max_length=40)
    phone = forms.CharField(label="联系电话", required=False, max_length=40)

    class Meta:
        model = Contact
        fields = rules.CONTACT_FIELDS
        widgets = {"received_at": DT, "matter": forms.Textarea(attrs={"rows": 4})}
        formfield_callback = validators.formfield

    def __init__(self, *args, draft=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.draft = draft
        self.fields["accused_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["accused_person"].queryset = staff_choices()
        self.fields["gender"].required = False
        if "people_count" in self.fields:
            self.fields["people_count"].widget.attrs["min"] = 1
        if draft:
            for name, field in self.fields.items():
                if name not in ("name", "channel", "received_at", "people_count", "category"):
                    field.required = False

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        return validate_id_number(value) if value else ""

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return validate_phone(value) if value.strip() else ""

    def clean_received_at(self):
        value = self.cleaned_data.get("received_at")
        if value is not None:
            now = timezone.localtime()
            if value.year < 2000 or value > now + timedelta(hours=1):
                raise ValidationError("来访（来信、来电）时间不能晚于现在，也不能早于2000年，请核对。")
        return value

    def clean(self):
        data = super().clean()
        if self.draft:
            return data
        fixed = {"channel": Contact.Channel.LETTER} if "channel" not in self.fields else {}  # the letter form's
        for name, message in rules.missing({**data, **fixed}, [{"name": "代表"}]).items():  # representatives: below
            if name not in self.errors:
                self.add_error(name, message)
        if data.get("outcome") == "answer" and not data.get("answer"):
            self.add_error("answer", "请填写当场答复情况。")
        if data.get("outcome") == "case" and not data.get("petition_type"):
            self.add_error("petition_type", "立为信访事项请选择信访类型。")
        if data.get("outcome") == "case":
            check_accused(self, data)
        return data

    def contact_data(self):
        return {name: self.cleaned_data[name] for name in rules.CONTACT_FIELDS if name in self.cleaned_data}


class VisitForm(ContactForm):
    """登记来访、来电: a 来信 has its own form (``LetterForm``)."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        channel = self.fields["channel"]
        channel.choices = [c for c in channel.choices if c[0] != Contact.Channel.LETTER]


class LetterForm(ContactForm):
    """登记来信: the 来信人 and their address (the reply goes by post), the letter's matter, its postmark and the date it
    came (收信时间), and the scan of the letter, required on submitting (checked by content, like every upload).
    No 集体访代表 block: a letter is one 来信人 (a joint letter names its first signatory)."""

    letter_scan = forms.FileField(
        label="来信扫描件", required=False, help_text="PDF、图片或 OFD；信封和信纸可扫成一个文件"
    )

    class Meta(ContactForm.Meta):
        fields = rules.LETTER_FIELDS
        labels = {
            "received_at": "收信时间",
            "name": "来信人姓名",
            "address": "来信人地址",
            "matter": "来信反映问题",
        }
        widgets = {**ContactForm.Meta.widgets, "postmark_date": D}

    def __init__(self, *args, has_scan=False, **kwargs):
        super().__init__(*args, **kwargs)
        self.has_scan = has_scan  # held from an earlier sending, or already on the draft
        if not self.draft:
            self.fields["address"].required = True
        self.fields["address"].error_messages["required"] = "来信请登记来信人地址，以便书面答复。"
        self.fields["id_number"].help_text = "来信中写明的才填写"

    def clean_letter_scan(self):
        scan = self.cleaned_data.get("letter_scan")
        if scan:
            validate_upload(scan, kinds=rules.LETTER_SCAN_KINDS)
        return scan

    def clean_postmark_date(self):
        value = self.cleaned_data.get("postmark_date")
        if value is not None and (value.year < 2000 or value > timezone.localdate()):
            raise ValidationError("邮戳日期不能晚于今天，也不能早于2000年，请核对。")
        return value

    def clean(self):
        data = super().clean()
        received, postmark = data.get("received_at"), data.get("postmark_date")
        if received and postmark and postmark > timezone.localtime(received).date():
            self.add_error("postmark_date", "邮戳日期不能晚于收信时间，请核对。")
        if not self.draft and not data.get("letter_scan") and not self.has_scan and "letter_scan" not in self.errors:
            self.add_error("letter_scan", "请上传来信扫描件。")
        return data

    def contact_data(self):
        data = {name: self.cleaned_data[name] for name in rules.LETTER_FIELDS if name in self.cleaned_data}
        return {**data, "channel": Contact.Channel.LETTER, "people_count": 1}

    def valid_scan(self):
        """The scan chosen, if it passed its checks (held when another field was refused)."""
        if "letter_scan" in self.errors:
            return None
        return getattr(self, "cleaned_data", {}).get("letter_scan")


class RepresentativeForm(forms.Form):
    """One row of the 集体访代表 table; a row with an ID number or a phone but no name would be dropped silently,
    so its name is asked for beside the cell."""

    name = forms.CharField(
        label="姓名", required=False, max_length=30, error_messages={"max_length": "代表姓名不能超过30个字。"}
    )
    id_number = forms.CharField(
        label="身份证号", required=False, max_length=30, error_messages={"max_length": "身份证号应为18位，请核对。"}
    )
    phone = forms.CharField(
        label="电话", required=False, max_length=30, error_messages={"max_length": "电话号码过长，请核对。"}
    )

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        return validate_id_number(value) if value else ""

    def clean_phone(self):
        value = self.cleaned_data.get("phone", "")
        return validate_phone(value) if value.strip() else ""

    def clean(self):
        data = super().clean()
        typed = any(str(self.data.get(self.add_prefix(name), "")).strip() for name in ("id_number", "phone"))
        if typed and not (data.get("name") or "").strip() and "name" not in self.errors:
            self.add_error("name", "已填写该代表的身份证号或电话，请填写代表姓名。")
        return data


class BaseRepresentativeFormSet(forms.BaseFormSet):
    # A sixth representative is refused with the rule's own words, not Django's 「请最多提交 5 个表单」.
    default_error_messages = {"too_many_forms": "集体访推选代表不超过%(num)d人，请核对代表名单。"}

    def rows(self):
        return [r for r in self.cleaned_data if r and r.get("name")]


RepresentativeFormSet = forms.formset_factory(
    RepresentativeForm, formset=BaseRepresentativeFormSet, extra=5, max_num=5, validate_max=True
)


def check_representatives(form, reps, *, draft):
    """集体访: 5 or more people elect at most five representatives (an error beside 人数)."""
    if draft or not form.is_valid() or not reps.is_valid():
        return
    if form.cleaned_data.get("people_count", 1) >= 5 and not reps.rows():
        form.add_error("people_count", "5人以上集体访请登记推选的代表（最多5人）。")


# --- Step forms ------------------------------------------------------------------------------------------------


class TextStepForm(StepForm):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class AnswerForm(StepForm):
    answer = forms.CharField(label="当场答复情况", widget=forms.Textarea(attrs={"rows": 2}))


class OpenCaseForm(StepForm):
    """Open a case from a contact already registered."""

    petition_type = forms.ChoiceField(label="信访类型", choices=PetitionCase.Type.choices)
    accused_department = ChoiceOfDepartment(
        label="被反映部门（检举控告类）", required=False, queryset=Department.objects.none()
    )
    accused_person = StaffField(label="被反映人（检举控告类）", required=False, queryset=User.objects.none())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accused_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["accused_person"].queryset = staff_choices()

    def clean(self):
        data = super().clean()
        check_accused(self, data)
        return data


class LeaderField(BoundedChoice, forms.ModelChoiceField):
    """One leader, offered in rank order (the queryset's) with the title after the name. A single choice, so a
    select: the core's LeaderGrid is for choosing several."""

    default_error_messages = {"invalid_choice": "所选领导没有可用账号（已停用或不存在），请另选。"}

    def label_from_instance(self, obj):
        title = getattr(getattr(obj, "position", None), "title", "")
        return f"{obj.full_name}（{title}）" if title else obj.full_name


class AcceptForm(StepForm):
    """受理并交办: the notice, the leader, the departments, the deadline (pre-filled from the case type, never
    longer than the law allows). Every refusal stands beside its field."""

    notice_text = forms.CharField(
        label="书面告知信访人",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="您反映的问题已受理，我镇将依法按期办理并书面答复。",
    )
    severity = forms.ChoiceField(label="性质", choices=PetitionCase.Severity.choices)
    leader = LeaderField(label="批示领导", queryset=User.objects.none(), help_text="重大事项须主要领导批示")
    lead_department = DepartmentField(label="主办部门", queryset=Department.objects.none())
    support_departments = DepartmentsField(
        label="协办部门", required=False, queryset=Department.objects.none(), widget=DepartmentPicker
    )
    deadline = forms.DateField(label="办理时限", widget=D)
    handled_with_opinion = forms.BooleanField(label="以信访处理意见书办理", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.today = timezone.localdate()
        self.fields["leader"].queryset = role_users(*LEADERS).select_related("position")
        departments = departments_with_accounts().exclude(kind=Department.Kind.OFFICE)
        self.fields["lead_department"].queryset = departments
        self.fields["support_departments"].queryset = departments
        case = self.obj
        if case is not None:
            limit = rules.deadline_limit(case, self.today)
            self.fields["severity"].initial = case.severity
            self.fields["deadline"].initial = limit
            self.fields["deadline"].widget.attrs.update({"min": self.today.isoformat(), "max": limit.isoformat()})
            self.fields[
                "deadline"
            ].help_text = (
                f"{case.get_petition_type_display()}自受理之日起不超过{(limit - self.today).days}日，可缩短，不可延长"
            )
            self.fields["handled_with_opinion"].initial = case.petition_type == PetitionCase.Type.CLAIM

    def clean(self):
        data = super().clean()
        if self.obj is None or self.errors:
            return data
        try:
            data["deadline"] = rules.check_acceptance(
                self.obj,
                notice_text=data.get("notice_text", ""),
                severity=data.get("severity"),
                leader=data.get("leader"),
                lead_department=data.get("lead_department"),
                support_departments=list(data.get("support_departments") or []),
                deadline=data.get("deadline"),
                handled_with_opinion=data.get("handled_with_opinion"),
                today=self.today,
            )
        except ValidationError as error:
            for field, messages in error.message_dict.items():
                for message in messages:
                    self.add_error(field if field in self.fields else None, message)
        return data

    def arguments(self):
        data = dict(self.cleaned_data)
        data["support_departments"] = list(data.get("support_departments") or [])
        return data


class DeclineForm(StepForm):
    notice_text = forms.CharField(label="不予受理理由（书面告知信访人）", widget=forms.Textarea(attrs={"rows": 3}))


class InstructForm(PhraseStepForm):
    text = instruction_field()


class ProgressForm(TextStepForm):
    text = forms.CharField(label="办理进展", widget=forms.Textarea(attrs={"rows": 3}))


# 书面答复's 常用语: the wording every 答复意见书 uses ("×××" is selected once put in, to be typed over).
REPLY_PHRASES = (
    "经调查核实，",
    "根据《×××》第×条规定，",
    "您反映的问题属实，现答复如下：",
    "如对本答复意见不服，可自收到本答复意见之日起30日内向上一级行政机关申请复查。",
)


class ReplyForm(PhraseStepForm):
    office_phrases = REPLY_PHRASES
    text = forms.CharField(label="答复意见", widget=PhraseTextarea(attrs={"rows": 4}))


class ReportUpForm(TextStepForm):
    text = forms.CharField(label="向上级报告内容", widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(StepForm):
    days = validators.IntegerField(
        label="延长天数", min_value=1, max_value=rules.MAX_EXTENSION, column=PetitionCase.extension_days.field
    )
    reason = forms.CharField(label="延期理由（将告知信访人）", max_length=200)


class CloseForm(StepForm):
    satisfaction = forms.ChoiceField(
        label="信访人满意度",
        choices=[("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")],
        widget=forms.RadioSelect,
    )


class ReviewForm(StepForm):
    kind = forms.ChoiceField(label="类别", choices=[("review", "复查"), ("recheck", "复核")])
    requested_on = forms.DateField(label="申请日期", widget=D)
    result = forms.CharField(label="上级机关决定（可后补）", required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requested_on"].initial = timezone.localdate()
        case = self.obj
        if case is not None and case.review_kind == "review":
            self.fields["kind"].initial = "recheck"

    def clean_requested_on(self):
        value = self.cleaned_data["requested_on"]
        case = self.obj
        if case is not None and case.replied_on:
            if value > case.replied_on + timedelta(days=30):
                raise ValidationError(
                    f"已超过答复后30日的复查申请期限（{case.review_due:%Y年%m月%d日}），依法不再受理。"
                )
            if value < case.replied_on:
                raise ValidationError("申请日期不能早于答复日期。")
        return value


# --- The lists' filters ---------------------------------------------------------------------------------------


class ContactFilterForm(FilterForm):
    q = validators.SearchField(
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "姓名、电话、身份证号、问题"})
    )
    channel = forms.ChoiceField(
        label="渠道",
        required=False,
        choices=[("", "全部"), *Contact.Channel.choices],
        error_messages={"invalid_choice": "没有这个渠道，请从列表中选择。"},
    )

    def filter(self, rows):
        rows = services.search_contacts(rows, self.cleaned_data["q"])
        if channel := self.cleaned_data["channel"]:
            rows = rows.filter(channel=channel)
        return rows


class CaseFilterForm(FilterForm):
    q = validators.SearchField(
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "姓名、问题、电话、身份证号"})
    )
    status = forms.ChoiceField(
        label="状态",
        required=False,
        choices=[("", "全部"), *PetitionCase.Status.choices],
        error_messages={"invalid_choice": "没有这个状态，请从列表中选择。"},
    )
    format = forms.ChoiceField(
        label="导出格式",
        required=False,
        choices=[("", "网页"), *((fmt, fmt) for fmt in FORMATS)],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "没有这种导出格式。"},
    )

    def filter(self, rows):
        if q := self.cleaned_data["q"]:
            # per case, so that a common surname finds the first page without listing every matching contact
            contact = Contact.objects.filter(pk=OuterRef("contact_id"))
            rows = rows.filter(Exists(services.search_contacts(contact, q)))
        if status := self.cleaned_data["status"]:
            rows = rows.filter(status=status)
        return rows
