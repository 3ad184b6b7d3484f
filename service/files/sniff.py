"""What a file is, read from its bytes (never from its name or the declared type), and its pages.

Accepted: PDF, JPEG, PNG, TIFF, OFD (the Chinese fixed-layout format, a ZIP with ``OFD.xml``),
DOCX and XLSX. Anything else is :class:`UnsupportedFileType` (HTTP 415); an accepted type whose
content is damaged or cut short (a truncated PDF, a broken ZIP) is ``FileInvalid("file")`` (422).

Page count rule (used for the 按量 fee and the reply's "（共N页）"): PDF its pages; JPEG and PNG 1;
TIFF its frames; OFD the pages listed in its documents; DOCX the page count Word saved in
``docProps/app.xml`` (1 when absent); XLSX one page per worksheet.
"""

from __future__ import annotations

import re
import zipfile
from dataclasses import dataclass
from pathlib import Path

from service.files.errors import FileInvalid, UnsupportedFileType

HEAD_BYTES = 1024


@dataclass(frozen=True)
class Sniffed:
    """The type found in a file's content and its page count."""

    file_type: str
    media_type: str
    extension: str
    pages: int


MEDIA_TYPES = {
    "PDF": ("application/pdf", ".pdf"),
    "JPEG": ("image/jpeg", ".jpg"),
    "PNG": ("image/png", ".png"),
    "TIFF": ("image/tiff", ".tif"),
    "OFD": ("application/ofd", ".ofd"),
    "DOCX": ("application/vnd.openxmlformats-officedocument.wordprocessingml.document", ".docx"),
    "XLSX": ("application/vnd.openxmlformats-officedocument.spreadsheetml.sheet", ".xlsx"),
}


def _result(file_type: str, pages: int) -> Sniffed:
    media, ext = MEDIA_TYPES[file_type]
    return Sniffed(file_type, media, ext, max(1, pages))


def _damaged(what: str) -> FileInvalid:
    return FileInvalid("file", "damaged", f"the {what} file is damaged or incomplete (truncated?)", what=what)


def _describe(head: bytes) -> str:
    text = head.lstrip()[:64].lower()
    if text.startswith((b"<!doctype html", b"<html", b"<head", b"<body", b"<script")):
        return "HTML"
    if text.startswith(b"<?xml") or text.startswith(b"<svg"):
        return "XML/SVG"
    if head.startswith(b"PK\x03\x04"):
        return "ZIP"
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        return "OLE (DOC/XLS)"
    return "unknown"


def sniff(path: Path) -> Sniffed:
    """The type and page count of the file at ``path`` (raises for empty, damaged or refused files)."""
    size = path.stat().st_size
    if size == 0:
        raise FileInvalid("file", "empty", "the file is empty (0 bytes)")
    with path.open("rb") as fh:
        head = fh.read(HEAD_BYTES)
    if b"%PDF-" in head:
        return _result("PDF", _pdf_pages(path, size))
    if head.startswith(b"\xff\xd8\xff"):
        return _result("JPEG", _image_pages(path, "JPEG"))
    if head.startswith(b"\x89PNG\r\n\x1a\n"):
        return _result("PNG", _image_pages(path, "PNG"))
    if head.startswith((b"II*\x00", b"MM\x00*")):
        return _result("TIFF", _image_pages(path, "TIFF"))
    if head.startswith(b"PK\x03\x04"):
        return _zip_type(path)
    raise UnsupportedFileType(_describe(head))


def _pdf_pages(path: Path, size: int) -> int:
    from pypdf import PdfReader
    from pypdf.errors import PdfReadError

    # A PDF ends with %%EOF (possibly followed by a little whitespace): without it the file was cut short,
    # even if a lenient reader could still recover some pages.
    with path.open("rb") as fh:
        fh.seek(max(0, size - HEAD_BYTES))
        tail = fh.read()
    if b"%%EOF" not in tail:
        raise _damaged("PDF")
    try:
        reader = PdfReader(str(path), strict=False)
        pages = len(reader.pages)
    except (PdfReadError, ValueError, KeyError, TypeError, OSError, RecursionError) as exc:
        raise _damaged("PDF") from exc
    if pages < 1:
        raise _damaged("PDF")
    return pages


def _image_pages(path: Path, kind: str) -> int:
    from PIL import Image

    try:
        with Image.open(path) as img:
            if img.format != kind:
                raise _damaged(kind)
            if kind == "JPEG":
                # Decode at 1/8 scale: reads the whole stream (so truncation shows) without the full bitmap.
                img.draft("RGB", (max(1, img.width // 8), max(1, img.height // 8)))
                img.load()
                return 1
            if kind == "PNG":
                img.verify()  # every chunk's CRC, up to IEND
                return 1
            frames = int(getattr(img, "n_frames", 1))
            img.load()
            return frames
    except FileInvalid:
        raise
    except (OSError, SyntaxError, ValueError, Image.DecompressionBombError) as exc:
        raise _damaged(kind) from exc


def _zip_type(path: Path) -> Sniffed:
    try:
        with zipfile.ZipFile(path) as zf:
            names = set(zf.namelist())
            if "OFD.xml" in names:
                return _result("OFD", _ofd_pages(zf))
            if "word/document.xml" in names:
                return _result("DOCX", _docx_pages(zf, names))
            if "xl/workbook.xml" in names:
                return _result("XLSX", _xlsx_sheets(zf))
    except zipfile.BadZipFile as exc:
        raise _damaged("ZIP-based") from exc
    raise UnsupportedFileType("ZIP")


def _read(zf: zipfile.ZipFile, name: str, limit: int = 4 * 1024 * 1024) -> str:
    info = zf.getinfo(name)
    if info.file_size > limit:  # a manifest this large is not a real one (and could be a zip bomb)
        raise _damaged("ZIP-based")
    try:
        return zf.read(name).decode("utf-8", errors="replace")
    except (zipfile.BadZipFile, OSError, EOFError) as exc:
        raise _damaged("ZIP-based") from exc


def _ofd_pages(zf: zipfile.ZipFile) -> int:
    entry = _read(zf, "OFD.xml")
    docs = re.findall(r"<(?:\w+:)?DocRoot>\s*/?([^<\s]+)\s*</(?:\w+:)?DocRoot>", entry)
    pages = 0
    names = set(zf.namelist())
    for doc in docs:
        if doc in names:
            pages += len(re.findall(r"<(?:\w+:)?Page\b", _read(zf, doc)))
    return pages or 1


def _docx_pages(zf: zipfile.ZipFile, names: set[str]) -> int:
    if "docProps/app.xml" in names:
        found = re.search(r"<Pages>(\d+)</Pages>", _read(zf, "docProps/app.xml"))
        if found:
            return int(found.group(1))
    return 1


def _xlsx_sheets(zf: zipfile.ZipFile) -> int:
    return len(re.findall(r"<(?:\w+:)?sheet\b", _read(zf, "xl/workbook.xml"))) or 1
