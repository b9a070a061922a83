from django.urls import path

from . import views

app_name = "documents"

urlpatterns = [
    path("", views.incoming_list, name="incoming_list"),
    path("incoming/new/", views.incoming_register, name="incoming_register"),
    path("incoming/phone/", views.incoming_register, {"phone": True}, name="phone_register"),
    path("incoming/circulation/", views.circulation_board, name="circulation_board"),
    path("incoming/<uuid:code>/", views.incoming_detail, name="incoming_detail"),
    path("incoming/<uuid:code>/return/", views.incoming_return, name="incoming_return"),
    path("incoming/<uuid:code>/propose/", views.incoming_propose, name="incoming_propose"),
    path("incoming/<uuid:code>/instruct/", views.incoming_instruct, name="incoming_instruct"),
    path("incoming/<uuid:code>/read/", views.incoming_read, name="incoming_read"),
    path("incoming/<uuid:code>/progress/", views.incoming_progress, name="incoming_progress"),
    path("incoming/<uuid:code>/complete/", views.incoming_complete, name="incoming_complete"),
    path("incoming/<uuid:code>/chase/", views.incoming_chase, name="incoming_chase"),
    path("incoming/<uuid:code>/archive/", views.incoming_archive, name="incoming_archive"),
    path("incoming/<uuid:code>/slip.pdf", views.incoming_slip, name="incoming_slip"),
    path("incoming/<uuid:code>/attachments/<int:pk>/", views.incoming_attachment, name="incoming_attachment"),
    path("batch/", views.batch_print, name="batch_print"),
    path("batch/<uuid:code>/", views.batch_detail, name="batch_detail"),
    path("batch/<uuid:code>/status/", views.batch_status, name="batch_status"),
    path("batch/<uuid:code>/download/", views.batch_download, name="batch_download"),
    path("outgoing/", views.outgoing_list, name="outgoing_list"),
    path("outgoing/new/", views.outgoing_create, name="outgoing_create"),
    path("outgoing/<uuid:code>/", views.outgoing_detail, name="outgoing_detail"),
    path("outgoing/<uuid:code>/review/", views.outgoing_review, name="outgoing_review"),
    path("outgoing/<uuid:code>/check/", views.outgoing_check, name="outgoing_check"),
    path("outgoing/<uuid:code>/countersign/", views.outgoing_countersign, name="outgoing_countersign"),
    path("outgoing/<uuid:code>/sign-off/", views.outgoing_sign_off, name="outgoing_sign_off"),
    path("outgoing/<uuid:code>/recheck/", views.outgoing_recheck, name="outgoing_recheck"),
    path("outgoing/<uuid:code>/number/", views.outgoing_number, name="outgoing_number"),
    path("outgoing/<uuid:code>/seal/", views.outgoing_seal, name="outgoing_seal"),
    path("outgoing/<uuid:code>/issue/", views.outgoing_issue, name="outgoing_issue"),
    path("outgoing/<uuid:code>/archive/", views.outgoing_archive, name="outgoing_archive"),
    path("outgoing/<uuid:code>/resubmit/", views.outgoing_resubmit, name="outgoing_resubmit"),
    path("outgoing/<uuid:code>/sheet.pdf", views.outgoing_sheet, name="outgoing_sheet"),
    path("outgoing/<uuid:code>/body/", views.outgoing_body, name="outgoing_body"),
    path("archive/", views.archive_catalogue, name="archive_catalogue"),
]
