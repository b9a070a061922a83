from django import template
from django.http import Http404

from township_office import preview

register = template.Library()


@register.inclusion_tag("includes/preview_viewer.html", takes_context=True)
def preview_viewer(context, kind, items):
    """{% preview_viewer "incoming-attachment" document.attachments.all %}: the first file readable, the
    others a tap away. ``items`` is one record or attachment (or its reference) or several, as the detail
    view loaded them through the app's access function."""
    if isinstance(items, str) or not hasattr(items, "__iter__"):
        items = [items]
    items = [item for item in items if item]
    if not items:
        return {"state": "none"}
    refs = [(preview.ref_of(item), str(item) if hasattr(item, "_meta") else "") for item in items]
    try:
        first = items[0] if hasattr(items[0], "_meta") else None
        return preview.viewer_context(context["request"].user, kind, refs[0][0], others=refs, loaded=first)
    except Http404:  # no file stored (an optional scan), or nothing this person may see: no viewer
        return {"state": "none"}
