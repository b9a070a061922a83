"""Form fields for the filters of lists and reports (``?year=``, ``?month=``, ``?date=``, ``?q=``), and the
whole numbers every form stores (``IntegerField``, ``formfield``).

A filter is a form bound to ``request.GET``: a bad value gives a Chinese message beside the field and a
400, never a 500 (``9999-12-31`` turned into a datetime range, ``?year=99999``) and never a silently
ignored filter (``?year=abc``). The bounds are the years a township office has records for.

    class TotalsFilter(forms.Form):
        year = validators.YearField(required=False)

    form = TotalsFilter(request.GET)
    if not form.is_valid():
        return render(request, "…", {"form": form}, status=400)
"""

import re
from datetime import date

from django import forms
from django.db import connections, models
from django.db.backends.base.operations import BaseDatabaseOperations

from . import search

FIRST_YEAR = 1949
LAST_YEAR = 2100
YEAR_MESSAGE = f"请填写 {FIRST_YEAR}–{LAST_YEAR} 之间的四位年份，如 2026。"


def _in_range(day, field):
    if not FIRST_YEAR <= day.year <= LAST_YEAR:
        raise forms.ValidationError(f"{field}应在 {FIRST_YEAR} 年至 {LAST_YEAR} 年之间。", code="out_of_range")
    return day


class YearField(forms.IntegerField):
    """A four-digit year between FIRST_YEAR and LAST_YEAR (ASCII digits; full-width ones are read as such)."""

    default_error_messages = {"invalid": YEAR_MESSAGE, "min_value": YEAR_MESSAGE, "max_value": YEAR_MESSAGE}

    def __init__(self, **kwargs):
        kwargs.setdefault("min_value", FIRST_YEAR)
        kwargs.setdefault("max_value", LAST_YEAR)
        super().__init__(**kwargs)

    def to_python(self, value):
        if isinstance(value, str):
            value = value.strip()
            if len(value) > 8:
                raise forms.ValidationError(YEAR_MESSAGE, code="invalid")
        return super().to_python(value)


class MonthField(forms.CharField):
    """A month typed ``2026-11`` (or ``2026-1``) → the date of its first day, within the year bounds."""

    MESSAGE = "请按“2026-11”的格式填写年月。"

    def __init__(self, **kwargs):
        kwargs.setdefault("max_length", 10)
        super().__init__(**kwargs)

    def clean(self, value):
        value = super().clean(value)
        if value in self.empty_values:
            return None
        match = re.fullmatch(r"([0-9]{4})-([0-9]{1,2})", value)
        if not match or not 1 <= int(match[2]) <= 12:
            raise forms.ValidationError(self.MESSAGE, code="invalid")
        return _in_range(date(int(match[1]), int(match[2]), 1), "年月")


class DayField(forms.DateField):
    """A date (``2026-11-26``) within the year bounds: ``0001-01-01`` and ``9999-12-31`` are refused."""

    default_error_messages = {"invalid": "请按“2026-11-26”的格式填写日期。"}

    def to_python(self, value):
        if isinstance(value, str) and len(value) > 30:
            raise forms.ValidationError(self.error_messages["invalid"], code="invalid")
        day = super().to_python(value)
        return None if day is None else _in_range(day, "日期")


class SearchField(forms.CharField):
    """Search words: control characters (a NUL byte) are removed rather than refused, long text is cut."""

    def __init__(self, **kwargs):
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", "搜索")
        super().__init__(**kwargs)
        self.validators = [v for v in self.validators if type(v).__name__ != "ProhibitNullCharactersValidator"]

    def to_python(self, value):
        return search.clean(super().to_python(value))


def _valid_key(queryset, to_field_name, value):
    """False when ``value`` cannot be a key of ``queryset``'s model: a number field's value that is not ASCII
    digits, or beyond the database's integer range (SQLite raises OverflowError, PostgreSQL an error)."""
    model = queryset.model
    field = model._meta.get_field(to_field_name) if to_field_name else model._meta.pk
    if not isinstance(field, (models.IntegerField, models.AutoField)):
        return True
    text = str(value).strip()
    if not text.isascii() or not text.lstrip("-").isdigit() or len(text) > 20:
        return False
    low, high = connections[queryset.db].ops.integer_field_range(field.get_internal_type())
    return (low is None or int(text) >= low) and (high is None or int(text) <= high)


class ModelChoiceField(forms.ModelChoiceField):
    """``forms.ModelChoiceField`` that refuses a key no row can have (``99999999999999999999``, ``abc``) with
    its usual message, instead of a database error (a 500 on SQLite and PostgreSQL)."""

    def to_python(self, value):
        if value not in self.empty_values and not _valid_key(self.queryset, self.to_field_name, value):
            raise forms.ValidationError(self.error_messages["invalid_choice"], code="invalid_choice")
        return super().to_python(value)


class ModelMultipleChoiceField(forms.ModelMultipleChoiceField):
    """``forms.ModelMultipleChoiceField`` with the same guard as :class:`ModelChoiceField` for every value. In a
    ModelForm: ``Meta.field_classes = {"countersign_departments": validators.ModelMultipleChoiceField}``."""

    def _check_values(self, value):
        for key in value if isinstance(value, list | tuple | set) else [value]:
            if not _valid_key(self.queryset, self.to_field_name, key):
                raise forms.ValidationError(
                    self.error_messages["invalid_pk_value"], code="invalid_pk_value", params={"pk": key}
                )
        return super()._check_values(value)


# --- Whole numbers a form stores in an integer column -------------------------------------------------------
# A count typed into a form (印发份数, 页数, 人数) must fit the column it is stored in: a number beyond it reached
# the database and answered 500 (SQLite cannot bind more than 64 bits, PostgreSQL refuses beyond its integer).


def column_range(model_field):
    """(lowest, highest) value of ``model_field``'s column on every database the project runs on: Django's ranges
    for PostgreSQL, whose integer is the narrowest (SQLite keeps 64 bits in any integer column, and a value only
    SQLite took would not survive a move to PostgreSQL)."""
    return BaseDatabaseOperations.integer_field_ranges[model_field.get_internal_type()]


class IntegerField(forms.IntegerField):
    """A whole number bound by its column: ``column=OutgoingDocument.copies.field``; without one, the narrowest
    integer column (``models.IntegerField``). A ``max_value`` beyond the column is cut to it, a smaller one kept
    (``max_value=500``); likewise ``min_value``. Too large a number is refused beside the field with the limit."""

    def __init__(self, *, column=None, **kwargs):
        low, high = column_range(column if column is not None else models.IntegerField())
        given = kwargs.get("max_value")
        kwargs["max_value"] = high if given is None else min(given, high)
        given = kwargs.get("min_value")
        kwargs["min_value"] = low if given is None else max(given, low)
        super().__init__(**kwargs)
        self.error_messages["max_value"] = f"数值过大：最大为 {self.max_value}。"

    def to_python(self, value):
        if isinstance(value, str) and len(value.strip()) > 30:  # no column holds it: refused before converting
            raise forms.ValidationError(self.error_messages["max_value"], code="max_value")
        return super().to_python(value)


def formfield(model_field, **kwargs):
    """The form field of ``model_field`` with its integers bound by their column: a ModelForm's
    ``Meta.formfield_callback`` and ``fields_for_model(..., formfield_callback=validators.formfield)``."""
    if isinstance(model_field, models.IntegerField) and not model_field.choices:
        kwargs.setdefault("form_class", IntegerField)
        kwargs.setdefault("column", model_field)
    return model_field.formfield(**kwargs)
