"""手写签名: a signature drawn on the screen (static/township_office/js/signature.js), kept with what it signs.

The browser sends the drawing as a PNG data URL in a hidden field. It is checked here by content and size like
any upload, then redrawn by Pillow into a small clean PNG: cropped to the ink, at most SIGNATURE_HEIGHT pixels
high, grey with transparency, nothing else of the original kept. The stored bytes are what the page and the
printouts show, and their SHA-256 goes into the audit event of the step they sign (``audit.fingerprinted``).
"""

import base64
import binascii
import io

from django import forms

PREFIX = "data:image/png;base64,"
MAX_BYTES = 512 * 1024  # the drawing as sent; a signature pad's PNG is a few dozen KB
MAX_SIDE = 3000  # pixels, either way, as sent
SIGNATURE_HEIGHT = 120  # pixels, as kept
MARGIN = 6  # pixels of empty canvas kept around the ink
INK_ALPHA = 16  # a pixel more transparent than this is no ink
PAPER = 224  # a grey (0 black … 255 white) this light or lighter is the paper, not ink

UNREADABLE = "手写签名无法读取，请点「清除」后重新书写。"


def clean_signature(value):
    """The PNG to keep for a drawn signature (bytes), b"" for none; ValidationError with a Chinese reason."""
    if not value:
        return b""
    if not value.startswith(PREFIX):
        raise forms.ValidationError(UNREADABLE)
    encoded = value[len(PREFIX) :]
    if len(encoded) > MAX_BYTES * 4 // 3 + 4:
        raise forms.ValidationError("手写签名过大，请点「清除」后重新书写。")
    try:
        raw = base64.b64decode(encoded, validate=True)
    except (binascii.Error, ValueError):
        raise forms.ValidationError(UNREADABLE) from None
    return _redraw(raw)


def _redraw(raw):
    from PIL import Image, UnidentifiedImageError

    try:
        with Image.open(io.BytesIO(raw)) as image:
            if image.format != "PNG":
                raise forms.ValidationError(UNREADABLE)
            if max(image.size) > MAX_SIDE:
                raise forms.ValidationError("手写签名的画面过大，请点「清除」后重新书写。")
            image = image.convert("RGBA")
    except (UnidentifiedImageError, OSError, ValueError, Image.DecompressionBombError):
        raise forms.ValidationError(UNREADABLE) from None
    box = _ink(image).getbbox()
    if box is None:
        raise forms.ValidationError("签名是空白的：请书写后再提交，或点「清除」不附签名。")
    left, top, right, bottom = box
    image = image.crop(
        (
            max(left - MARGIN, 0),
            max(top - MARGIN, 0),
            min(right + MARGIN, image.width),
            min(bottom + MARGIN, image.height),
        )
    )
    if image.height > SIGNATURE_HEIGHT:
        width = max(1, round(image.width * SIGNATURE_HEIGHT / image.height))
        image = image.resize((width, SIGNATURE_HEIGHT), Image.Resampling.LANCZOS)
    out = io.BytesIO()
    image.convert("LA").save(out, format="PNG", optimize=True)
    return out.getvalue()


def _ink(image):
    """The drawing's ink as a mask: pixels both visible (alpha above INK_ALPHA) and darker than paper (grey below
    PAPER). A canvas sent transparent, or opaque white or near-white (a pad that fills its background, a speck of
    anti-aliasing), has none and is blank."""
    from PIL import ImageChops

    visible = image.getchannel("A").point(lambda alpha: 255 if alpha > INK_ALPHA else 0)
    dark = image.convert("L").point(lambda grey: 255 if grey < PAPER else 0)
    return ImageChops.multiply(visible, dark)


def data_url(png):
    """The kept PNG as a data URL for a page or a printout ("" for none): no URL of its own to guard."""
    return PREFIX + base64.b64encode(bytes(png)).decode("ascii") if png else ""


class SignatureField(forms.CharField):
    """A drawn signature (optional): cleans to the PNG bytes to keep, b"" when nothing was drawn."""

    def __init__(self, **kwargs):
        from .widgets import SignaturePad

        kwargs.setdefault("required", False)
        kwargs.setdefault("widget", SignaturePad)
        kwargs.setdefault("strip", True)
        super().__init__(**kwargs)

    def to_python(self, value):
        return clean_signature(super().to_python(value))

    def validate(self, value):
        if self.required and not value:
            raise forms.ValidationError("请手写签名。")
