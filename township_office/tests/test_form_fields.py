"""Every form renders the same accessible way: help and errors tied to their input, groups in fieldsets."""

from django import forms
from django.template.loader import render_to_string


class SampleForm(forms.Form):
    deadline = forms.DateField(label="办理时限", help_text="按信访条例不超过60日")
    mode = forms.ChoiceField(label="传阅方式", choices=[("a", "依次"), ("b", "同时")], widget=forms.RadioSelect)


def test_help_and_error_are_described_by_and_groups_are_fieldsets():
    form = SampleForm({"deadline": "不是日期", "mode": "a"}, prefix="accept")
    html = render_to_string("includes/form_fields.html", {"form": form})
    assert 'aria-describedby="id_accept-deadline_helptext id_accept-deadline_error"' in html
    assert 'id="id_accept-deadline_helptext"' in html and 'id="id_accept-deadline_error"' in html
    assert 'aria-invalid="true"' in html
    assert "<legend>传阅方式</legend>" in html and "<fieldset" in html
    assert "{#" not in html and "<id>" not in html


def test_base_layout_asks_dual_engine_browsers_for_webkit(client_for, clerk):
    page = client_for(clerk).get("/todo/").content.decode()
    assert '<meta name="renderer" content="webkit">' in page
