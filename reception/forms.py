from django import forms
from django.forms import inlineformset_factory
from django.utils import timezone

from township_office import search, validators
from township_office.dates import chinese_date, format_time
from township_office.forms import StaffedDepartmentField, departments_with_accounts
from township_office.listing import FilterForm
from township_office.models import User
from township_office.phrases import APPROVAL_PHRASES, PhraseStepForm
from township_office.roles import LEADERS
from township_office.steps import StepForm
from township_office.uploads import validate_upload
from township_office.widgets import LeaderGrid, PhraseTextarea

from .models import ChecklistItem, Guest, ItineraryItem, Material, MeetingRoom, Reception

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
# Dates a person may type: far enough for ten years of records and the next plans, never year 1 or 9999.
FIRST_YEAR, LAST_YEAR = 2000, 2100


def _in_range(value, label):
    if value is not None and not FIRST_YEAR <= value.year <= LAST_YEAR:
        raise forms.ValidationError(f"{label}须在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。")
    return value


class LeaderField(forms.ModelMultipleChoiceField):
    default_error_messages = {
        "invalid_choice": "所选领导（%(value)s）没有可用的账号（已停用或不是领导），不能安排陪同。",
        "invalid_pk_value": "“%(pk)s”不是有效的领导。",
    }

    def label_from_instance(self, obj):
        return obj.full_name  # the LeaderGrid shows the title under the name

    def _check_values(self, value):
        for pk in value:  # a key no database integer can hold is no leader (and no OverflowError)
            if not (str(pk).isascii() and str(pk).isdigit() and len(str(pk)) <= 18):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": pk}
                )
        return super()._check_values(value)


class ReceptionForm(forms.ModelForm):
    accompanying_leaders = LeaderField(
        label="陪同领导",
        queryset=User.objects.none(),
        required=False,
        widget=LeaderGrid,
        help_text="只列出账号可用的领导，按职务排序。",
    )

    class Meta:
        model = Reception
        fields = [
            "visiting_unit",
            "purpose",
            "letter_number",
            "letter_date",
            "letter_scan",
            "start",
            "end",
            "is_major",
            "accompanying_leaders",
            "has_meal",
            "meal_time",
            "meal_place",
            "meal_menu",
            "meal_diners",
            "meal_cost_per_person",
            "lodging",
            "lodging_rooms",
            "vehicles",
            "banners",
            "welcome_crowd",
            "gifts",
            "alcohol",
            "cigarettes",
            "premium_dishes",
        ]
        widgets = {"start": DT, "end": DT, "meal_time": DT, "letter_date": D}
        formfield_callback = validators.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accompanying_leaders"].queryset = (
            User.objects.filter(groups__name__in=LEADERS, is_active=True)
            .select_related("position")
            .distinct()
            .order_by("position__rank", "pk")
        )

    def clean_letter_scan(self):
        scan = self.cleaned_data.get("letter_scan")
        if scan and hasattr(scan, "content_type"):
            validate_upload(scan, kinds=("pdf", "image", "ofd"))
        return scan

    def clean_letter_date(self):
        return _in_range(self.cleaned_data.get("letter_date"), "公函日期")

    def clean_start(self):
        return _in_range(self.cleaned_data.get("start"), "开始时间")

    def clean_end(self):
        return _in_range(self.cleaned_data.get("end"), "结束时间")

    def clean_meal_time(self):
        return _in_range(self.cleaned_data.get("meal_time"), "工作餐时间")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "结束时间必须晚于开始时间。")
        if data.get("has_meal") and not data.get("meal_time"):
            self.add_error("meal_time", "安排工作餐请填写时间。")
        return data

    def warnings(self):
        """What to look at twice, saved all the same: a start already past (a typo in the year or the month, or a
        reception entered after the fact), when it is new or was just changed."""
        start = getattr(self, "cleaned_data", {}).get("start")
        if start is None or start >= timezone.now() or (self.instance.pk and "start" not in self.changed_data):
            return []
        return [
            f"开始时间 {chinese_date(start)} {format_time(start)} 已经过去：请核对日期是否填写正确（补登已经发生的接待可以照常保存）。"
        ]


class GuestForm(forms.ModelForm):
    class Meta:
        model = Guest
        fields = ["name", "unit", "title"]


