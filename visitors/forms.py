from django import forms

from township_office.models import Department, User
from township_office.roles import LEADERS

from .idnumber import validate_id_number
from .models import Contact, PetitionCase

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class StaffField(forms.ModelChoiceField):
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
    OUTCOMES = [("register", "仅登记"), ("answer", "当场答复并办结"), ("case", "立为信访事项")]
    outcome = forms.ChoiceField(label="处理方式", choices=OUTCOMES, initial="register", widget=forms.RadioSelect)
    answer = forms.CharField(label="当场答复情况", required=False, widget=forms.Textarea(attrs={"rows": 2}))
    petition_type = forms.ChoiceField(
        label="信访类型", required=False, choices=[("", "——"), *PetitionCase.Type.choices]
    )
    accused_department = forms.ModelChoiceField(
        label="被反映部门（检举控告类）", required=False, queryset=Department.objects.none()
    )
    accused_person = StaffField(label="被反映人（检举控告类）", required=False, queryset=User.objects.none())

    class Meta:
        model = Contact
        fields = [
            "channel",
            "received_at",
            "name",
            "gender",
            "id_number",
            "phone",
            "address",
            "people_count",
            "category",
            "matter",
        ]
        widgets = {"received_at": DT, "matter": forms.Textarea(attrs={"rows": 4})}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accused_department"].queryset = Department.objects.filter(is_active=True)
        self.fields["accused_person"].queryset = staff_choices()
        self.fields["gender"].required = False

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        return validate_id_number(value) if value else ""

    def clean(self):
        data = super().clean()
        if data.get("channel") == Contact.Channel.VISIT and not data.get("id_number"):
            self.add_error("id_number", "来访请登记身份证号。")
        if not data.get("phone") and not data.get("address"):
            self.add_error("phone", "请至少留下联系电话或住址，以便答复。")
        if data.get("outcome") == "answer" and not data.get("answer"):
            self.add_error("answer", "请填写当场答复情况。")
        if data.get("outcome") == "case" and not data.get("petition_type"):
            self.add_error("petition_type", "立为信访事项请选择信访类型。")
        if data.get("outcome") == "case":
            check_accused(self, data)
        return data


class OpenCaseForm(forms.Form):
    """Open a case from a contact already registered."""

    petition_type = forms.ChoiceField(label="信访类型", choices=PetitionCase.Type.choices)
    accused_department = forms.ModelChoiceField(
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


class RepresentativeForm(forms.Form):
    name = forms.CharField(label="代表姓名", required=False, max_length=30)
    id_number = forms.CharField(label="身份证号", required=False, max_length=18)
    phone = forms.CharField(label="电话", required=False, max_length=20)

    def clean_id_number(self):
        value = self.cleaned_data.get("id_number", "")
        return validate_id_number(value) if value else ""


RepresentativeFormSet = forms.formset_factory(RepresentativeForm, extra=5, max_num=5, validate_max=True)


class LeaderField(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name}（{getattr(getattr(obj, 'position', None), 'title', '')}）"


class AcceptForm(forms.Form):
    notice_text = forms.CharField(
        label="书面告知信访人",
        widget=forms.Textarea(attrs={"rows": 3}),
        initial="您反映的问题已受理，我镇将依法按期办理并书面答复。",
    )
    severity = forms.ChoiceField(label="性质", choices=PetitionCase.Severity.choices)
    leader = LeaderField(label="批示领导", queryset=User.objects.none())
    lead_department = forms.ModelChoiceField(label="主办部门", queryset=Department.objects.none())
    support_departments = forms.ModelMultipleChoiceField(
        label="协办部门", required=False, queryset=Department.objects.none(), widget=forms.CheckboxSelectMultiple
    )
    deadline = forms.DateField(
        label="办理时限", required=False, widget=D, help_text="申诉求决类以处理意见书办理的，自受理之日起60日"
    )
    handled_with_opinion = forms.BooleanField(label="以信访处理意见书办理", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = (
            User.objects.filter(groups__name__in=LEADERS).distinct().order_by("position__rank")
        )
        departments = Department.objects.filter(is_active=True)
        self.fields["lead_department"].queryset = departments
        self.fields["support_departments"].queryset = departments


class TextForm(forms.Form):
    text = forms.CharField(label="内容", widget=forms.Textarea(attrs={"rows": 3}))


class ExtensionForm(forms.Form):
    days = forms.IntegerField(label="延长天数", min_value=1, max_value=30)
    reason = forms.CharField(label="延期理由", max_length=200)


class CloseForm(forms.Form):
    satisfaction = forms.ChoiceField(
        label="信访人满意度",
        choices=[("satisfied", "满意"), ("basic", "基本满意"), ("unsatisfied", "不满意")],
        widget=forms.RadioSelect,
    )


class ReviewForm(forms.Form):
    kind = forms.ChoiceField(label="类别", choices=[("review", "复查"), ("recheck", "复核")])
    requested_on = forms.DateField(label="申请日期", widget=D)
    result = forms.CharField(label="上级机关决定（可后补）", required=False, widget=forms.Textarea(attrs={"rows": 2}))
