"""The production URLs plus the two references of the benchmark.

- ``/bench/floor/``: a minimal logged-in view through the same middleware (the framework's floor).
- ``/bench-admin/documents/incomingdocument/``: the Django admin changelist of incoming files, what a
  team would otherwise ship (the production admin deliberately does not register document content).
"""

from django.contrib import admin
from django.http import HttpResponse
from django.shortcuts import render
from django.urls import path

from township_office.urls import urlpatterns as production_patterns


def floor(request):
    """Touches the session and the user like any page does, renders nothing."""
    return HttpResponse(f"ok {request.user.pk}", content_type="text/plain; charset=utf-8")


def floor_layout(request):
    """The same, rendered in the site's layout (navigation with its counts, notifications): what every page pays."""
    return render(request, "base.html", {})


class BenchAdminSite(admin.AdminSite):
    site_header = "基准参照：Django admin"


bench_admin = BenchAdminSite(name="benchadmin")

try:
    from documents.models import IncomingDocument
except ImportError:  # the documents app not installed: no admin reference
    IncomingDocument = None

if IncomingDocument is not None:

    @admin.register(IncomingDocument, site=bench_admin)
    class IncomingDocumentAdmin(admin.ModelAdmin):
        list_display = ["year", "serial", "title", "source_org", "doc_type", "urgency", "status", "registered_by"]
        list_filter = ["status", "urgency", "year"]
        search_fields = ["title", "source_doc_number", "source_org"]
        list_select_related = ["registered_by"]
        list_per_page = 30


urlpatterns = [
    path("bench/floor/", floor, name="bench_floor"),
    path("bench/floor-layout/", floor_layout, name="bench_floor_layout"),
    path("bench-admin/", bench_admin.urls),
    *production_patterns,
]
