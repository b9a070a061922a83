from django.urls import path

from . import views

app_name = "visitors"

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("new/", views.contact_register, name="contact_register"),
    path("new/letter/", views.letter_register, name="letter_register"),
    path("contacts/<uuid:code>/", views.contact_detail, name="contact_detail"),
    path("contacts/<uuid:code>/edit/", views.contact_edit, name="contact_edit"),
    path("contacts/<uuid:code>/step/<slug:name>/", views.contact_step, name="contact_step"),
    path("contacts/<uuid:code>/letter/", views.contact_letter_scan, name="contact_letter_scan"),
    path("contacts/<uuid:code>/reveal/", views.contact_reveal, name="contact_reveal"),
    path("contacts/<uuid:code>/form.pdf", views.contact_form_pdf, name="contact_form_pdf"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:code>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:code>/step/<slug:name>/", views.case_step, name="case_step"),
    path("cases/<uuid:code>/assignment.pdf", views.case_assignment_pdf, name="case_assignment_pdf"),
    path("cases/<uuid:code>/reply.pdf", views.case_reply_pdf, name="case_reply_pdf"),
    path("daily/", views.daily_report, name="daily_report"),
    path("daily/generate/", views.daily_report_generate, name="daily_report_generate"),
    path("daily/<int:pk>.pdf", views.daily_report_pdf, name="daily_report_pdf"),
]
