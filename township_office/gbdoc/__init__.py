"""公文 typesetting after GB/T 9704-2012 (党政机关公文格式), shared by every app that issues documents."""

from .model import Block, OfficialDocument, chinese_number, issuer_names, ordinal
from .typeset import Typeset, layout, render_html, render_pdf, typeset

__all__ = [
    "Block",
    "OfficialDocument",
    "Typeset",
    "chinese_number",
    "issuer_names",
    "layout",
    "ordinal",
    "render_html",
    "render_pdf",
    "typeset",
]
