"""手写签名 as the server keeps it: checked by content and size, redrawn small, or refused with the reason."""

import base64
import io

import pytest
from django import forms
from PIL import Image

from tests import preview_samples
from township_office.signatures import (
    MARGIN,
    MAX_BYTES,
    MAX_SIDE,
    PREFIX,
    SIGNATURE_HEIGHT,
    SignatureField,
    clean_signature,
)


def _png(width, height, *, ink=True, fmt="PNG", background=(0, 0, 0, 0), colour=(0, 0, 0, 255)):
    image = Image.new("RGBA", (width, height), background)
    if ink:
        image.putpixel((width // 2, height // 2), colour)
    buffer = io.BytesIO()
    image.convert("RGB" if fmt in ("JPEG", "RGB") else "RGBA").save(buffer, "PNG" if fmt == "RGB" else fmt)
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
        # issue 22 §8: a canvas sent opaque (white, or near-white with a near-white speck) has no ink either
        (_png(600, 240, ink=False, background=(255, 255, 255, 255)), "空白"),
        (_png(600, 240, background=(250, 250, 248, 255), colour=(240, 240, 240, 255)), "空白"),
        (_png(600, 240, ink=False, background=(255, 255, 255, 255), fmt="RGB"), "空白"),
        (_png(MAX_SIDE + 1, 10), "画面过大"),
        (PREFIX + "A" * (MAX_BYTES * 2), "过大"),
    ],
)
def test_what_is_not_a_drawn_signature_is_refused_with_the_reason(value, reason):
    with pytest.raises(forms.ValidationError) as refused:
        clean_signature(value)
    assert reason in refused.value.messages[0]


def test_ink_on_an_opaque_white_canvas_is_kept_cropped_to_the_ink():
    kept = clean_signature(_png(600, 240, background=(255, 255, 255, 255), colour=(20, 20, 20, 255)))
    with Image.open(io.BytesIO(kept)) as image:
        assert image.size == (1 + 2 * MARGIN, 1 + 2 * MARGIN)  # the white canvas around the dot is cut away
        assert image.convert("L").getextrema()[0] < 40
