from django import forms
from django.contrib import admin

from township_office import audit

from .models import Seal, SealStatusChange


class SealAdminForm(forms.ModelForm):
    status_reason = forms.CharField(
        label="状态变更原因", required=False, max_length=200, help_text="改变状态（停用、遗失、销毁、恢复在用）时必填"
    )

    class Meta:
        model = Seal
        fields = ["name", "kind", "tier", "department", "custodians", "status"]

    def clean(self):
        data = super().clean()
        if self.instance.pk and data.get("status") != self.instance.status and not data.get("status_reason"):
            self.add_error("status_reason", "改变印章状态必须填写原因。")
        return data


class StatusChangeInline(admin.TabularInline):
    model = SealStatusChange
    extra = 0
    can_delete = False
    readonly_fields = ["from_status", "to_status", "reason", "changed_on", "changed_by"]

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(Seal)
class SealAdmin(admin.ModelAdmin):
    form = SealAdminForm
    list_display = ["name", "kind", "tier", "status", "department"]
    list_filter = ["status", "tier", "kind"]
    filter_horizontal = ["custodians"]
    inlines = [StatusChangeInline]

    def has_delete_permission(self, request, obj=None):
        return False  # a seal is disabled or destroyed, never deleted: the register refers to it

    def save_model(self, request, obj, form, change):
        previous = Seal.objects.filter(pk=obj.pk).values_list("status", flat=True).first() if change else None
        super().save_model(request, obj, form, change)
        if previous and previous != obj.status:
            SealStatusChange.objects.create(
                seal=obj,
                from_status=previous,
                to_status=obj.status,
                reason=form.cleaned_data["status_reason"],
                changed_by=request.user,
            )
            audit.record(
                "印章状态变更",
                by=request.user,
                obj=obj,
                from_state=previous,
                to_state=obj.status,
                comment=form.cleaned_data["status_reason"],
            )
