"""Filter fields: bad values give a Chinese message (a 400 in the page), never a 500 or a silently ignored filter."""

from datetime import date

import pytest
from django import forms

from township_office import validators


class Filter(forms.Form):
    year = validators.YearField(required=False)
    month = validators.MonthField(required=False)
    day = validators.DayField(required=False)
    q = validators.SearchField()


@pytest.mark.parametrize(
    "params,field",
    [
        ({"year": "abc"}, "year"),
        ({"year": "0"}, "year"),
        ({"year": "99999"}, "year"),
        ({"year": "9" * 400}, "year"),
        ({"year": "-2026"}, "year"),
        ({"month": "9999-12"}, "month"),
        ({"month": "1-1"}, "month"),
        ({"month": "2026-13"}, "month"),
        ({"month": "2026-11\x00"}, "month"),
        ({"day": "9999-12-31"}, "day"),
        ({"day": "0001-01-01"}, "day"),
        ({"day": "2026-02-30"}, "day"),
        ({"day": "x" * 1000}, "day"),
    ],
)
def test_bad_values_are_refused_with_a_chinese_message(params, field):
    form = Filter(params)
    assert not form.is_valid()
    message = form.errors[field][0]
    assert any("\u4e00" <= ch <= "\u9fff" for ch in message), message


def test_good_values():
    form = Filter({"year": "2026", "month": "2026-1", "day": "2026-11-26", "q": " 防汛\x00抗旱\t通知 "})
    assert form.is_valid(), form.errors
    assert form.cleaned_data == {
        "year": 2026,
        "month": date(2026, 1, 1),
        "day": date(2026, 11, 26),
        "q": "防汛抗旱 通知",
    }


def test_empty_filters_are_none():
    form = Filter({})
    assert form.is_valid()
    assert form.cleaned_data == {"year": None, "month": None, "day": None, "q": ""}


@pytest.mark.parametrize("value", ["9" * 25, str(2**63), "abc", "١٢", "-" + "9" * 30, "1.5"])
def test_model_choice_fields_refuse_keys_no_row_can_have(township, value):
    from township_office.models import Department

    single = validators.ModelChoiceField(queryset=Department.objects.all())
    multiple = validators.ModelMultipleChoiceField(queryset=Department.objects.all())
    with pytest.raises(forms.ValidationError):
        single.clean(value)
    with pytest.raises(forms.ValidationError):
        multiple.clean([value])


def test_model_choice_fields_accept_real_rows(township):
    from township_office.models import Department

    department = Department.objects.first()
    assert validators.ModelChoiceField(queryset=Department.objects.all()).clean(str(department.pk)) == department
    chosen = validators.ModelMultipleChoiceField(queryset=Department.objects.all()).clean([str(department.pk)])
    assert list(chosen) == [department]
