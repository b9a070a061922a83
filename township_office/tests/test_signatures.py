"""手写签名 as the server keeps it: checked by content and size, redrawn small, or refused with the reason."""

import base64
import io

import pytest
from django import forms
from PIL import Image

from tests import preview_samples
from township_office.signatures import MAX_BYTES, MAX_SIDE, PREFIX, SIGNATURE_HEIGHT, SignatureField, clean_signature


def _png(width, height, *, ink=True, fmt="PNG"):
    image = Image.new("RGBA", (width, height), (0, 0, 0, 0))
    if ink:
        image.putpixel((width // 2, height // 2), (0, 0, 0, 255))
    buffer = io.BytesIO()
    image.convert("RGB" if fmt == "JPEG" else "RGBA").save(buffer, fmt)
    return PREFIX + base64.b64encode(buffer.getvalue()).decode()


def test_a_drawing_is_kept_cropped_to_its_ink_and_small():
    kept = clean_signature(preview_samples.signature())
    with Image.open(io.BytesIO(kept)) as image:
        assert image.format == "PNG" and image.mode == "LA"
        assert image.height == SIGNATURE_HEIGHT
        # The strokes span about 720 × 200 of the 1170 × 432 canvas: the empty canvas is cut away (uncut, the
        # width would be 2.7 heights, not 3.6).
        assert 3.4 < image.width / image.height < 3.8
        assert image.getchannel("A").getbbox() is not None
    assert len(kept) < 20_000


def test_nothing_drawn_is_no_signature():
    assert clean_signature("") == b""
    assert SignatureField().clean("") == b""


@pytest.mark.parametrize(
    ("value", "reason"),
    [
        ("data:image/svg+xml;base64,PHN2Zz4=", "无法读取"),
        ("https://example.com/sign.png", "无法读取"),
        (PREFIX + "not base64!", "无法读取"),
        (PREFIX + base64.b64encode(b"%PDF-1.4 not an image").decode(), "无法读取"),
        (_png(40, 40, fmt="JPEG"), "无法读取"),  # a JPEG sent as a PNG
        (_png(600, 240, ink=False), "空白"),
        (_png(MAX_SIDE + 1, 10), "画面过大"),
        (PREFIX + "A" * (MAX_BYTES * 2), "过大"),
    ],
)
def test_what_is_not_a_drawn_signature_is_refused_with_the_reason(value, reason):
    with pytest.raises(forms.ValidationError) as refused:
        clean_signature(value)
    assert reason in refused.value.messages[0]
