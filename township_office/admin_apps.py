from django.contrib.admin.apps import AdminConfig as BaseAdminConfig


class AdminConfig(BaseAdminConfig):
    """``django.contrib.admin`` whose ``admin.site`` audits every change (township_office/admin_site.py)."""

    default_site = "township_office.admin_site.AuditedAdminSite"
