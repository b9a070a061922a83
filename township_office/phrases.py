"""常用批示语: the office's phrases, then each person's own (``User.phrases``, kept on 我的常用批示语), put into a
批示 or an opinion with one tap (static/township_office/js/phrases.js)."""

from django import forms
from django.conf import settings

from .steps import StepForm
from .widgets import PhraseTextarea

# The office's defaults for a 批示 (收文, 信访事项); ``settings.INSTRUCTION_PHRASES`` replaces them.
INSTRUCTION_PHRASES = ("同意", "已阅", "请×××阅处", "按程序办理")


def instruction_phrases():
    return tuple(getattr(settings, "INSTRUCTION_PHRASES", INSTRUCTION_PHRASES))


def offered(office, user):
    """The office's phrases, then the person's own that are not among them."""
    own = [p for p in (getattr(user, "phrases", None) or []) if p not in office]
    return (*office, *own)


# The office's defaults for an approval opinion (用印, 介绍信, 接待 审批): approving without typing is 同意 anyway.
APPROVAL_PHRASES = ("同意", "按程序办理")


class PhraseStepForm(StepForm):
    """A step form whose ``phrase_field`` (a PhraseTextarea, ``text`` by default) offers ``office_phrases`` (the
    批示 ones, read from the settings, when None) and the person's own."""

    phrase_field = "text"
    office_phrases = None

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        office = instruction_phrases() if self.office_phrases is None else self.office_phrases
        self.fields[self.phrase_field].widget.phrases = offered(office, self.user)


def instruction_field(**kwargs):
    """The 批示内容 box with the phrases above it."""
    return forms.CharField(label="批示内容", widget=PhraseTextarea(attrs={"rows": 4}), **kwargs)
