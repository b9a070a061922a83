from django import forms

from township_office.models import Department, IssuerCode, User
from township_office.roles import LEADERS
from township_office.uploads import validate_upload

from .models import IncomingDocument, OutgoingDocument, Retention

DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


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


class IncomingForm(forms.ModelForm):
    attachments = MultipleFileField(
        label="扫描件附件", required=False, help_text="PDF、图片、Word、Excel 或 OFD，可多选"
    )

    class Meta:
        model = IncomingDocument
        fields = [
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
        widgets = {"signed_for_at": DATETIME, "deadline": DATE}

    def clean(self):
        data = super().clean()
        if data.get("secrecy") not in (None, "none") and not data.get("secrecy_term"):
            self.add_error("secrecy_term", "涉密文件请填写保密期限。")
        if data.get("nature") == IncomingDocument.Nature.FOR_ACTION and not data.get("deadline"):
            self.add_error("deadline", "批办件请填写办理时限。")
        return data


class PhoneRecordForm(forms.ModelForm):
    class Meta:
        model = IncomingDocument
        fields = ["call_time", "caller", "source_org", "title", "content", "urgency", "deadline", "nature"]
        widgets = {"call_time": DATETIME, "deadline": DATE, "content": forms.Textarea(attrs={"rows": 5})}
        labels = {"source_org": "来电单位", "title": "事由"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        for name in ("call_time", "caller", "content"):
            self.fields[name].required = True


class ReturnForm(forms.Form):
    reason = forms.CharField(label="退文理由", widget=forms.Textarea(attrs={"rows": 3}))


def _leader_choices():
    return User.objects.filter(groups__name__in=LEADERS, is_active=True).distinct().order_by("position__rank")


class LeaderChoiceField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        title = getattr(getattr(obj, "position", None), "title", "")
        return f"{obj.full_name}（{title}）" if title else obj.full_name


class ProposalForm(forms.Form):
    proposal = forms.CharField(label="拟办意见", widget=forms.Textarea(attrs={"rows": 4}))
    leaders = LeaderChoiceField(
        label="呈批领导", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    lead_department = forms.ModelChoiceField(label="主办部门", queryset=Department.objects.none(), required=False)
    support_departments = forms.ModelMultipleChoiceField(
        label="协办部门", queryset=Department.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    readers = LeaderChoiceField(
        label="传阅领导", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
    )
    circulation_mode = forms.ChoiceField(label="传阅方式", choices=IncomingDocument.CirculationMode.choices)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        leaders = _leader_choices().select_related("position")
        self.fields["leaders"].queryset = leaders
        self.fields["readers"].queryset = leaders
        departments = Department.objects.filter(is_active=True)
        self.fields["lead_department"].queryset = departments
        self.fields["support_departments"].queryset = departments


class TextForm(forms.Form):
    text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}))


class CommentForm(forms.Form):
    comment = forms.CharField(label="阅文意见（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CompleteForm(forms.Form):
    result = forms.CharField(label="办理结果", widget=forms.Textarea(attrs={"rows": 3}))
    reply = forms.CharField(label="答复情况（可不填）", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class ArchiveForm(forms.Form):
    retention = forms.ChoiceField(label="保管期限", choices=Retention.choices)


class IncomingFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "标题、文号、来文单位"})
    )
    year = forms.IntegerField(label="年度", required=False)
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *IncomingDocument.Status.choices])
    urgency = forms.ChoiceField(
        label="紧急程度", required=False, choices=[("", "全部"), *IncomingDocument._meta.get_field("urgency").choices]
    )
    overdue = forms.BooleanField(label="仅看逾期", required=False)


class OutgoingForm(forms.ModelForm):
    class Meta:
        model = OutgoingDocument
        fields = [
            "issuer_code",
            "title",
            "doc_type",
            "importance",
            "secrecy",
            "urgency",
            "drafter_phone",
            "main_recipients",
            "cc_recipients",
            "attachments_note",
            "countersign_departments",
            "body",
        ]
        widgets = {"countersign_departments": forms.CheckboxSelectMultiple}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["issuer_code"].queryset = IssuerCode.objects.filter(is_active=True)
        self.fields["countersign_departments"].queryset = Department.objects.filter(is_active=True)
        self.fields["countersign_departments"].required = False
        self.fields["body"].help_text = "Word、PDF 或 OFD 正文"

    def clean_body(self):
        body = self.cleaned_data["body"]
        validate_upload(body, kinds=("word", "pdf", "ofd"))
        return body


class DecisionForm(forms.Form):
    text = forms.CharField(label="意见", widget=forms.Textarea(attrs={"rows": 3}))
    decision = forms.ChoiceField(
        choices=[("approve", "同意"), ("return", "退回修改")], initial="approve", widget=forms.RadioSelect, label="处理"
    )


class IssueForm(forms.Form):
    copies = forms.IntegerField(label="印发份数", min_value=1)
    issued_on = forms.DateField(label="印发日期", widget=DATE)
    proofreader = forms.CharField(label="校对", max_length=30)


class OutgoingFilterForm(forms.Form):
    q = forms.CharField(label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "标题、发文字号"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *OutgoingDocument.Status.choices])
