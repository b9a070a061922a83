from django import forms

from township_office.uploads import validate_upload

from .models import IntroductionLetter, Seal, SealRequest

DATETIME = forms.DateTimeInput(attrs={"type": "datetime-local"}, format="%Y-%m-%dT%H:%M")


class SealRequestForm(forms.ModelForm):
    seals = forms.ModelMultipleChoiceField(
        label="印章", queryset=Seal.objects.none(), widget=forms.CheckboxSelectMultiple
    )
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
        help_texts = {"document": "上传需要盖章的文件（PDF、Word、Excel、图片或 OFD），其指纹与审批绑定"}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["seals"].queryset = Seal.objects.filter(status=Seal.Status.IN_USE)
        self.fields["document"].required = True

    def clean_document(self):
        document = self.cleaned_data["document"]
        validate_upload(document, kinds=("pdf", "word", "excel", "image", "ofd"))
        return document

    def clean_copies(self):
        copies = self.cleaned_data["copies"]
        if copies < 1:
            raise forms.ValidationError("用印份数至少为 1。")
        return copies


class DecisionForm(forms.Form):
    decision = forms.ChoiceField(
        label="审批", choices=[("approve", "同意"), ("reject", "不同意")], widget=forms.RadioSelect, initial="approve"
    )
    comment = forms.CharField(label="意见", required=False, widget=forms.Textarea(attrs={"rows": 2}))


class StampForm(forms.Form):
    seal = forms.ModelChoiceField(label="印章", queryset=Seal.objects.none())
    copies = forms.IntegerField(label="本次用印份数", min_value=1)

    def __init__(self, *args, request=None, user=None, **kwargs):
        super().__init__(*args, **kwargs)
        if request is not None:
            from .workflow import stamped_per_seal

            done = stamped_per_seal(request)
            open_seals = [pk for pk in request.seals.values_list("pk", flat=True) if done.get(pk, 0) < request.copies]
            self.fields["seal"].queryset = request.seals.filter(custodians=user, pk__in=open_seals)
            self.fields["copies"].initial = request.copies - max((done.get(pk, 0) for pk in open_seals), default=0)


class LetterForm(forms.ModelForm):
    class Meta:
        model = IntroductionLetter
        fields = ["recipient_unit", "persons", "person_count", "purpose", "valid_days"]


class VoidForm(forms.Form):
    reason = forms.CharField(label="作废原因", max_length=200)


class RequestFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "文件名称、致送单位"})
    )
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *SealRequest.Status.choices])


class LetterFilterForm(forms.Form):
    q = forms.CharField(
        label="搜索", required=False, widget=forms.TextInput(attrs={"placeholder": "前往单位、被介绍人、事项、编号"})
    )
    status = forms.ChoiceField(label="状态", required=False, choices=[("", "全部"), *IntroductionLetter.Status.choices])
