"""Every page of the project, found from the URL configuration: shared by the read-path harness, the fuzz test
and the local-time test, so a page added later is covered without editing them.

:func:`routes` walks ``get_resolver().url_patterns`` recursively and yields one :class:`Route` per URL pattern
(its full route string, its name, its converters). :func:`fill` builds concrete URLs for a route from the
records in the database: a ``<uuid:code>`` becomes the code of a record of the model whose detail page the
route belongs to (found from the models' ``get_absolute_url``), an ``<int:…>`` the primary key of rows that
pages link to. :func:`body_text` turns any answer (page, PDF, spreadsheet, CSV, file) into searchable text.
"""

import csv
import io
import re
import zipfile
from dataclasses import dataclass, field
from html.parser import HTMLParser
from urllib.parse import parse_qsl, urlsplit

from django.apps import apps
from django.db import models
from django.urls import URLPattern, URLResolver, get_resolver, resolve
from django.urls.exceptions import Resolver404

PARAM = re.compile(r"<(?:(?P<converter>[^>:]+):)?(?P<name>[^>]+)>")

# Never requested: they end the session, belong to the Django admin (its own permission system), or are the
# monitoring probe (``/healthz`` answers 503 by design when the broker or the scheduler is down, as in the suite).
SKIPPED_PREFIXES = ("admin/", "healthz")
SKIPPED_NAMES = {"logout"}


@dataclass(frozen=True)
class Route:
    route: str  # e.g. "documents/incoming/<uuid:code>/slip.pdf"
    name: str  # e.g. "documents:incoming_slip" ("" when unnamed)
    params: tuple = field(default=())  # ((converter, name), ...)
    default_kwargs: tuple = field(default=())

    @property
    def has_uuid(self):
        return any(converter == "uuid" for converter, _ in self.params)

    @property
    def is_plain(self):
        """No parameter in the path: a list, a report, a form page."""
        return not self.params

    def build(self, values):
        """The URL with each ``<converter:name>`` replaced by ``values[name]``."""

        def replace(match):
            return str(values[match["name"]])

        return "/" + PARAM.sub(replace, self.route)


def _walk(patterns, prefix="", namespace=""):
    for pattern in patterns:
        text = str(pattern.pattern)
        if isinstance(pattern, URLResolver):
            inner = f"{namespace}{pattern.namespace}:" if pattern.namespace else namespace
            yield from _walk(pattern.url_patterns, prefix + text, inner)
        elif isinstance(pattern, URLPattern):
            if getattr(pattern.callback, "__module__", "").startswith("tests."):
                continue  # the test suite's own example app, not a page of the project
            name = f"{namespace}{pattern.name}" if pattern.name else ""
            yield prefix + text, name, tuple(sorted((pattern.default_args or {}).items()))


def routes():
    """Every URL pattern of the project except the admin and logout, as :class:`Route` (regex routes skipped)."""
    found = []
    for route, name, defaults in _walk(get_resolver().url_patterns):
        if route.startswith(SKIPPED_PREFIXES) or name.split(":")[-1] in SKIPPED_NAMES:
            continue
        if route.startswith("^") or "(?P" in route:
            continue
        params = tuple((m["converter"] or "str", m["name"]) for m in PARAM.finditer(route))
        found.append(Route(route.rstrip("$"), name, params, defaults))
    return found


# --- records behind <uuid:code> -------------------------------------------------------------------
def coded_models():
    """Models with a public ``code`` (UUID) and a detail page (``get_absolute_url``)."""
    result = []
    for model in apps.get_models():
        try:
            code = model._meta.get_field("code")
        except Exception:
            continue
        if isinstance(code, models.UUIDField):
            result.append(model)
    return result


def _route_of(url):
    try:
        match = resolve(urlsplit(url).path)
    except Resolver404:
        return None
    return match.route


def detail_prefixes():
    """{model: the route prefix up to its ``<uuid:code>``} for every coded model that has a row with a detail URL."""
    prefixes = {}
    for model in coded_models():
        row = model._default_manager.order_by("pk").first()
        if row is None or not hasattr(row, "get_absolute_url"):
            continue
        route = _route_of(row.get_absolute_url())
        if route and "<uuid:code>" in route:
            prefixes[model] = route[: route.index("<uuid:code>") + len("<uuid:code>")]
    return prefixes


def models_for(route, prefixes):
    """The models whose records a uuid route is about: the longest detail prefix that starts it, or, when no
    detail page starts it (a batch, a report), every coded model without a detail page."""
    matching = [(len(prefix), model) for model, prefix in prefixes.items() if route.route.startswith(prefix)]
    if matching:
        longest = max(length for length, _ in matching)
        return [model for length, model in matching if length == longest]
    return [model for model in coded_models() if model not in prefixes]


