from django.urls import path

from . import views

app_name = "reception"

urlpatterns = [
    path("", views.reception_list, name="list"),
    path("new/", views.reception_create, name="create"),
    path("new/check/", views.check_rules, name="check_new"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("totals/", views.totals, name="totals"),
    path("<uuid:code>/", views.reception_detail, name="detail"),
    path("<uuid:code>/edit/", views.reception_edit, name="edit"),
    path("<uuid:code>/check/", views.check_rules, name="check"),
    path("<uuid:code>/step/<slug:name>/", views.reception_step, name="step"),
    path("<uuid:code>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("<uuid:code>/list.pdf", views.list_pdf, name="list_pdf"),
    path("<uuid:code>/letter/", views.letter_scan, name="letter_scan"),
    path("<uuid:code>/invoices/", views.invoices, name="invoices"),
]
