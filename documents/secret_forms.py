"""Forms of the 密件登记 (paper register of state-secret files): registration, the steps of a copy, the list filter.

No form here has a file field or a text box for the content of a file: the register keeps where the paper is,
never what it says."""

import re

from django import forms
from django.utils import timezone

from township_office import validators
from township_office.models import User
from township_office.steps import StepForm

from .forms import DATE, DATETIME, SafeModelChoiceField
from .models import SecretCopyEvent, SecretEntry, StateSecrecy

MAX_COPIES = 500


def _in_range(form, name, value):
    if value and not 1949 <= value.year <= 2100:
        form.add_error(name, "请填写1949年至2100年之间的日期。")


class SecretEntryForm(forms.ModelForm):
    """登记密件: the register's fields only. The title is kept only when the clerk confirms it is not secret."""

    copies = validators.IntegerField(label="份数", min_value=1, max_value=MAX_COPIES, column=SecretEntry.copies.field)
    copy_numbers = forms.CharField(
        label="份号",
        required=False,
        max_length=2000,
        help_text="按纸质件上印的份号填写，用逗号或空格分隔，如 000012, 000013；不填则按 1 至份数编号",
    )

    class Meta:
        model = SecretEntry
        fields = [
            "source_org",
            "doc_number",
            "secrecy",
            "secrecy_term",
            "copies",
            "copy_numbers",
            "received_at",
            "title_not_secret",
            "title",
            "return_by",
        ]
        widgets = {"received_at": DATETIME, "return_by": DATE}
        help_texts = {
            "title_not_secret": "只有确认标题本身不涉密时才勾选；不勾选时本系统不保存标题，一律显示为「密件」",
            "title": "仅在勾选「标题本身不涉密」后填写",
            "secrecy_term": "按文件标注填写，如：10年、长期",
            "return_by": "须退还（清退）发文机关的日期；逾期未退还的份号每天提醒持有人和办公室",
        }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["secrecy"].choices = StateSecrecy.choices  # no empty choice: a 密件 always has its level
        self.fields["secrecy_term"].required = True
        self.fields["received_at"].initial = timezone.localtime().replace(second=0, microsecond=0)

    def clean(self):
        data = super().clean()
        _in_range(self, "received_at", data.get("received_at"))
        _in_range(self, "return_by", data.get("return_by"))
        title = (data.get("title") or "").strip()
        if data.get("title_not_secret"):
            if not title:
                self.add_error("title", "已确认标题不涉密，请填写标题；否则请取消勾选。")
        elif title:
            self.add_error("title", "未勾选「标题本身不涉密」时不得填写标题：请清空标题，或确认标题不涉密后勾选。")
        data["title"] = title if data.get("title_not_secret") else ""
        copies = data.get("copies")
        if copies and "copy_numbers" not in self.errors:
            numbers = [n for n in re.split(r"[\s,，、;；]+", data.get("copy_numbers") or "") if n]
            if not numbers:
                numbers = [str(n) for n in range(1, copies + 1)]
            if len(numbers) != copies:
                self.add_error("copy_numbers", f"填写了 {len(numbers)} 个份号，与份数 {copies} 不符。")
            elif len(set(numbers)) != len(numbers):
                self.add_error("copy_numbers", "份号有重复。")
            elif any(len(n) > 20 for n in numbers):
                self.add_error("copy_numbers", "份号每个不超过20个字符。")
            data["copy_numbers"] = numbers
        return data


class _PersonField(SafeModelChoiceField):
    def label_from_instance(self, obj):
        title = getattr(getattr(obj, "position", None), "title", "")
        department = obj.department.name if obj.department_id else ""
        extra = title or department
        return f"{obj.full_name}（{extra}）" if extra else obj.full_name


def _people():
    return (
        User.objects.filter(is_active=True, groups__isnull=False)
        .distinct()
        .select_related("position", "department")
        .order_by("position__rank", "pk")
    )


class HandOverForm(StepForm):
    to = _PersonField(label="交给", queryset=User.objects.none(), help_text="对方当面收到纸质件后，须在系统中确认接收")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["to"].queryset = _people().exclude(pk=getattr(self.user, "pk", None))


class InstructionForm(StepForm):
    """纸质批示: who instructed on the paper copy, and when. The text stays on paper."""

    leader = _PersonField(label="批示人", queryset=User.objects.none())
    at = forms.DateTimeField(label="批示时间", widget=DATETIME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["leader"].queryset = holders_of(self.obj, self.user)
        if not self.is_bound:
            self.initial["at"] = timezone.localtime().replace(second=0, microsecond=0)
            if self.obj is not None and self.obj.holder_id:
                self.initial["leader"] = self.obj.holder_id

    def clean_at(self):
        at = self.cleaned_data["at"]
        if not 1949 <= at.year <= 2100:
            raise forms.ValidationError("请填写1949年至2100年之间的时间。")
        if at > timezone.now():
            raise forms.ValidationError("批示时间不能晚于现在。")
        return at


def holders_of(copy, user):
    """The people a 纸质批示 may be recorded for: the holder records their own; the register office anyone who
    held the copy."""
    from .permissions import keeps_register

    if copy is None:
        return User.objects.none()
    if user is not None and not keeps_register(user):
        return User.objects.filter(pk=user.pk)
    held = SecretCopyEvent.objects.filter(copy=copy, kind=SecretCopyEvent.Kind.RECEIVED).values("actor")
    ids = User.objects.filter(pk__in=held)
    if copy.holder_id:
        ids = ids | User.objects.filter(pk=copy.holder_id)
    return ids.distinct().select_related("position", "department")


class ClearForm(StepForm):
    recipient = forms.CharField(label="退交单位及接收人", max_length=120, help_text="如：县委办公室 机要室 王某")
    at = forms.DateTimeField(label="清退时间", widget=DATETIME)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.initial["at"] = timezone.localtime().replace(second=0, microsecond=0)
            if self.obj is not None:
                self.initial["recipient"] = self.obj.entry.source_org

    def clean_at(self):
        at = self.cleaned_data["at"]
        if not 1949 <= at.year <= 2100:
            raise forms.ValidationError("请填写1949年至2100年之间的时间。")
        if at > timezone.now():
            raise forms.ValidationError("清退时间不能晚于现在。")
        return at


class DestroyForm(StepForm):
    witness = _PersonField(
        label="监销人", queryset=User.objects.none(), help_text="销毁须两人在场：监销人须是另一人，并在系统中确认"
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["witness"].queryset = _people()


class SecretFilterForm(forms.Form):
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *SecretEntry.Status.choices])
    year = validators.YearField(label="年度", required=False)