# --- links and text ---------------------------------------------------------------------------------
class _Links(HTMLParser):
    def __init__(self):
        super().__init__()
        self.links = []
        self.forms = []  # (method, action, [(name, type, value, options)])
        self._form = None
        self._select = None

    def handle_starttag(self, tag, attrs):
        attrs = dict(attrs)
        if tag == "a" and attrs.get("href"):
            self.links.append(attrs["href"])
        elif tag == "iframe" and attrs.get("src"):
            self.links.append(attrs["src"])
        elif tag == "form":
            self._form = {
                "method": (attrs.get("method") or "get").lower(),
                "action": attrs.get("action"),
                "fields": [],
                "enctype": attrs.get("enctype", ""),
            }
            self.forms.append(self._form)
        elif self._form is not None and tag in ("input", "textarea", "select", "button") and attrs.get("name"):
            entry = {
                "tag": tag,
                "name": attrs["name"],
                "type": (attrs.get("type") or ("text" if tag == "input" else tag)).lower(),
                "value": attrs.get("value", ""),
                "options": [],
                "required": "required" in attrs,
            }
            self._form["fields"].append(entry)
            if tag == "select":
                self._select = entry
        elif tag == "option" and self._select is not None:
            self._select["options"].append(attrs.get("value", ""))

    def handle_endtag(self, tag):
        if tag == "form":
            self._form = None
        elif tag == "select":
            self._select = None


def parse_html(text):
    parser = _Links()
    parser.feed(text)
    return parser


def local_links(page_url, text):
    """Same-site links of an HTML page, as (path, query string) pairs, fragments dropped."""
    result = []
    for href in parse_html(text).links:
        parts = urlsplit(href)
        if parts.scheme or parts.netloc or href.startswith(("#", "javascript:", "mailto:", "tel:")):
            continue
        path = parts.path or urlsplit(page_url).path
        if not path.startswith("/"):
            continue
        result.append((path, parts.query))
    return result


def query_items(query):
    return parse_qsl(query, keep_blank_values=True)


UUID = re.compile(r"[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}")


def shape(url):
    """What makes two links the same page for a crawl: the path with numbers (not codes) blanked, and the query
    without ``page`` and with numeric values (dates, years, months) blanked. So a calendar's 下一月 chain or a
    list's pages are read once, while each record and each ``?format=``/``?tab=`` variant is read."""
    parts = urlsplit(url)
    codes = UUID.findall(parts.path)
    path = re.sub(r"\d+", "#", UUID.sub("~", parts.path))
    for code in codes:
        path = path.replace("~", code, 1)
    query = sorted((key, re.sub(r".*\d.*", "#", value)) for key, value in query_items(parts.query) if key != "page")
    return path, tuple(query)


def _content(response):
    if getattr(response, "streaming", False):
        return b"".join(response.streaming_content)
    return response.content


def body_text(response):
    """The text a person could read in ``response``: decoded HTML, a PDF's text, a spreadsheet's cells, a CSV,
    or the raw bytes of any other file (decoded leniently)."""
    data = _content(response)
    kind = response.get("Content-Type", "").split(";")[0].strip()
    if kind == "application/pdf" or data.startswith(b"%PDF"):
        return _pdf_text(data) + "\n" + data.decode("utf-8", "ignore")
    if data.startswith(b"PK\x03\x04"):
        return _zip_text(data)
    if kind == "text/csv":
        text = data.decode("utf-8-sig", "ignore")
        return text + "\n" + "\n".join(",".join(row) for row in csv.reader(io.StringIO(text)))
    return data.decode("utf-8", "ignore")


def _pdf_text(data):
    from pypdf import PdfReader

    try:
        reader = PdfReader(io.BytesIO(data))
        return "\n".join(page.extract_text() or "" for page in reader.pages)
    except Exception:  # not a real PDF (a test upload): the raw bytes are searched instead
        return ""


def _zip_text(data):
    """Cells of an .xlsx, or the text of every member of another zip (a .docx, a batch)."""
    parts = []
    try:
        from openpyxl import load_workbook

        book = load_workbook(io.BytesIO(data), read_only=True)
        for sheet in book.worksheets:
            for row in sheet.iter_rows(values_only=True):
                parts.append(" ".join("" if v is None else str(v) for v in row))
        return "\n".join(parts)
    except Exception:
        pass
    try:
        with zipfile.ZipFile(io.BytesIO(data)) as archive:
            for name in archive.namelist():
                member = archive.read(name)
                parts.append(_pdf_text(member) if member.startswith(b"%PDF") else member.decode("utf-8", "ignore"))
    except zipfile.BadZipFile:
        parts.append(data.decode("utf-8", "ignore"))
    return "\n".join(parts)


def last_traceback_line(error):
    """``file:line in function: code`` of the innermost project frame of ``error``, for a report."""
    import traceback

    frames = [f for f in traceback.extract_tb(error.__traceback__) if "/site-packages/" not in f.filename]
    frame = frames[-1] if frames else traceback.extract_tb(error.__traceback__)[-1]
    return (
        f"{type(error).__name__}: {error} at {'/'.join(frame.filename.rsplit('/', 2)[-2:])}:{frame.lineno} {frame.line}"
    )
