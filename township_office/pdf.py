"""Shared PDF rendering (WeasyPrint) for every printable form.

Where the time goes: parsing the CJK font and building the font configuration, not
laying out one page. So the font configuration and the shared stylesheet are built
once per process and reused; WeasyPrint subsets embedded fonts with HarfBuzz
(libharfbuzz-subset0), which keeps a one-page slip small and fast.

The 收文处理笺, printed all day, is laid out by :func:`render_document` with a lean user-agent stylesheet
(static/township_office/css/print_ua.css: the browser defaults of the few elements it uses) in place of
WeasyPrint's full HTML one, which it matched every element against.

Every PDF's streams (page content, embedded fonts) are deflated at zlib's fastest level (:func:`deflate`), as web
servers compress what they make on the fly, rather than pydyf's slowest: for the streams of a 收文处理笺 level 9
took 12.6 ms, level 6 5.3 ms and level 1 2.2 ms, for a file 0.8 % and 7 % larger.
"""

from functools import cache, lru_cache

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


@cache
def stylesheet(static_path):
    """A static print stylesheet (``documents/css/routing_slip.css``), parsed once per process."""
    from weasyprint import CSS

    return CSS(filename=finders.find(static_path), font_config=_font_config())


LEAN_UA = "township_office/css/print_ua.css"


@lru_cache(maxsize=1)
def _lean_html_class():
    """``weasyprint.HTML`` with print_ua.css as its user-agent stylesheet.

    WeasyPrint takes the user-agent stylesheet from ``HTML._ua_stylesheets()``; overriding it is the one
    private hook used here (weasyprint is pinned below 71 in pyproject.toml; documents/tests/test_routing_slip.py
    fails if the hook stops being called)."""
    from weasyprint import CSS, HTML

    lean_sheet = CSS(filename=finders.find(LEAN_UA))

    class LeanHTML(HTML):
        lean = lean_sheet

        def _ua_stylesheets(self, forms=False):
            return [self.lean]

    return LeanHTML


def render_document(template_name, context, *, stylesheets=()):
    """Lay a Django template out without writing it: a WeasyPrint ``Document`` whose ``pages`` can be counted
    (does it fit?) and combined with other documents' pages (:func:`write_pages`). ``stylesheets`` are CSS
    objects (:func:`stylesheet`), applied after ``print.css``. The template may use only the elements that
    print_ua.css styles (see the module docstring)."""
    html = render_to_string(template_name, context)
    sheets = [_base_stylesheet(), *stylesheets]
    document = _lean_html_class()(string=html, base_url=str(settings.BASE_DIR))
    return document.render(stylesheets=sheets, font_config=_font_config())


FLATE_LEVEL = 1  # zlib's fastest (nginx's default for gzip); pydyf uses 9, the slowest (see the module docstring)


def deflate(document, pdf):
    """A WeasyPrint finisher (``write_pdf(finisher=…)``, called with the pydyf PDF before it is written): deflate
    each stream WeasyPrint marked for compression at FLATE_LEVEL, and mark it as already deflated."""
    import zlib

    from pydyf import Stream

    try:
        from pydyf import _to_bytes  # how pydyf itself joins a stream's parts
    except ImportError:  # a pydyf without it: its own compression, at its own level
        return
    for stream in pdf.objects:
        if isinstance(stream, Stream) and stream.compress:
            raw = b"\n".join(_to_bytes(part) for part in stream.stream)
            stream.stream = [zlib.compress(raw, FLATE_LEVEL)]
            stream.extra["Filter"] = "/FlateDecode"
            stream.compress = False


def write_pages(document, pages):
    """PDF bytes of ``pages``, laid out by :func:`render_document` in one or several documents (the metadata
    comes from ``document``)."""
    return document.copy(pages).write_pdf(finisher=deflate)


def render_pdf(template_name, context, *, stylesheets=()):
    """Render a Django template to PDF bytes."""
    from weasyprint import CSS, HTML

    html = render_to_string(template_name, context)
    sheets = [_base_stylesheet()]
    sheets += [CSS(string=css, font_config=_font_config()) for css in stylesheets]
    document = HTML(string=html, base_url=str(settings.BASE_DIR)).render(stylesheets=sheets, font_config=_font_config())
    return document.write_pdf(finisher=deflate)


def pdf_response(content, filename, *, inline=True):
    response = HttpResponse(content, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(not inline, filename)
    return response
