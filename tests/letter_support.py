"""Helpers for letter tests: seal images that stand in for an agency's file (never a drawn seal in a letter)."""

from __future__ import annotations

import io


def plain_png(size: int = 64) -> bytes:
    """A grey square with a dark cross: stands in for an agency's registered e-seal file."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (160, 160, 160, 255))
    draw = ImageDraw.Draw(image)
    draw.line((0, 0, size, size), fill=(20, 20, 20, 255), width=6)
    draw.line((0, size, size, 0), fill=(20, 20, 20, 255), width=6)
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()


def other_png(size: int = 64) -> bytes:
    """Another picture (a dark disc on white): an image that is not the registered seal."""
    from PIL import Image, ImageDraw

    image = Image.new("RGBA", (size, size), (255, 255, 255, 255))
    ImageDraw.Draw(image).ellipse((8, 8, size - 8, size - 8), fill=(30, 30, 30, 255))
    out = io.BytesIO()
    image.save(out, "PNG")
    return out.getvalue()
