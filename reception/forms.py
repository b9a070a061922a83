from django import forms
from django.forms import inlineformset_factory

from township_office.models import Department, User
from township_office.roles import LEADERS
from township_office.uploads import validate_upload

from .models import Guest, ItineraryItem, Material, MeetingRoom, Reception

DT = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
D = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class LeaderField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.full_name}（{getattr(getattr(obj, 'position', None), 'title', '')}）"


class ReceptionForm(forms.ModelForm):
    accompanying_leaders = LeaderField(
        label="陪同领导", queryset=User.objects.none(), required=False, widget=forms.CheckboxSelectMultiple
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

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["accompanying_leaders"].queryset = (
            User.objects.filter(groups__name__in=LEADERS, is_active=True).distinct().order_by("position__rank")
        )

    def clean_letter_scan(self):
        scan = self.cleaned_data.get("letter_scan")
        if scan and hasattr(scan, "content_type"):
            validate_upload(scan, kinds=("pdf", "image", "ofd"))
        return scan

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "结束时间必须晚于开始时间。")
        if data.get("has_meal") and not data.get("meal_time"):
            self.add_error("meal_time", "安排工作餐请填写时间。")
        return data


class ItemForm(forms.ModelForm):
    class Meta:
        model = ItineraryItem
        fields = ["start", "end", "place", "activity", "accompanying", "department", "meeting_room"]
        widgets = {"start": DT, "end": DT}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["department"].queryset = Department.objects.filter(is_active=True)
        self.fields["meeting_room"].queryset = MeetingRoom.objects.filter(is_active=True)

    def clean(self):
        data = super().clean()
        if data.get("start") and data.get("end") and data["end"] <= data["start"]:
            self.add_error("end", "结束时间必须晚于开始时间。")
        return data


GuestFormSet = inlineformset_factory(Reception, Guest, fields=["name", "unit", "title"], extra=3, can_delete=True)
ItemFormSet = inlineformset_factory(Reception, ItineraryItem, form=ItemForm, extra=2, can_delete=True)
MaterialFormSet = inlineformset_factory(
    Reception, Material, fields=["title", "department", "deadline"], extra=1, can_delete=True, widgets={"deadline": D}
)


class ReasonForm(forms.Form):
    reason = forms.CharField(label="理由", widget=forms.Textarea(attrs={"rows": 2}))


class ApproveForm(forms.Form):
    comment = forms.CharField(label="审批意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class CloseForm(forms.Form):
    actual_attendees = forms.CharField(label="实际陪同人员", max_length=300)
    meal_cost = forms.DecimalField(label="餐费（元）", min_value=0, decimal_places=2)
    lodging_cost = forms.DecimalField(label="住宿费（元）", min_value=0, decimal_places=2)
    transport_cost = forms.DecimalField(label="交通费（元）", min_value=0, decimal_places=2)
    other_cost = forms.DecimalField(label="其他（元）", min_value=0, decimal_places=2)
    invoices = forms.FileField(label="发票（PDF 或图片）", required=False)

    def clean_invoices(self):
        invoices = self.cleaned_data.get("invoices")
        if invoices:
            validate_upload(invoices, kinds=("pdf", "image"))
        return invoices


class ChecklistForm(forms.Form):
    text = forms.CharField(label="细节事项", max_length=100)