class ItemForm(forms.ModelForm):
    department = StaffedDepartmentField(label="责任部门", queryset=None, required=False)

    class Meta:
        model = ItineraryItem
        fields = ["start", "end", "place", "activity", "accompanying", "department", "meeting_room"]
        widgets = {"start": DT, "end": DT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_with_accounts()
        self.fields["meeting_room"].queryset = MeetingRoom.objects.filter(is_active=True)
        self.fields["meeting_room"].empty_label = "不用会议室"

    def clean_start(self):
        return _in_range(self.cleaned_data.get("start"), "开始时间")

    def clean_end(self):
        return _in_range(self.cleaned_data.get("end"), "结束时间")

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "结束时间必须晚于开始时间。")
        return data


class MaterialForm(forms.ModelForm):
    department = StaffedDepartmentField(label="承担部门", queryset=None)

    class Meta:
        model = Material
        fields = ["title", "department", "deadline"]
        widgets = {"deadline": D}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = departments_with_accounts()
        if self.instance.pk and self.instance.done_at:  # a finished material stays as it was done
            for field in self.fields.values():
                field.disabled = True

    def clean_deadline(self):
        return _in_range(self.cleaned_data.get("deadline"), "完成时限")


# A plan has at most so many rows of each kind: a forged TOTAL_FORMS cannot make the server build thousands of forms.
MAX_ROWS = 60
_rows = {"extra": 1, "can_delete": True, "max_num": MAX_ROWS, "absolute_max": MAX_ROWS, "validate_max": True}
GuestFormSet = inlineformset_factory(Reception, Guest, form=GuestForm, **_rows)
ItemFormSet = inlineformset_factory(Reception, ItineraryItem, form=ItemForm, **_rows)
MaterialFormSet = inlineformset_factory(Reception, Material, form=MaterialForm, **_rows)


class PlanForms:
    """The plan's form and its three tables (guests, itinerary, materials), validated and saved together."""

    def __init__(self, data=None, files=None, *, instance):
        self.instance = instance
        self.form = ReceptionForm(data, files, instance=instance)
        self.guests = GuestFormSet(data, instance=instance, prefix="guests")
        self.items = ItemFormSet(data, instance=instance, prefix="items")
        self.materials = MaterialFormSet(data, instance=instance, prefix="materials")
        self._valid = None

    @property
    def formsets(self):
        return [self.guests, self.items, self.materials]

    def is_valid(self):
        if self._valid is None:
            self._valid = all([f.is_valid() for f in (self.form, *self.formsets)])  # every error shown at once
            if self._valid:
                self._valid = self._materials_before_start()
        return self._valid

    def _materials_before_start(self):
        start = self.form.cleaned_data.get("start")
        if start is None:
            return True
        first_day = timezone.localtime(start).date()
        ok = True
        for form in self.materials.forms:
            deadline = getattr(form, "cleaned_data", {}).get("deadline")
            if deadline and deadline > first_day and not form.cleaned_data.get("DELETE"):
                form.add_error("deadline", f"材料须在接待开始前完成（不晚于 {first_day:%m月%d日}）。")
                ok = False
        return ok

    def save(self, *, created_by=None):
        """Save the plan and its tables. An existing plan keeps its state and approval fields untouched."""
        reception = self.form.save(commit=False)
        if created_by is not None:
            reception.created_by = created_by
            reception.save()
        else:
            names = [f for f in self.form._meta.fields if f != "accompanying_leaders"]
            reception.save(update_fields=names)
        self.form.save_m2m()
        for formset in self.formsets:
            formset.instance = reception
            formset.save()
        return reception

    def warnings(self):
        """The plan's warnings (ReceptionForm.warnings): shown on the form, never refusing it."""
        self.is_valid()
        return self.form.warnings()

    # --- The rules as the plan is being edited (nothing saved) -------------------------------------------------

    def breaches(self, *, has_new_scan=False):
        from . import rules

        self.is_valid()
        reception = self.form.instance  # the typed values that passed their field checks
        data = getattr(self.form, "cleaned_data", {})
        guests = sum(1 for f in self.guests.forms if _kept(f))
        items = [f.instance for f in self.items.forms if _kept(f)]
        leaders = list(data.get("accompanying_leaders") or [])
        return rules.check(
            reception,
            guests=guests,
            items=items,
            leaders=leaders,
            has_scan=bool(reception.letter_scan) or has_new_scan,
        )


def _kept(form):
    data = getattr(form, "cleaned_data", None)
    return bool(data) and not data.get("DELETE") and (form.instance.pk or form.has_changed())


