from django.urls import path

from . import views

app_name = "seals"

urlpatterns = [
    path("", views.request_list, name="request_list"),
    path("new/", views.request_create, name="request_create"),
    path("register/", views.register, name="register"),
    path("letters/", views.letter_list, name="letter_list"),
    path("letters/new/", views.letter_create, name="letter_create"),
    path("letters/<uuid:code>/", views.letter_detail, name="letter_detail"),
    path("letters/<uuid:code>/decide/", views.letter_decide, name="letter_decide"),
    path("letters/<uuid:code>/void/", views.letter_void, name="letter_void"),
    path("letters/<uuid:code>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<uuid:code>/", views.request_detail, name="request_detail"),
    path("<uuid:code>/approve/", views.request_decide, name="request_decide"),
    path("<uuid:code>/stamp/", views.request_stamp, name="request_stamp"),
    path("<uuid:code>/take-out/", views.request_take_out, name="request_take_out"),
    path("<uuid:code>/return/", views.request_return, name="request_return"),
    path("<uuid:code>/form.pdf", views.request_form_pdf, name="request_form_pdf"),
    path("<uuid:code>/document/", views.request_document, name="request_document"),
]
