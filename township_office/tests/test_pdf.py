"""Shared PDF writing (township_office/pdf.py): the streams are deflated at FLATE_LEVEL by our finisher, and the
PDF reads the same as one pydyf compresses itself."""

import io
import zlib

import pypdf
import pytest

from township_office import pdf


@pytest.fixture
def laid_out():
    from django.template import engines

    html = engines["django"].from_string(
        '<!doctype html><html lang="zh-Hans"><body><h1 class="form-title">长官镇党政办公室收文处理笺</h1>'
        '<table class="form"><tr><th>来文单位</th><td>县委组织部（电话记录）</td></tr></table></body></html>'
    )
    from weasyprint import HTML

    return HTML(string=html.render({})).render(stylesheets=[pdf._base_stylesheet()], font_config=pdf._font_config())


def _streams(content):
    """The page's content stream and its fonts' embedded files: (filter, decoded bytes) of each."""
    page = pypdf.PdfReader(io.BytesIO(content)).pages[0]
    streams = [page["/Contents"].get_object()]
    for font in page["/Resources"]["/Font"].values():
        descriptor = font.get_object()["/DescendantFonts"][0].get_object()["/FontDescriptor"].get_object()
        streams.append(descriptor["/FontFile2"].get_object())
    return [(stream.get("/Filter"), stream.get_data()) for stream in streams]


def test_streams_are_deflated_by_the_finisher_and_decode_as_pydyfs_own(laid_out, monkeypatch):
    calls = []
    real = zlib.compress
    monkeypatch.setattr(zlib, "compress", lambda data, level=-1: calls.append(level) or real(data, level))
    ours = laid_out.write_pdf(finisher=pdf.deflate)
    monkeypatch.setattr(zlib, "compress", real)
    theirs = laid_out.write_pdf()
    assert calls and set(calls) == {pdf.FLATE_LEVEL}  # the page and both font subsets, at our level
    ours_streams, their_streams = _streams(ours), _streams(theirs)
    assert len(ours_streams) == len(their_streams) >= 3  # the page and its fonts (仿宋, the bold Song …)
    assert all(f == "/FlateDecode" for f, _ in ours_streams)
    assert sorted(d for _, d in ours_streams) == sorted(d for _, d in their_streams)
    text = pypdf.PdfReader(io.BytesIO(ours)).pages[0].extract_text().replace(" ", "")
    assert "收文处理笺" in text and "县委组织部" in text


def test_every_printout_uses_the_finisher(monkeypatch):
    """render_pdf and write_pages both hand WeasyPrint the finisher."""
    seen = []
    real = pdf.deflate
    monkeypatch.setattr(pdf, "deflate", lambda document, written: seen.append(1) or real(document, written))
    content = pdf.render_pdf("documents/print/routing_slip_none.html", {})
    assert content.startswith(b"%PDF") and seen == [1]
    document = pdf.render_document("documents/print/routing_slip_none.html", {})
    assert pdf.write_pages(document, document.pages).startswith(b"%PDF") and seen == [1, 1]
