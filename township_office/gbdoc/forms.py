"""Form fields for composing a 公文: the 正文 typed (checked as :func:`~township_office.gbdoc.parse_body` does)
and a .docx to import (:func:`~township_office.gbdoc.read_docx`). Their errors show beside the field; the typed text
comes back in the textarea as it was."""

from django import forms

from .body import body_text, parse_body, read_docx


class BodyField(forms.CharField):
    """The 正文, one paragraph a line; cleans to ``list[Block]`` (empty when not required and left blank)."""

    widget = forms.Textarea

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "正文")
        kwargs.setdefault(
            "help_text", "每段一行。层次序号依次用「一、」「（一）」「1.」「（1）」，一级标题用黑体、二级用楷体排版。"
        )
        super().__init__(strip=False, **kwargs)

    def prepare_value(self, value):
        if isinstance(value, list):  # initial blocks, shown as text
            return body_text(value)
        return value

    def to_python(self, value):
        text = super().to_python(value)
        return parse_body(text) if text.strip() else []

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError(self.error_messages["required"], code="required")


class DocxField(forms.FileField):
    """A Word file (.docx) to import; cleans to an :class:`~township_office.gbdoc.ImportedBody` whose ``file`` is
    the upload (to keep as 原稿), or None when none was given."""

    def __init__(self, **kwargs):
        kwargs.setdefault("label", "导入 Word 文档")
        kwargs.setdefault("help_text", "仅限 .docx；旧版 .doc/.wps 请先另存为 .docx。")
        kwargs.setdefault("required", False)
        super().__init__(**kwargs)
        self.widget.attrs.setdefault(
            "accept", ".docx,application/vnd.openxmlformats-officedocument.wordprocessingml.document"
        )

    def clean(self, data, initial=None):
        upload = super().clean(data, initial)
        if not upload:
            return None
        imported = read_docx(upload)
        imported.file = upload
        return imported
