from django import template

from ..previews import attachments_viewer

register = template.Library()


@register.inclusion_tag("includes/preview_viewer.html", takes_context=True)
def reception_attachments(context, reception):
    """{% reception_attachments r %}: the 公函 and the 发票 of a plan in one viewer (reception.previews)."""
    return attachments_viewer(context["request"].user, reception)
