"""Whole numbers typed into forms fit the column they are stored in (issue 22 §8).

A number beyond the column (份数 2147483648 on PostgreSQL's integer, 9…9 beyond SQLite's 64 bits) reached the
database and answered 500. Every integer field of every form is bound by ``validators.IntegerField`` (declared)
or ``validators.formfield`` (a ModelForm's or ``fields_for_model``'s), with the column's range on every database
the project runs on; the fuzz test (tests/test_fuzz.py) proves the steps' forms on both databases."""

import importlib
import inspect
import pkgutil
from pathlib import Path

import pytest
from django import forms
from django.apps import apps
from django.conf import settings
from django.db import models

from documents.models import IncomingDocument, OutgoingDocument
from seals.models import Seal
from township_office import validators

INT_MAX = 2147483647


def test_a_declared_count_is_bound_by_its_column():
    field = validators.IntegerField(label="印发份数", min_value=1, column=OutgoingDocument.copies.field)
    assert (field.min_value, field.max_value) == (1, INT_MAX)
    assert field.clean(str(INT_MAX)) == INT_MAX
    for value in (str(INT_MAX + 1), "9" * 25, "9" * 5000):
        with pytest.raises(forms.ValidationError) as refused:
            field.clean(value)
        assert "最大" in refused.value.messages[0] or "整数" in refused.value.messages[0]


def test_a_smaller_maximum_is_kept_and_a_larger_one_is_cut_to_the_column():
    assert validators.IntegerField(max_value=500, column=OutgoingDocument.copies.field).max_value == 500
    assert validators.IntegerField(max_value=10**12, column=OutgoingDocument.copies.field).max_value == INT_MAX
    assert validators.IntegerField(column=Seal._meta.get_field("tier")).max_value == 32767  # a small integer
    assert validators.IntegerField().max_value == INT_MAX  # no column named: the narrowest integer column


def test_the_message_is_chinese_and_names_the_limit():
    field = validators.IntegerField(label="份数", min_value=1, column=IncomingDocument.copies.field)
    with pytest.raises(forms.ValidationError) as refused:
        field.clean("2147483648")
    assert refused.value.messages == [f"数值过大：最大为 {INT_MAX}。"]


def test_a_model_forms_integers_get_their_columns_range():
    fields = forms.models.fields_for_model(
        IncomingDocument, fields=["copies", "pages", "title"], formfield_callback=validators.formfield
    )
    assert isinstance(fields["copies"], validators.IntegerField)
    assert (fields["copies"].min_value, fields["copies"].max_value) == (0, INT_MAX)
    assert fields["copies"].label == "份数" and fields["copies"].initial == 1
    assert type(fields["title"]) is forms.CharField


def _project_forms():
    """Every form class defined in the project's apps (their modules, tests and migrations aside)."""
    base = Path(settings.BASE_DIR).resolve()
    found = {}
    for config in apps.get_app_configs():
        path = Path(config.path).resolve()
        # a virtualenv inside the checkout (.venv) holds installed apps too: only the project's own count
        if base not in path.parents or {"tests", "site-packages"} & set(path.relative_to(base).parts):
            continue
        for module_info in pkgutil.walk_packages([str(path)], prefix=f"{config.name}."):
            name = module_info.name
            if ".tests" in name or ".migrations" in name or name.endswith((".wsgi", ".celery", ".settings")):
                continue
            module = importlib.import_module(name)
            for value in vars(module).values():
                if inspect.isclass(value) and issubclass(value, forms.BaseForm) and value.__module__ == name:
                    found[f"{name}.{value.__name__}"] = value
    return found


def _column_max(form_class, name):
    model = getattr(getattr(form_class, "_meta", None), "model", None)
    if model is not None:
        try:
            column = model._meta.get_field(name)
        except Exception:  # a declared field that is no column of the model
            column = None
        if isinstance(column, models.IntegerField):
            return validators.column_range(column)[1]
    return INT_MAX


def test_every_integer_field_of_every_form_fits_its_column():
    forms_found = _project_forms()
    assert "documents.forms.IssueForm" in forms_found and "seals.forms.StampForm" in forms_found  # the walk works
    unbound = []
    for label, form_class in sorted(forms_found.items()):
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField):
                if field.max_value is None or field.max_value > _column_max(form_class, name):
                    unbound.append(f"{label}.{name} (max_value={field.max_value})")
    assert not unbound, "integer fields without a max_value that fits the column:\n" + "\n".join(unbound)


def test_every_integer_field_of_the_admin_fits_its_column(rf, township):
    """The admin's forms too (排序, 容纳人数): built by each ModelAdmin, given the same field by the admin site."""
    from django.contrib import admin

    from township_office.models import User

    request = rf.get("/admin/")
    request.user = User(is_superuser=True, is_staff=True)
    unbound, seen = [], 0
    for model, model_admin in admin.site._registry.items():
        form_class = model_admin.get_form(request)
        for name, field in form_class.base_fields.items():
            if isinstance(field, forms.IntegerField) and not isinstance(field, forms.DecimalField | forms.FloatField):
                seen += 1
                column = model._meta.get_field(name)
                if field.max_value is None or field.max_value > validators.column_range(column)[1]:
                    unbound.append(f"{model._meta.label}.{name} (max_value={field.max_value})")
    assert seen >= 3  # 排序 of departments and positions, 容纳人数 of meeting rooms
    assert not unbound, "admin integer fields without a max_value that fits the column:\n" + "\n".join(unbound)
