from django.urls import path

from . import views

app_name = "visitors"

urlpatterns = [
    path("", views.contact_list, name="contact_list"),
    path("new/", views.contact_register, name="contact_register"),
    path("contacts/<uuid:code>/", views.contact_detail, name="contact_detail"),
    path("contacts/<uuid:code>/reveal/", views.contact_reveal, name="contact_reveal"),
    path("contacts/<uuid:code>/answer/", views.contact_answer, name="contact_answer"),
    path("contacts/<uuid:code>/open-case/", views.contact_open_case, name="contact_open_case"),
    path("contacts/<uuid:code>/form.pdf", views.contact_form_pdf, name="contact_form_pdf"),
    path("cases/", views.case_list, name="case_list"),
    path("cases/<uuid:code>/", views.case_detail, name="case_detail"),
    path("cases/<uuid:code>/accept/", views.case_accept, name="case_accept"),
    path("cases/<uuid:code>/decline/", views.case_decline, name="case_decline"),
    path("cases/<uuid:code>/instruct/", views.case_instruct, name="case_instruct"),
    path("cases/<uuid:code>/progress/", views.case_progress, name="case_progress"),
    path("cases/<uuid:code>/extension/", views.case_extension, name="case_extension"),
    path("cases/<uuid:code>/extension/approve/", views.case_extension_approve, name="case_extension_approve"),
    path("cases/<uuid:code>/report-up/", views.case_report_up, name="case_report_up"),
    path("cases/<uuid:code>/reply/", views.case_reply, name="case_reply"),
    path("cases/<uuid:code>/close/", views.case_close, name="case_close"),
    path("cases/<uuid:code>/review/", views.case_review, name="case_review"),
    path("cases/<uuid:code>/assignment.pdf", views.case_assignment_pdf, name="case_assignment_pdf"),
    path("cases/<uuid:code>/reply.pdf", views.case_reply_pdf, name="case_reply_pdf"),
    path("daily/", views.daily_report, name="daily_report"),
    path("daily/<int:pk>.pdf", views.daily_report_pdf, name="daily_report_pdf"),
]
