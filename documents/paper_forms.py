"""The office's records of what happened on paper: 纸质送达 of a 发文 to a unit without an account, and the
纸质会签 opinion of a department without an account. Each is a step's form (``documents.workflow.outgoing_steps``)."""

from django import forms
from django.utils import timezone

from township_office import validators
from township_office.steps import StepForm
from township_office.uploads import validate_upload

from .forms import DATE, DATETIME, SafeModelChoiceField
from .models import Delivery

SCAN_KINDS = ("pdf", "image")
SCAN_HELP = "可选：回执或意见的扫描件、照片（PDF 或图片）"


class ScanField(forms.FileField):
    """An optional scan, checked by its content (PDF or image) and size like every upload."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("help_text", SCAN_HELP)
        super().__init__(**kwargs)

    def clean(self, data, initial=None):
        scan = super().clean(data, initial)
        if scan:
            validate_upload(scan, kinds=SCAN_KINDS)
        return scan


class PastDateTimeField(forms.DateTimeField):
    """A moment that has happened: not in the future, within the years the project accepts."""

    widget = DATETIME
    default_error_messages = {"invalid": "请按“2026-12-05 09:30”的格式填写时间。"}

    def to_python(self, value):
        if isinstance(value, str) and len(value) > 30:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        moment = super().to_python(value)
        if moment is None:
            return None
        validators._in_range(moment, "时间")
        if moment > timezone.now():
            raise forms.ValidationError("送达时间不能晚于现在，请核对。", code="future")
        return moment


class PastDayField(validators.DayField):
    widget = DATE

    def to_python(self, value):
        day = super().to_python(value)
        if day is not None and day > timezone.localdate():
            raise forms.ValidationError("会签日期不能晚于今天，请核对。", code="future")
        return day


class DeliveryChoiceField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        return str(obj.department)


class PaperDeliveryForm(StepForm):
    """登记纸质送达: which unit, when, the name on the 回执, and the scan of the 回执 if there is one."""

    delivery = DeliveryChoiceField(label="收文单位", queryset=Delivery.objects.none(), empty_label=None)
    delivered_at = PastDateTimeField(label="送达时间")
    receiver = forms.CharField(label="签收人（回执上的姓名）", max_length=30)
    receipt = ScanField(label="回执扫描件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["delivery"].queryset = self.obj.deliveries.filter(
            on_paper=True, signed_at__isnull=True
        ).select_related("department")

    def clean_receiver(self):
        receiver = " ".join(self.cleaned_data["receiver"].split())
        if not receiver:
            raise forms.ValidationError("请填写回执上的签收人姓名。")
        return receiver


class PaperCountersignForm(StepForm):
    """登记纸质会签: the department without an account, who signed, the date, the opinion, the scan if any."""

    department = SafeModelChoiceField(label="会签部门", queryset=None, empty_label=None)
    signer = forms.CharField(label="会签人", max_length=30)
    signed_on = PastDayField(label="会签日期")
    text = forms.CharField(label="会签意见（按纸质件照录）", widget=forms.Textarea(attrs={"rows": 3}))
    scan = ScanField(label="会签意见扫描件")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .workflow.outgoing_steps import paper_countersign_pending

        self.fields["department"].queryset = paper_countersign_pending(self.obj)

    def clean_signer(self):
        signer = " ".join(self.cleaned_data["signer"].split())
        if not signer:
            raise forms.ValidationError("请填写会签人姓名。")
        return signer

    def clean_text(self):
        text = self.cleaned_data["text"].strip()
        if not text:
            raise forms.ValidationError("请填写会签意见。")
        return text
