"""Receiving one file from a multipart/form-data body as it streams in, never holding it in memory.

The body is parsed chunk by chunk (python-multipart's push parser); the file part is written to a
scratch file beside the store and hashed on the way, the small text fields are kept. The size limit
is enforced twice: a declared ``Content-Length`` beyond it is refused before a byte is read, and a
body without one (chunked) is refused as soon as the file passes the limit.
"""

from __future__ import annotations

import hashlib
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from pathlib import Path
from typing import BinaryIO

from python_multipart import MultipartParser
from python_multipart.multipart import parse_options_header

from service.files.errors import FileInvalid, TooLarge
from service.files.storage import Store

FIELD_LIMIT = 8 * 1024  # a text field (kind, letter id, CSRF token) is short
MAX_FIELDS = 20
# Room for the multipart framing and the text fields on top of the file itself (as settings.max_upload_bytes).
OVERHEAD = 64 * 1024


@dataclass
class Received:
    """What arrived: the file (in a scratch file, hashed) and the text fields."""

    fields: dict[str, str] = field(default_factory=dict)
    filename: str | None = None
    declared_type: str = ""
    size: int = 0
    sha256: str = ""
    path: Path | None = None


class _Collector:
    """python-multipart callbacks: route each part to the scratch file or a small text buffer."""

    def __init__(self, out: Received, fh: BinaryIO, file_field: str, limit: int) -> None:
        self.out, self.fh, self.file_field, self.limit = out, fh, file_field, limit
        self.hasher = hashlib.sha256()
        self._header_name = b""
        self._header_value = b""
        self._headers: dict[bytes, bytes] = {}
        self._name: str | None = None
        self._is_file = False
        self._files = 0
        self._text = bytearray()

    def callbacks(self) -> dict:
        return {
            "on_part_begin": self._part_begin, "on_part_data": self._part_data, "on_part_end": self._part_end,
            "on_header_field": self._header_field, "on_header_value": self._header_val,
            "on_header_end": self._header_end,
        }

    def _part_begin(self) -> None:
        self._headers, self._name, self._is_file, self._text = {}, None, False, bytearray()
        self._header_name = self._header_value = b""

    def _header_field(self, data: bytes, start: int, end: int) -> None:
        self._header_name += data[start:end]

    def _header_val(self, data: bytes, start: int, end: int) -> None:
        self._header_value += data[start:end]

    def _header_end(self) -> None:
        name = self._header_name.strip().lower()
        self._headers[name] = self._header_value.strip()
        self._header_name = self._header_value = b""
        if name == b"content-disposition":
            _, params = parse_options_header(self._headers[name])
            self._name = params.get(b"name", b"").decode("utf-8", errors="replace")
            if b"filename" in params:
                if self._name != self.file_field:
                    raise FileInvalid(self._name or "file", "one_file", f"only one file, in the field {self.file_field!r}")
                self._files += 1
                if self._files > 1:
                    raise FileInvalid(self.file_field, "one_file", "send one file per upload")
                self._is_file = True
                self.out.filename = params[b"filename"].decode("utf-8", errors="replace")

    def _part_data(self, data: bytes, start: int, end: int) -> None:
        chunk = data[start:end]
        if self._is_file:
            self.out.size += len(chunk)
            if self.out.size > self.limit:
                raise TooLarge(self.limit)
            self.hasher.update(chunk)
            self.fh.write(chunk)
        else:
            self._text += chunk
            if len(self._text) > FIELD_LIMIT:
                raise FileInvalid(self._name or "form", "field_too_long", "field too long")

    def _part_end(self) -> None:
        if self._is_file:
            self.out.declared_type = self._headers.get(b"content-type", b"").decode("latin-1")
        elif self._name:
            if len(self.out.fields) >= MAX_FIELDS:
                raise FileInvalid("form", "field_too_long", "too many fields")
            self.out.fields[self._name] = self._text.decode("utf-8", errors="replace")


def boundary_of(content_type: str | None) -> bytes:
    """The multipart boundary of a ``Content-Type`` header (422 naming ``file`` when not multipart)."""
    kind, params = parse_options_header(content_type or "")
    if kind != b"multipart/form-data" or not params.get(b"boundary"):
        raise FileInvalid("file", "not_multipart", "send the file as multipart/form-data")
    return params[b"boundary"]


def check_declared_length(content_length: str | None, limit: int) -> None:
    """Refuse before reading when the declared body is larger than the limit allows."""
    if content_length and content_length.strip().isdigit() and int(content_length) > limit + OVERHEAD:
        raise TooLarge(limit)


async def receive(*, chunks: AsyncIterator[bytes], content_type: str | None, content_length: str | None,
                  store: Store, fh: BinaryIO, path: Path, limit: int,
                  file_field: str = "file") -> Received:
    """Parse a streamed multipart body into ``fh`` (the scratch file at ``path``) and the text fields."""
    check_declared_length(content_length, limit)
    boundary = boundary_of(content_type)
    out = Received(path=path)
    collector = _Collector(out, fh, file_field, limit)
    parser = MultipartParser(boundary, collector.callbacks())
    async for chunk in chunks:
        if chunk:
            parser.write(chunk)
    parser.finalize()
    fh.flush()
    if out.filename is None:
        raise FileInvalid(file_field, "no_file", "no file was sent (multipart field 'file')")
    out.sha256 = collector.hasher.hexdigest()
    return out
