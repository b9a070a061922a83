from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from . import health, preview_views, views

core_patterns = [
    path("", views.home, name="home"),
    path("todo/", views.todo_page, name="todo"),
    path("work/<int:pk>/reassign/", views.work_item_reassign, name="work_item_reassign"),
    path("notifications/", views.notification_list, name="notifications"),
    path("notifications/<int:pk>/", views.notification_open, name="notification_open"),
    path("notifications/read-all/", views.notifications_mark_all_read, name="notifications_read_all"),
    path("audit/", views.audit_log, name="audit_log"),
    path("phrases/", views.my_phrases, name="my_phrases"),
    path("preview/<slug:kind>/<str:ref>/", preview_views.viewer, name="preview"),
    path("preview/<slug:kind>/<str:ref>/page/<int:number>.png", preview_views.page, name="preview_page"),
]

urlpatterns = [
    path("", include((core_patterns, "township_office"))),
    path("healthz", health.healthz),
    path("favicon.ico", views.favicon),
    path("accounts/login/", auth_views.LoginView.as_view(redirect_authenticated_user=True), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path("accounts/password/", auth_views.PasswordChangeView.as_view(), name="password_change"),
    path("accounts/password/done/", auth_views.PasswordChangeDoneView.as_view(), name="password_change_done"),
    path("admin/", admin.site.urls),
    path("documents/", include("documents.urls")),
    path("visitors/", include("visitors.urls")),
    path("seals/", include("seals.urls")),
    path("reception/", include("reception.urls")),
    path("supervision/", include("supervision.urls")),
]

admin.site.site_header = "乡镇党政办公室系统管理"
admin.site.site_title = "系统管理"
admin.site.index_title = "组织、人员与设置"
