from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as BaseUserAdmin
from django.contrib.auth.models import Group

from . import audit
from .models import AuditEvent, Department, IssuerCode, Position, Township, User
from .roles import Role, roles_of

admin.site.unregister(Group)  # roles and departments are managed through people and departments


@admin.register(Township)
class TownshipAdmin(admin.ModelAdmin):
    list_display = ["name", "fonds_code", "office_name"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not Township.objects.exists()

    def has_delete_permission(self, request, obj=None):
        return False


@admin.register(IssuerCode)
class IssuerCodeAdmin(admin.ModelAdmin):
    list_display = ["code", "body", "description", "is_active"]
    list_filter = ["body", "is_active"]


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "archive_code", "phone", "sort_order", "is_active"]
    list_filter = ["kind", "is_active"]
    search_fields = ["name"]

    def has_delete_permission(self, request, obj=None):
        return False  # departments are deactivated, never deleted: records refer to them


class PositionInline(admin.StackedInline):
    model = Position
    can_delete = True
    filter_horizontal = ["in_charge_of"]
    extra = 0


@admin.register(User)
class UserAdmin(BaseUserAdmin):
    list_display = ["username", "full_name", "department", "role_names", "is_active"]
    list_filter = ["is_active", "department"]
    search_fields = ["username", "full_name", "phone"]
    ordering = ["username"]
    inlines = [PositionInline]
    fieldsets = [
        (None, {"fields": ["username", "password"]}),
        ("个人信息", {"fields": ["full_name", "phone", "department"]}),
        ("角色与状态", {"fields": ["groups", "is_active", "is_staff"]}),
        ("时间", {"fields": ["last_login", "date_joined"]}),
    ]
    add_fieldsets = [
        (None, {"classes": ["wide"], "fields": ["username", "full_name", "department", "password1", "password2"]}),
    ]
    filter_horizontal = ["groups"]
    readonly_fields = ["last_login", "date_joined"]

    @admin.display(description="角色")
    def role_names(self, obj):
        return "、".join(Role(r).label for r in sorted(roles_of(obj)))

    def formfield_for_manytomany(self, db_field, request, **kwargs):
        if db_field.name == "groups":
            kwargs["queryset"] = Group.objects.filter(name__in=Role.values).order_by("name")
            kwargs["label"] = "角色"
            kwargs["help_text"] = "一人可兼任多个角色。部门成员资格由“所在部门”决定。"
        return super().formfield_for_manytomany(db_field, request, **kwargs)

    def save_related(self, request, form, formsets, change):
        obj = form.instance
        before = set(roles_of(obj)) if change else set()
        department_group = obj.department.group if obj.department_id else None
        super().save_related(request, form, formsets, change)
        # The groups widget only lists roles: keep the department group membership.
        if department_group is not None:
            obj.groups.add(department_group)
        obj.__dict__.pop("_role_cache", None)
        after = set(obj.groups.filter(name__in=Role.values).values_list("name", flat=True))
        if before != after:
            audit.record(
                "修改人员角色",
                by=request.user,
                obj=obj,
                comment="、".join(Role(r).label for r in sorted(after)) or "无角色",
            )


@admin.register(AuditEvent)
class AuditEventAdmin(admin.ModelAdmin):
    """Read only, and with the audit log page's rule: an event's object text and comment only for a record the
    reader may open (``audit.readable``)."""

    list_display = ["created_at", "actor_name", "action", "kind", "object_code", "object_shown", "from_state"]
    list_display += ["to_state", "client_address"]
    fields = ["created_at", "actor_name", "action", "kind", "object_code", "object_shown", "from_state", "to_state"]
    fields += ["comment_shown", "client_address"]
    readonly_fields = fields

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

    def get_changelist_instance(self, request):
        changelist = super().get_changelist_instance(request)
        changelist.result_list = audit.readable(changelist.result_list, request.user)
        return changelist

    def get_object(self, request, object_id, from_field=None):
        event = super().get_object(request, object_id, from_field)
        return audit.readable([event], request.user)[0] if event is not None else None

    @admin.display(description="对象类型")
    def kind(self, event):
        return event.kind

    @admin.display(description="对象")
    def object_shown(self, event):
        return event.shown_repr

    @admin.display(description="说明")
    def comment_shown(self, event):
        return event.shown_comment
