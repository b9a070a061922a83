from django.urls import path

from tests.testapp import views
from township_office.urls import urlpatterns as project_urlpatterns

urlpatterns = [
    *project_urlpatterns,
    path("testapp/", views.dossier_list, name="dossier_list"),
    path("testapp/<uuid:code>/", views.dossier_detail, name="dossier_detail"),
    path("testapp/<uuid:code>/step/<slug:name>/", views.dossier_step, name="dossier_step"),
]
