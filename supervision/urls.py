from django.urls import path

from . import views

app_name = "supervision"

urlpatterns = [
    path("", views.item_list, name="list"),
    path("board/", views.board, name="board"),
    path("new/", views.item_create, name="create"),
    path("new/from/", views.item_create_from, name="create_from"),
    path("monthly/", views.monthly, name="monthly"),
    path("monthly.pdf", views.monthly_pdf, name="monthly_pdf"),
    path("<uuid:code>/", views.item_detail, name="detail"),
    path("<uuid:code>/step/<slug:name>/", views.item_step, name="step"),
    path("<uuid:code>/feedback/<int:pk>/", views.feedback_attachment, name="feedback_attachment"),
    path("<uuid:code>/result/", views.result_file, name="result_file"),
]
