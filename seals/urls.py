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
    path("letters/<uuid:code>/step/<slug:name>/", views.letter_step, name="letter_step"),
    path("letters/<uuid:code>/letter.pdf", views.letter_pdf, name="letter_pdf"),
    path("<uuid:code>/", views.request_detail, name="request_detail"),
    path("<uuid:code>/step/<slug:name>/", views.request_step, name="request_step"),
    path("<uuid:code>/form.pdf", views.request_form_pdf, name="request_form_pdf"),
    path("<uuid:code>/document/", views.request_document, name="request_document"),
]
