from django.apps import AppConfig
from django.db.models.signals import post_migrate


class TownshipOfficeConfig(AppConfig):
    name = "township_office"
    verbose_name = "组织与权限"
    default_auto_field = "django.db.models.BigAutoField"

    def ready(self):
        from django.db.models.signals import post_save
        from django.utils.module_loading import autodiscover_modules

        from . import navigation, passwords
        from .context_processors import _forget_township_names
        from .models import Township
        from .permissions import load_permission_ids
        from .roles import Role, sync_role_permissions

        post_migrate.connect(sync_role_permissions, dispatch_uid="township_office.sync_role_permissions")
        post_migrate.connect(load_permission_ids, dispatch_uid="township_office.load_permission_ids")
        passwords.connect()  # the sign-in check of forced password changes
        navigation.register("我的待办", "township_office:todo", Role.values, order=0)
        navigation.register("审计日志", "township_office:audit_log", [Role.AUDITOR], order=900)
        navigation.register("系统管理", "admin:index", [Role.SYSTEM_ADMIN], order=910)
        post_save.connect(_forget_township_names, sender=Township, dispatch_uid="township_office.township_names")
        autodiscover_modules("todo")
        autodiscover_modules("workflow")  # every Flow is declared once the apps are ready (steps.flows())
        autodiscover_modules("previews")  # <app>/previews.py: preview.register(kind, resolve)
