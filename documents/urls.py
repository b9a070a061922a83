from django.urls import path

from . import paper_views, secret_views, views

app_name = "documents"

urlpatterns = [
    path("", views.incoming_list, name="incoming_list"),
    path("incoming/new/", views.incoming_register, name="incoming_register"),
    path("incoming/phone/", views.incoming_register, {"phone": True}, name="phone_register"),
    path("incoming/circulation/", views.circulation_board, name="circulation_board"),
    path("incoming/<uuid:code>/", views.incoming_detail, name="incoming_detail"),
    path("incoming/<uuid:code>/step/<slug:name>/", views.incoming_step, name="incoming_step"),
    path("incoming/<uuid:code>/slip.pdf", views.incoming_slip, name="incoming_slip"),
    path("incoming/<uuid:code>/attachments/<int:pk>/", views.incoming_attachment, name="incoming_attachment"),
    path("batch/", views.batch_print, name="batch_print"),
    path("batch/<uuid:code>/", views.batch_detail, name="batch_detail"),
    path("batch/<uuid:code>/status/", views.batch_status, name="batch_status"),
    path("batch/<uuid:code>/download/", views.batch_download, name="batch_download"),
    path("outgoing/", views.outgoing_list, name="outgoing_list"),
    path("outgoing/new/", views.outgoing_create, name="outgoing_create"),
    path("received/", views.received_list, name="received_list"),
    path("outgoing/<uuid:code>/", views.outgoing_detail, name="outgoing_detail"),
    path("outgoing/<uuid:code>/step/<slug:name>/", views.outgoing_step, name="outgoing_step"),
    path("outgoing/<uuid:code>/sheet.pdf", views.outgoing_sheet, name="outgoing_sheet"),
    path("outgoing/<uuid:code>/body/", views.outgoing_body, name="outgoing_body"),
    path("outgoing/<uuid:code>/document.pdf", views.outgoing_document, name="outgoing_document"),
    path("outgoing/<uuid:code>/versions/", views.outgoing_versions, name="outgoing_versions"),
    path("outgoing/<uuid:code>/receipt/<int:pk>/", paper_views.receipt_scan, name="outgoing_receipt_scan"),
    path("outgoing/<uuid:code>/countersign/<int:pk>/", paper_views.countersign_scan, name="outgoing_countersign_scan"),
    path("archive/", views.archive_catalogue, name="archive_catalogue"),
    # 密件登记: the paper register of state-secret files
    path("secret/", secret_views.secret_list, name="secret_list"),
    path("secret/new/", secret_views.secret_register, name="secret_register"),
    path("secret/register.pdf", secret_views.secret_print, name="secret_print"),
    path("secret/<uuid:code>/", secret_views.secret_detail, name="secret_detail"),
    path("secret/copies/<uuid:code>/", secret_views.secret_copy, name="secret_copy"),
    path("secret/copies/<uuid:code>/step/<slug:name>/", secret_views.secret_copy_step, name="secret_copy_step"),
]