# --- The steps' forms -------------------------------------------------------------------------------------------


class ReasonForm(StepForm):
    reason = forms.CharField(label="理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}))

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请写明理由。")
        return reason


class ApproveForm(PhraseStepForm):
    """批准: an opinion may be typed, tapped from the office's approval phrases and the person's own, or left empty."""

    phrase_field = "comment"
    office_phrases = APPROVAL_PHRASES
    comment = forms.CharField(
        label="审批意见", required=False, max_length=500, widget=PhraseTextarea(attrs={"rows": 2})
    )


class CloseForm(StepForm):
    actual_attendees = forms.CharField(label="实际陪同人员", max_length=300)
    meal_cost = forms.DecimalField(label="餐费（元）", min_value=0, max_digits=10, decimal_places=2)
    lodging_cost = forms.DecimalField(label="住宿费（元）", min_value=0, max_digits=10, decimal_places=2)
    transport_cost = forms.DecimalField(label="交通费（元）", min_value=0, max_digits=10, decimal_places=2)
    other_cost = forms.DecimalField(label="其他（元）", min_value=0, max_digits=10, decimal_places=2)
    invoices = forms.FileField(label="发票（PDF 或图片）", required=False)

    def clean_invoices(self):
        invoices = self.cleaned_data.get("invoices")
        if invoices:
            validate_upload(invoices, kinds=("pdf", "image"))
        return invoices

    def arguments(self):
        data = self.cleaned_data
        return {
            "costs": {k: data[k] for k in ("meal_cost", "lodging_cost", "transport_cost", "other_cost")},
            "attendees": data["actual_attendees"],
            "invoices": data.get("invoices"),
        }


class ChecklistForm(StepForm):
    text = forms.CharField(label="细节事项", max_length=100)


class TickForm(StepForm):
    item = forms.ModelChoiceField(
        label="事项",
        queryset=ChecklistItem.objects.none(),
        error_messages={"invalid_choice": "该事项已勾选或不属于本接待，请刷新页面。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None:
            self.fields["item"].queryset = self.obj.checklist.filter(done_at__isnull=True)


class MaterialDoneForm(StepForm):
    material = forms.ModelChoiceField(
        label="材料",
        queryset=Material.objects.none(),
        error_messages={"invalid_choice": "该材料已完成或不由您所在部门承担，请刷新页面。"},
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if self.obj is not None and self.user is not None:
            self.fields["material"].queryset = self.obj.materials.filter(
                done_at__isnull=True, department=self.user.department_id
            )


# --- Query parameters -------------------------------------------------------------------------------------------


class ListFilterForm(FilterForm):
    q = forms.CharField(  # a NUL byte is refused beside the field, as a word too long is
        label="搜索",
        required=False,
        max_length=100,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": "来访单位、事由、公函编号"}),
    )
    status = forms.ChoiceField(
        label="状态",
        choices=[("", "全部"), *Reception.Status.choices],
        required=False,
        error_messages={"invalid_choice": "没有这个状态，请从列表中选择。"},
    )

    def filter(self, rows):
        rows = search.matching(rows, self.cleaned_data["q"], ["visiting_unit", "purpose", "letter_number"])
        if status := self.cleaned_data["status"]:
            rows = rows.filter(status=status)
        return rows


class CalendarForm(forms.Form):
    view = forms.ChoiceField(choices=[("month", "按月"), ("week", "按周")], required=False)
    date = forms.DateField(
        label="日期", required=False, error_messages={"invalid": "日期格式应为 年-月-日，如 2026-05-01。"}
    )

    def clean_date(self):
        return _in_range(self.cleaned_data.get("date"), "日期")

    def values(self):
        data = self.cleaned_data
        return data.get("view") or "month", data.get("date") or timezone.localdate()


class TotalsForm(forms.Form):
    year = forms.CharField(label="年度", required=False, strip=True)
    format = forms.ChoiceField(choices=[("", "网页"), ("xlsx", "Excel")], required=False)

    def clean_year(self):
        value = self.cleaned_data.get("year", "").strip()
        if not value:
            return timezone.localdate().year
        if len(value) != 4 or not (value.isascii() and value.isdigit()) or not FIRST_YEAR <= int(value) <= LAST_YEAR:
            raise forms.ValidationError(f"年度应为 {FIRST_YEAR} 至 {LAST_YEAR} 之间的四位数字。")
        return int(value)
