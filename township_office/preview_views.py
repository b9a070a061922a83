"""The preview endpoints: the viewer fragment and one page image, both through the app's access function."""

from django.http import FileResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET
from django.views.decorators.vary import vary_on_headers

from . import preview


@require_GET
@vary_on_headers("X-Preview-Fragment")
def viewer(request, kind, ref):
    """The viewer as an HTML fragment: the page polls it while a conversion runs, and loads it to switch files.
    Opened as a page (a link followed without JavaScript), the same viewer in the site layout."""
    context = preview.viewer_context(request.user, kind, ref)
    if context["preview"].record_read and not request.GET.get("poll"):
        context["preview"].record_read()
    if request.headers.get("X-Preview-Fragment"):
        return render(request, "includes/preview_viewer.html", context)
    return render(request, "township_office/preview_page.html", context)


@require_GET
def page(request, kind, ref, number):
    """One page image, with its content type (PNG drawn here, or the JPEG/PNG original). No Cache-Control here:
    NoStoreMiddleware keeps every signed-in response out of the browser's cache."""
    found = preview.resolve(request.user, kind, ref)
    path, content_type = preview.page(found, number)
    return FileResponse(path.open("rb"), content_type=content_type)
