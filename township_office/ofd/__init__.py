"""OFD (GB/T 33190) → PDF for the preview, from the parts of easyofd this project uses.

Vendored from easyofd 20260427 (https://github.com/renoyuan/easyofd, Apache License 2.0, see ``LICENSE`` and
``NOTICE`` in this folder): ``parser_ofd`` reads the OFD package, ``draw.DrawPDF`` draws its pages with
reportlab. easyofd itself is not installed: its top-level package imports PyMuPDF (``fitz``, AGPL-3.0) for its
PDF → OFD direction, which this project never uses. The vendored files are kept as upstream wrote them (only
their imports changed) and are excluded from ruff (pyproject.toml).
"""

import base64


def to_pdf(data):
    """OFD bytes → PDF bytes (empty when nothing could be drawn)."""
    from loguru import logger

    logger.disable(__name__)  # the vendored code logs every step of its progress
    from .draw import DrawPDF
    from .parser_ofd import OFDParser

    parsed = OFDParser(base64.b64encode(data).decode())()
    return DrawPDF(parsed)()
