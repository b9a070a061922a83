from django import forms
from django.core.exceptions import ValidationError
from django.utils import timezone

from township_office import validators
from township_office.forms import StaffedDepartmentField, StaffedDepartmentsField, departments_with_accounts
from township_office.models import Department, User
from township_office.roles import LEADERS, role_users
from township_office.steps import StepForm
from township_office.uploads import validate_upload
from township_office.widgets import DepartmentPicker

from . import sources
from .models import Light, Milestone, SupervisionItem

SOURCE_LABELS = tuple(sources.READERS)
D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
MAX_MILESTONES = 5  # 节点 in the one form of 立项 / 列入督办
ATTACHMENT_KINDS = ("pdf", "image", "word", "excel", "ofd")


def _attachment(form, name):
    file = form.cleaned_data.get(name)
    if file:
        validate_upload(file, kinds=ATTACHMENT_KINDS)
    return file


class DepartmentField(StaffedDepartmentField, validators.ModelChoiceField):
    """One department with an account; a key no row can have is refused in the field."""


class DepartmentsField(StaffedDepartmentsField, validators.ModelMultipleChoiceField):
    """Departments with accounts; a key no row can have is refused in the field."""


class LeaderField(validators.ModelChoiceField):
    def label_from_instance(self, obj):
        title = obj.position.title if getattr(obj, "position", None) else ""
        return f"{obj.full_name}（{title}）" if title else obj.full_name


class ItemForm(forms.Form):
    """立项 and 列入督办: the item, its units, its deadline and up to MAX_MILESTONES milestones in one post."""

    title = forms.CharField(label="督办事项", max_length=200)
    requirement = forms.CharField(
        label="督办要求", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3})
    )
    source_kind = forms.ChoiceField(
        label="来源",
        choices=[(SupervisionItem.Source.COUNTY, "上级交办"), (SupervisionItem.Source.MANUAL, "手工录入")],
    )
    source_note = forms.CharField(
        label="来源说明", required=False, max_length=200, help_text="如：县委督查室交办单、镇党委会议纪要"
    )
    leader = LeaderField(label="交办领导", queryset=User.objects.none())
    delegated = forms.BooleanField(label="委托办公室主任审核销号", required=False)
    lead_department = DepartmentField(label="牵头单位", queryset=Department.objects.none())
    support_departments = DepartmentsField(
        label="协办单位", queryset=Department.objects.none(), required=False, widget=DepartmentPicker
    )
    deadline = validators.DayField(label="办结时限", widget=D)

    def __init__(self, *args, source=None, **kwargs):
        super().__init__(*args, **kwargs)
        self.source = source
        leaders = role_users(*LEADERS).select_related("position")
        if source is not None:
            del self.fields["source_kind"]
            del self.fields["source_note"]
            if source.leaders:
                leaders = leaders.filter(pk__in=[u.pk for u in source.leaders])
        self.fields["leader"].queryset = leaders
        departments = departments_with_accounts().order_by("sort_order", "pk")
        self.fields["lead_department"].queryset = departments
        self.fields["support_departments"].queryset = departments
        for n in range(1, MAX_MILESTONES + 1):
            self.fields[f"m{n}_title"] = forms.CharField(label=f"节点{n}", required=False, max_length=100)
            self.fields[f"m{n}_due"] = validators.DayField(label=f"节点{n}日期", required=False, widget=D)

    def milestone_rows(self):
        return [(self[f"m{n}_title"], self[f"m{n}_due"]) for n in range(1, MAX_MILESTONES + 1)]

    def main_fields(self):
        return [f for f in self if not f.name.startswith("m") or f.name == "title"]

    def clean_deadline(self):
        deadline = self.cleaned_data["deadline"]
        if deadline < timezone.localdate():
            raise ValidationError("办结时限不能早于今天。")
        return deadline

    def clean(self):
        data = super().clean()
        if data.get("source_kind") == SupervisionItem.Source.MANUAL and not (data.get("source_note") or "").strip():
            self.add_error("source_note", "手工录入的督办事项须写明来源说明。")
        lead, supports = data.get("lead_department"), data.get("support_departments") or []
        if lead is not None and lead in supports:
            self.add_error("support_departments", f"{lead} 已是牵头单位，不必再列为协办单位。")
        deadline, today = data.get("deadline"), timezone.localdate()
        milestones = []
        for n in range(1, MAX_MILESTONES + 1):
            title, due = (data.get(f"m{n}_title") or "").strip(), data.get(f"m{n}_due")
            if not title and due is None:
                continue
            if not title:
                self.add_error(f"m{n}_title", "请填写节点内容。")
            elif due is None:
                if f"m{n}_due" not in self.errors:
                    self.add_error(f"m{n}_due", "请填写节点日期。")
            elif due < today:
                self.add_error(f"m{n}_due", "节点日期不能早于今天。")
            elif deadline is not None and due > deadline:
                self.add_error(f"m{n}_due", "节点日期不能晚于办结时限。")
            else:
                milestones.append((title, due))
        data["milestones"] = sorted(milestones, key=lambda m: m[1])
        return data

    def item_data(self):
        data = self.cleaned_data
        fields = ["title", "requirement", "leader", "delegated", "lead_department", "deadline"]
        if self.source is None:
            fields += ["source_kind", "source_note"]
        return {name: data[name] for name in fields}


