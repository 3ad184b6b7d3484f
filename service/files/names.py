"""File names as the uploader sent them, made safe to store and to send back in a header.

The name is never used as a path (files are stored under their hash), but it is shown on pages,
printed in the 卷内目录 and put into Content-Disposition: so only its last path component is kept,
control and format characters are dropped, and it is shortened, keeping the extension.
"""

from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote

MAX_CHARS = 120


# Browsers and HTTP clients percent-encode control characters and quotes in a multipart file name
# (WHATWG: %0A, %0D, %22); decode just those so they are dropped or kept as the characters they are.
_ESCAPED = re.compile(r"%(0[0-9A-Fa-f]|1[0-9A-Fa-f]|22|7[Ff])")


def safe_filename(raw: str | None, *, fallback_ext: str = "") -> str:
    """A clean display name: last path component, no control characters, at most ``MAX_CHARS``."""
    name = _ESCAPED.sub(lambda m: chr(int(m.group(1), 16)), raw or "")
    name = name.replace("\\", "/").split("/")[-1]
    name = "".join(" " if ch in "\t\r\n" else ch for ch in name if ch in "\t\r\n" or unicodedata.category(ch)[0] != "C")
    name = re.sub(r"\s+", " ", unicodedata.normalize("NFC", name)).strip().lstrip(".").strip()
    if not name:
        name = "file" + fallback_ext
    if len(name) > MAX_CHARS:
        stem, dot, ext = name.rpartition(".")
        if dot and 0 < len(ext) <= 10:
            name = stem[: MAX_CHARS - len(ext) - 1].rstrip() + "." + ext
        else:
            name = name[:MAX_CHARS]
    return name


def content_disposition(name: str) -> str:
    """``attachment`` with an ASCII fallback and the UTF-8 name (RFC 6266 / 5987): never inline."""
    ascii_name = "".join(ch if 32 <= ord(ch) < 127 and ch not in '"\\;' else "_" for ch in name) or "file"
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(name, safe='')}"
