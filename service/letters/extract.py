"""Text (and seal-image presence) out of an uploaded letter, for the element check of letters made
outside the system."""

from __future__ import annotations

import io
import shutil
import subprocess
from dataclasses import dataclass

from workflow.errors import InvalidField


@dataclass(frozen=True)
class Extracted:
    """A letter's text, whether its last page carries an image (a seal), and its page count (0 for text)."""

    text: str
    has_seal_image: bool | None
    pages: int


def _pdftotext(data: bytes) -> str | None:
    # poppler's pdftotext keeps CJK reading order best; pdfminer.six is the fallback without poppler.
    exe = shutil.which("pdftotext")
    if exe is None:
        return None
    done = subprocess.run([exe, "-enc", "UTF-8", "-", "-"], input=data, capture_output=True, timeout=60, check=False)
    return done.stdout.decode("utf-8", "replace") if done.returncode == 0 else None


def extract(data: bytes, *, filename: str = "", content_type: str = "") -> Extracted:
    """Extract a PDF's text with pdftotext (pdfminer.six as fallback), or decode a text upload as UTF-8/GB18030."""
    if data[:5] == b"%PDF-":
        from pypdf import PdfReader
        from pypdf.errors import PdfReadError

        try:
            reader = PdfReader(io.BytesIO(data))
            pages = len(reader.pages)
            last = reader.pages[-1] if pages else None
            has_image = bool(last is not None and list(last.images))
        except (PdfReadError, ValueError, KeyError) as exc:
            raise InvalidField("file", f"not a readable PDF: {exc}") from None
        text = _pdftotext(data)
        if text is None:
            from pdfminer.high_level import extract_text

            text = extract_text(io.BytesIO(data))
        return Extracted(text=text, has_seal_image=has_image, pages=pages)
    for encoding in ("utf-8", "gb18030"):
        try:
            return Extracted(text=data.decode(encoding), has_seal_image=None, pages=0)
        except UnicodeDecodeError:
            continue
    raise InvalidField("file", "neither a PDF nor UTF-8/GB18030 text")