class FeedbackForm(StepForm):
    milestone = validators.ModelChoiceField(label="节点", queryset=Milestone.objects.none(), empty_label=None)
    text = forms.CharField(label="反馈内容", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label="附件（可不传）", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["milestone"].queryset = self.obj.milestones.filter(fed_at__isnull=True)

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise ValidationError("请填写反馈内容。")
        return text

    def clean_attachment(self):
        return _attachment(self, "attachment")


class RequestDoneForm(StepForm):
    result = forms.CharField(label="办理结果", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))
    attachment = forms.FileField(label="结果材料（可不传）", required=False)

    def clean_result(self):
        result = self.cleaned_data["result"].strip()
        if not result:
            raise ValidationError("请填写办理结果。")
        return result

    def clean_attachment(self):
        return _attachment(self, "attachment")


class ReasonForm(StepForm):
    reason = forms.CharField(label="退回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请写明退回理由。")
        return reason


class ExtensionForm(StepForm):
    reason = forms.CharField(label="延期理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))
    new_date = validators.DayField(label="申请延至", widget=D)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise ValidationError("请写明延期理由。")
        return reason

    def clean_new_date(self):
        new_date = self.cleaned_data["new_date"]
        if self.obj is not None and new_date <= self.obj.due:
            raise ValidationError(f"延期后的时限须晚于现时限（{self.obj.due:%Y年%m月%d日}）。")
        return new_date


class DecideExtensionForm(StepForm):
    decision = forms.ChoiceField(
        label="审批意见", choices=[("agree", "同意"), ("refuse", "不同意")], widget=forms.RadioSelect
    )
    comment = forms.CharField(label="说明", required=False, max_length=500)

    def clean(self):
        data = super().clean()
        if data.get("decision") == "refuse" and not (data.get("comment") or "").strip():
            self.add_error("comment", "不同意延期请写明理由。")
        return data

    def arguments(self):
        return {"agree": self.cleaned_data["decision"] == "agree", "comment": self.cleaned_data["comment"].strip()}


class ListFilterForm(forms.Form):
    leader = LeaderField(label="交办领导", queryset=User.objects.none(), required=False)
    department = validators.ModelChoiceField(label="单位", queryset=Department.objects.none(), required=False)
    light = forms.ChoiceField(label="督办灯", choices=[("", "全部"), *Light.choices], required=False)
    status = forms.ChoiceField(label="状态", choices=[("", "全部"), *SupervisionItem.Status.choices], required=False)
    # the items of one source record (the link on its page)
    source_type = forms.ChoiceField(
        choices=[("", ""), *((label, label) for label in SOURCE_LABELS)], required=False, widget=forms.HiddenInput
    )
    source_code = validators.SearchField(max_length=64, required=False, widget=forms.HiddenInput)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = role_users(*LEADERS).select_related("position")
        self.fields["department"].queryset = Department.objects.filter(is_active=True).order_by("sort_order", "pk")


class MonthForm(forms.Form):
    month = validators.MonthField(label="月份", required=False)
