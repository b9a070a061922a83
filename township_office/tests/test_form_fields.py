"""Every form renders the same accessible way: help and errors tied to their input, groups in fieldsets."""

import pytest
from django import forms
from django.core.exceptions import ValidationError
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


def test_department_picker_groups_by_kind_with_one_tap_buttons(township):
    from township_office.forms import StaffedDepartmentsField, departments_with_accounts
    from township_office.widgets import DepartmentPicker

    class RouteForm(forms.Form):
        departments = StaffedDepartmentsField(
            label="主办部门", queryset=departments_with_accounts(), widget=DepartmentPicker, required=False
        )

    html = str(RouteForm()["departments"])
    assert "全部站所" in html and "全部村（居）" in html and "data-picker-search" in html
    assert html.index("站所室") < html.index("村（居）委会")


def test_staffed_departments_field_names_the_department_without_accounts(township):
    from township_office.forms import StaffedDepartmentsField, departments_with_accounts
    from township_office.models import Department

    empty = Department.objects.create(name="无人站", kind=Department.Kind.STATION)
    field = StaffedDepartmentsField(queryset=departments_with_accounts())
    assert "无人站（无账号）" in [label for _, label in field.choices]
    with pytest.raises(ValidationError, match="无人站 没有可用的用户账号"):
        field.clean([str(empty.pk)])


def test_leader_grid_shows_titles_in_rank_order(township):
    from township_office.roles import LEADERS, role_users
    from township_office.widgets import LeaderGrid

    class InstructForm(forms.Form):
        leaders = forms.ModelMultipleChoiceField(
            queryset=role_users(*LEADERS).select_related("position"), widget=LeaderGrid
        )

    html = str(InstructForm()["leaders"])
    assert 'class="leader-grid"' in html and "<small>" in html


def test_printouts_use_the_installed_fangsong():
    """make installs FandolFang (scripts/install_fangsong.py); the print stylesheet names it before the Song
    fallback, and fontconfig finds it with every GB 2312 character."""
    import subprocess

    from django.contrib.staticfiles import finders

    css = open(finders.find("township_office/css/print.css"), encoding="utf-8").read()
    assert css.index('"FandolFang"') < css.index('"Noto Serif CJK SC"')
    found = subprocess.run(["fc-list", ":family=FandolFang", "file"], capture_output=True, text=True).stdout
    assert "FandolFang-GB2312.ttf" in found
