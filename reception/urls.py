from django.urls import path

from . import views

app_name = "reception"

urlpatterns = [
    path("", views.reception_list, name="list"),
    path("new/", views.reception_create, name="create"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("totals/", views.totals, name="totals"),
    path("<uuid:code>/", views.reception_detail, name="detail"),
    path("<uuid:code>/edit/", views.reception_edit, name="edit"),
    path("<uuid:code>/submit/", views.reception_submit, name="submit"),
    path("<uuid:code>/approve/", views.reception_approve, name="approve"),
    path("<uuid:code>/send-back/", views.reception_send_back, name="send_back"),
    path("<uuid:code>/cancel/", views.reception_cancel, name="cancel"),
    path("<uuid:code>/close/", views.reception_close, name="close"),
    path("<uuid:code>/materials/<int:pk>/done/", views.material_done, name="material_done"),
    path("<uuid:code>/checklist/", views.checklist_add, name="checklist_add"),
    path("<uuid:code>/checklist/<int:pk>/", views.checklist_tick, name="checklist_tick"),
    path("<uuid:code>/plan.pdf", views.plan_pdf, name="plan_pdf"),
    path("<uuid:code>/list.pdf", views.list_pdf, name="list_pdf"),
    path("<uuid:code>/letter/", views.letter_scan, name="letter_scan"),
]
