"""公文 typesetting after GB/T 9704-2012 (党政机关公文格式), shared by every app that issues documents.

An app builds an :class:`OfficialDocument` (plain data: no model) and calls :func:`render_pdf` for the PDF or
:func:`render_html` for the screen; the compose form turns the typed 正文 into blocks with :func:`parse_body`
and a Word file with :func:`read_docx`. See docs/official-documents.md.
Form fields: ``township_office.gbdoc.forms.BodyField`` and ``DocxField``.
"""

from .body import ImportedBody, body_text, check_body_length, heading_of, parse_body, read_docx
from .model import Block, OfficialDocument, chinese_number, issuer_names, ordinal
from .typeset import Typeset, layout, render_html, render_pdf, typeset

__all__ = [
    "Block",
    "ImportedBody",
    "OfficialDocument",
    "Typeset",
    "body_text",
    "check_body_length",
    "chinese_number",
    "heading_of",
    "issuer_names",
    "layout",
    "ordinal",
    "parse_body",
    "read_docx",
    "render_html",
    "render_pdf",
    "typeset",
]
