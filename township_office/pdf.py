"""Shared PDF rendering (WeasyPrint) for every printable form.

Where the time goes: parsing the CJK font and building the font configuration, not
laying out one page. So the font configuration and the shared stylesheet are built
once per process and reused; WeasyPrint subsets embedded fonts with HarfBuzz
(libharfbuzz-subset0), which keeps a one-page slip small and fast.
"""

from functools import lru_cache

from django.conf import settings
from django.contrib.staticfiles import finders
from django.http import HttpResponse
from django.template.loader import render_to_string
from django.utils.http import content_disposition_header


@lru_cache(maxsize=1)
def _font_config():
    from weasyprint.text.fonts import FontConfiguration

    return FontConfiguration()


@lru_cache(maxsize=1)
def _base_stylesheet():
    from weasyprint import CSS

    path = finders.find("township_office/css/print.css")
    return CSS(filename=path, font_config=_font_config())


def render_pdf(template_name, context, *, stylesheets=()):
    """Render a Django template to PDF bytes."""
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context)
    sheets = [_base_stylesheet()]
    sheets += [CSS(string=css, font_config=_font_config()) for css in stylesheets]
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(stylesheets=sheets, font_config=_font_config())
    return document.write_pdf()


def pdf_response(content, filename, *, inline=True):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
