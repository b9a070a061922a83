"""申请用印 of a numbered 发文: the seals and the copies; the file is the issued document itself."""

from django import forms

from township_office import validators
from township_office.steps import StepForm

from .models import OutgoingDocument


class SealRequestForm(StepForm):
    seals = forms.TypedMultipleChoiceField(label="印章", coerce=int, widget=forms.CheckboxSelectMultiple)
    copies = validators.IntegerField(label="用印份数", min_value=1, column=OutgoingDocument.copies.field)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        from .workflow.outgoing_steps import _seals_api

        api = _seals_api()
        rows = api.document_seals() if api is not None and hasattr(api, "document_seals") else []
        self.fields["seals"].choices = [(pk, name) for pk, name, _ in rows]
        body = self.obj.issuer_code.body if self.obj is not None else None
        kind = getattr(api, "DOCUMENT_SEAL_KINDS", {}).get(body)
        self.fields["seals"].initial = [pk for pk, _, k in rows if k == kind]
        self.fields[
            "seals"
        ].help_text = "待用印文件即本文编号后的正式文件（PDF），不需上传；签发领导可审批的级别视为已批准。"
