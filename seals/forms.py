import copy
import re
from datetime import date, timedelta

from django import forms
from django.db.models import Q

from township_office import search, validators
from township_office.dates import day_range
from township_office.listing import FilterForm
from township_office.phrases import APPROVAL_PHRASES, PhraseStepForm
from township_office.steps import StepForm
from township_office.uploads import validate_upload
from township_office.widgets import PhraseTextarea

from .models import IntroductionLetter, Seal, SealRequest, Stamping

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")
MAX_PK = 2**63 - 1  # the largest id a database column holds; past it SQLite raises OverflowError


def _valid_pk(value):
    text = str(value).strip()
    return text.isascii() and text.isdigit() and int(text) <= MAX_PK


class SealsField(forms.ModelMultipleChoiceField):
    """Seals as checkboxes; an id that is no number, or too large for the database, is an invalid choice (not a 500)."""

    def _check_values(self, value):
        for pk in value:
            if not _valid_pk(pk):
                raise forms.ValidationError(
                    self.error_messages["invalid_choice"], code="invalid_choice", params={"value": pk}
                )
        return super()._check_values(value)


class SealField(forms.ModelChoiceField):
    def to_python(self, value):
        if value not in self.empty_values and not _valid_pk(value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class SealRequestForm(forms.ModelForm):
    seals = SealsField(label="印章", queryset=Seal.objects.none(), widget=forms.CheckboxSelectMultiple)
    link_type = forms.CharField(required=False, widget=forms.HiddenInput)
    link_code = forms.CharField(required=False, widget=forms.HiddenInput)

    class Meta:
        model = SealRequest
        fields = [
            "seals",
            "use_type",
            "title",
            "recipient",
            "purpose",
            "copies",
            "contract_amount",
            "expected_return",
            "document",
        ]
        widgets = {"expected_return": DATETIME}
        formfield_callback = validators.formfield
        help_texts = {
            "document": "上传需要盖章的文件（PDF、Word、Excel、图片或 OFD），其指纹与审批绑定；保存草稿时可以稍后再传"
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seals"].queryset = Seal.objects.filter(status=Seal.Status.IN_USE)
        self.fields["document"].required = False  # required to submit (the submit step says so), not for a draft

    def clean_document(self):
        document = self.cleaned_data.get("document")
        if document and hasattr(document, "content_type"):  # a new upload (not the stored file of a draft)
            validate_upload(document, kinds=("pdf", "word", "excel", "image", "ofd"))
        return document

    def clean_copies(self):
        copies = self.cleaned_data["copies"]
        if copies < 1:
            raise forms.ValidationError("用印份数至少为 1。")
        if copies > 10000:
            raise forms.ValidationError("用印份数不能超过 10000 份。")
        return copies

    def clean_expected_return(self):
        value = self.cleaned_data.get("expected_return")
        if value is not None:
            from django.utils import timezone

            try:
                year = timezone.localtime(value).year
            except (OverflowError, ValueError):
                year = 0
            if not 2000 <= year <= 2099:
                raise forms.ValidationError("预计归还时间不正确，请重新选择。")
        return value

    def clean(self):
        data = super().clean()
        if data.get("use_type") == SealRequest.UseType.CONTRACT and data.get("contract_amount") is None:
            self.add_error("contract_amount", "合同用印请填写合同金额。")
        if data.get("use_type") == SealRequest.UseType.TAKE_OUT and not data.get("expected_return"):
            self.add_error("expected_return", "外带印章请填写预计归还时间。")
        return data

    def draft_data(self):
        """The request's own fields, as the draft is saved."""
        skip = ("seals", "document", "link_type", "link_code")
        data = {k: v for k, v in self.cleaned_data.items() if k not in skip}
        if "link_type" in self.cleaned_data:
            data["linked_object_type"] = (self.cleaned_data.get("link_type") or "")[:60]
            data["linked_object_code"] = (self.cleaned_data.get("link_code") or "")[:64]
        return data

    def new_document(self):
        document = self.cleaned_data.get("document")
        return document if document and hasattr(document, "content_type") else None


class EditDraftForm(StepForm, SealRequestForm):
    """修改草稿 on the request's page: the same fields; the stored file is kept unless another is uploaded."""

    def __init__(self, *args, obj=None, user=None, **kwargs):
        kwargs["instance"] = copy.copy(obj)  # validating must not change the record the page shows
        super().__init__(*args, obj=obj, user=user, **kwargs)
        del self.fields["link_type"], self.fields["link_code"]
        self.fields["document"].help_text = "不重新上传则保留原文件"
        self.fields["document"].widget = forms.FileInput()

    def arguments(self):
        return {"data": self.draft_data(), "seals": list(self.cleaned_data["seals"]), "document": self.new_document()}


class ApproveForm(PhraseStepForm):
    """同意 a 用印 level or 批准 a 介绍信: the opinion, with the office's approval phrases and the person's own
    put in with one tap."""

    phrase_field = "comment"
    office_phrases = APPROVAL_PHRASES
    comment = forms.CharField(
        label="审批意见",
        required=False,
        max_length=500,
        initial="同意",
        widget=PhraseTextarea(attrs={"rows": 2}),
        help_text="可直接同意，也可写明意见",
    )


class RejectForm(StepForm):
    reason = forms.CharField(
        label="驳回理由", max_length=500, widget=forms.Textarea(attrs={"rows": 2}), help_text="驳回须写明理由"
    )

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("驳回须写明理由。")
        return reason


class StampForm(StepForm):
    seal = SealField(label="印章", queryset=Seal.objects.none())
    copies = validators.IntegerField(label="本次用印份数", min_value=1, max_value=100000, column=Stamping.copies.field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        request, user = self.obj, self.user
        if request is not None and user is not None:
            done = request.stamped_per_seal()
            open_seals = [pk for pk in request.seals.values_list("pk", flat=True) if done.get(pk, 0) < request.copies]
            mine = request.seals.filter(custodians=user.pk, pk__in=open_seals)
            self.fields["seal"].queryset = mine
            if len(open_seals) == 1:
                self.fields["seal"].initial = open_seals[0]
            self.fields["copies"].initial = request.copies - max((done.get(pk, 0) for pk in open_seals), default=0)


class LetterForm(forms.ModelForm):
    class Meta:
        model = IntroductionLetter
        fields = ["recipient_unit", "persons", "person_count", "purpose", "valid_days"]
        formfield_callback = validators.formfield

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person_count"].min_value = 1
        self.fields["person_count"].widget.attrs["min"] = 1
        self.fields["valid_days"].widget.attrs["min"] = 1

    def clean_person_count(self):
        value = self.cleaned_data["person_count"]
        if not value or value < 1 or value > 1000:
            raise forms.ValidationError("人数应在 1 到 1000 之间。")
        return value

    def clean_valid_days(self):
        value = self.cleaned_data["valid_days"]
        if not value or value < 1 or value > 365:
            raise forms.ValidationError("有效期应在 1 到 365 天之间。")
        return value


class VoidForm(StepForm):
    reason = forms.CharField(label="作废原因", max_length=200)

    def clean_reason(self):
        reason = self.cleaned_data["reason"].strip()
        if not reason:
            raise forms.ValidationError("请填写作废原因。")
        return reason


def serial_match(q):
    """用印〔2026〕5号, 2026-5 or 5: the number's digits (the last one the serial, a four-digit one the year)."""
    digits = [int(d) for d in re.findall(r"\d{1,9}", q)]
    if not digits:
        return Q(pk__in=[])
    match = Q(serial=digits[-1])
    years = [d for d in digits[:-1] if 1900 < d < 3000]
    return match & Q(year=years[0]) if years else match


class _NumberedFilterForm(FilterForm):
    """搜索 (the text fields, or the record's number) and 状态."""

    search_fields = ()

    def filter(self, rows):
        if q := self.cleaned_data["q"]:
            rows = search.matching(rows, q, list(self.search_fields), extra=serial_match(q))
        if status := self.cleaned_data["status"]:
            rows = rows.filter(status=status)
        return rows


class RequestFilterForm(_NumberedFilterForm):
    search_fields = ("title", "recipient")
    q = validators.SearchField(widget=forms.TextInput(attrs={"placeholder": "文件名称、致送单位"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *SealRequest.Status.choices])


class LetterFilterForm(_NumberedFilterForm):
    search_fields = ("recipient_unit", "persons", "purpose")
    q = validators.SearchField(widget=forms.TextInput(attrs={"placeholder": "前往单位、被介绍人、事项、编号"}))
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *IntroductionLetter.Status.choices])


MONTH = re.compile(r"^([0-9]{4})-([0-9]{1,2})$")


class RegisterMonthForm(FilterForm):
    """The register's month: YYYY-MM from the month picker; anything else is answered beside the field (400)."""

    month = forms.CharField(
        label="月份",
        required=False,
        widget=forms.TextInput(attrs={"type": "month", "min": "2000-01", "max": "2099-12"}),
    )
    format = forms.ChoiceField(
        label="格式",
        required=False,
        choices=[("", "网页"), ("pdf", "PDF")],
        widget=forms.HiddenInput,
        error_messages={"invalid_choice": "没有这种打印格式。"},
    )

    def clean_month(self):
        raw = (self.cleaned_data.get("month") or "").strip()
        if not raw:
            from django.utils import timezone

            return timezone.localdate().replace(day=1)
        match = MONTH.match(raw)
        if not match:
            raise forms.ValidationError("月份格式不正确，请用月份选择器选择，如 2026-11。")
        year, month = int(match.group(1)), int(match.group(2))
        if not 1 <= month <= 12:
            raise forms.ValidationError("月份应在 1 到 12 之间。")
        if not 2000 <= year <= 2099:
            raise forms.ValidationError("年份应在 2000 年到 2099 年之间。")
        return date(year, month, 1)

    def filter(self, rows):
        """The stampings of the month (local time), as an indexable range."""
        month = self.cleaned_data["month"]
        following = date(month.year + month.month // 12, month.month % 12 + 1, 1)
        start, end = day_range(month, following - timedelta(days=1))
        return rows.filter(stamped_at__gte=start, stamped_at__lt=end)
