"""The admin site: every change made in the Django admin is an audit event with the fields before and after.

Why our own diff and not django-simple-history or django-auditlog: the configuration lives
in a handful of admin screens (people and their roles, departments, positions, seals, 发文机关代字,
the township), and the audit log already exists, append-only and hash-chained. Taking the
before/after values from the admin's own forms (``form.changed_data`` with ``form.initial``
and ``form.cleaned_data``, the same data Django uses for its change message) puts the events in
that one log, in the same transaction as the change, with no second history table to protect.

``AuditedAdminSite.register`` mixes ``AuditedModelAdmin`` into every ModelAdmin, whichever app
registers it (``seals`` registers the seals), so no app has to remember to opt in. It mixes in
``BoundIntegersModelAdmin`` too: the admin's whole numbers fit their column, like every form's
(``validators.formfield``).
"""

from django import forms
from django.contrib import admin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import models

from . import audit, validators

MAX_COMMENT = 4000


def _display(field, value):
    """A form value as a person reads it."""
    if value is None or value == "" or value == []:
        return "（空）"
    if isinstance(field, forms.ModelMultipleChoiceField):
        pks = [getattr(v, "pk", v) for v in value]
        objects = field.queryset.model._base_manager.filter(pk__in=pks)
        return "、".join(sorted(str(o) for o in objects)) or "（空）"
    if isinstance(field, forms.ModelChoiceField):
        obj = value if isinstance(value, models.Model) else field.queryset.model._base_manager.filter(pk=value).first()
        return str(obj) if obj is not None else "（空）"
    if isinstance(field, forms.BooleanField):
        return "是" if value else "否"
    if isinstance(field, forms.ChoiceField):
        return str(dict(field.choices).get(value, value))
    if hasattr(value, "name") and isinstance(field, forms.FileField):
        return value.name
    return str(value)


def form_changes(form, *, add=False):
    """["字段：旧 → 新", ...] for the fields this form changed (passwords never shown)."""
    lines = []
    for name in form.changed_data:
        field = form.fields.get(name)
        if field is None:
            continue
        label = str(field.label or name)
        if "password" in name:
            lines.append(f"{label}：（已设置）")
            continue
        after = _display(field, form.cleaned_data.get(name))
        if add:
            lines.append(f"{label}：{after}")
            continue
        before = _display(field, form.initial.get(name))
        if before != after:
            lines.append(f"{label}：{before} → {after}")
    return lines


def formset_changes(formsets):
    lines = []
    for formset in formsets or []:
        for form in formset.forms:
            if not getattr(form, "cleaned_data", None) or form not in formset.initial_forms + formset.extra_forms:
                continue
            obj = form.instance
            name = obj._meta.verbose_name
            if form in getattr(formset, "deleted_forms", []):
                lines.append(f"删除{name}“{obj}”")
            elif form.has_changed():
                changes = form_changes(form, add=form not in formset.initial_forms)
                if changes:
                    verb = "新增" if form not in formset.initial_forms else "修改"
                    lines.append(f"{verb}{name}“{obj}”（{'；'.join(changes)}）")
    return lines


class AuditedModelAdmin:
    """Mixed into every ModelAdmin of the site: additions, changes, password resets and deletions."""

    def construct_change_message(self, request, form, formsets, add=False):
        message = super().construct_change_message(request, form, formsets, add)
        if isinstance(form, AdminPasswordChangeForm):
            from .passwords import require_change

            audit.record(
                "系统管理：重置密码", by=request.user, obj=form.user, comment="管理员重设了密码，下次登录须修改"
            )
            require_change(form.user)
            return message
        obj = getattr(form, "instance", None)
        if obj is None or obj.pk is None:
            return message
        lines = form_changes(form, add=add) + formset_changes(formsets)
        if add or lines:
            verb = "新增" if add else "修改"
            comment = f"{obj._meta.verbose_name}：" + "；".join(lines)
            audit.record(f"系统管理：{verb}", by=request.user, obj=obj, comment=comment[:MAX_COMMENT])
        if add and obj._meta.label == "township_office.User":
            from .passwords import require_change

            require_change(obj)  # an administrator chose the first password
        return message

    def log_deletions(self, request, queryset):
        for obj in queryset:
            fields = []
            for field in obj._meta.concrete_fields:
                if field.primary_key or field.name == "password":
                    continue
                value = getattr(obj, field.name, None)
                fields.append(f"{field.verbose_name}：{'（空）' if value in (None, '') else value}")
            comment = f"{obj._meta.verbose_name}：" + "；".join(fields)
            audit.record("系统管理：删除", by=request.user, obj=obj, comment=comment[:MAX_COMMENT])
        return super().log_deletions(request, queryset)


class BoundIntegersModelAdmin:
    """Mixed into every ModelAdmin of the site: a whole number beyond its column is refused beside the field."""

    def formfield_for_dbfield(self, db_field, request, **kwargs):
        if isinstance(db_field, models.IntegerField) and not db_field.choices:
            kwargs.setdefault("form_class", validators.IntegerField)
            kwargs.setdefault("column", db_field)
        return super().formfield_for_dbfield(db_field, request, **kwargs)


class AuditedAdminSite(admin.AdminSite):
    def register(self, model_or_iterable, admin_class=None, **options):
        admin_class = admin_class or admin.ModelAdmin
        mixins = tuple(m for m in (AuditedModelAdmin, BoundIntegersModelAdmin) if not issubclass(admin_class, m))
        if mixins:
            admin_class = type(admin_class.__name__, (*mixins, admin_class), {"__module__": admin_class.__module__})
        return super().register(model_or_iterable, admin_class, **options)
