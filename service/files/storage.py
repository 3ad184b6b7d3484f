"""Content-addressed file store: each file is kept once, under its sha256, in ``settings.storage_dir``.

Layout: ``<root>/ab/cd/abcd…`` (the full hash as the name), with ``<root>/tmp`` for uploads in
progress (same file system, so finishing an upload is an atomic rename). A file that is already
stored is not written again. ``ogi backup`` copies the whole directory.

With ``OGI_S3_BUCKET`` set, files go to an S3-compatible object store instead, under the same keys
(:mod:`service.files.s3store`); uploads in progress still go to ``<storage_dir>/tmp`` first.
"""

from __future__ import annotations

import contextlib
import hashlib
import os
import re
import tempfile
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO, Protocol

from service.settings import get_settings

CHUNK = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class Store(Protocol):
    """What the attachment code needs of a content-addressed store (directory or object store)."""

    def temp_file(self) -> contextlib.AbstractContextManager[tuple[BinaryIO, Path]]: ...
    def put(self, source: Path, sha256: str) -> object: ...
    def exists(self, sha256: str) -> bool: ...
    def open(self, sha256: str) -> BinaryIO: ...
    def iter_bytes(self, sha256: str) -> Iterator[bytes]: ...
    def digest(self, sha256: str) -> str | None: ...


def relative_key(sha256: str) -> str:
    """``ab/cd/abcd…``: where a file with this hash is kept, relative to the store's root."""
    if not _HEX64.match(sha256):
        raise ValueError(f"not a sha256 hex digest: {sha256!r}")
    return f"{sha256[:2]}/{sha256[2:4]}/{sha256}"


@contextmanager
def scratch_file(root: Path) -> Iterator[tuple[BinaryIO, Path]]:
    """A scratch file in ``<root>/tmp`` for an upload in progress; removed afterwards unless moved away."""
    tmp = Path(root) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    fd, name = tempfile.mkstemp(dir=tmp, prefix="upload-")
    path = Path(name)
    try:
        with os.fdopen(fd, "wb") as fh:
            yield fh, path
    finally:
        path.unlink(missing_ok=True)


def hash_chunks(chunks: Iterable[bytes]) -> str:
    """The sha256 of a stream of chunks."""
    h = hashlib.sha256()
    for chunk in chunks:
        h.update(chunk)
    return h.hexdigest()


class DirectoryStore:
    """Files under their hash in a directory tree."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it is there)."""
        return self.root / relative_key(sha256)

    def temp_file(self) -> contextlib.AbstractContextManager[tuple[BinaryIO, Path]]:
        """A scratch file beside the store for an upload in progress; removed afterwards unless kept by :meth:`put`."""
        return scratch_file(self.root)

    def put(self, source: Path, sha256: str) -> Path:
        """Move the finished upload at ``source`` into place (or drop it when the content is already stored)."""
        target = self.path(sha256)
        if target.exists():
            source.unlink(missing_ok=True)
            return target
        target.parent.mkdir(parents=True, exist_ok=True)
        os.chmod(source, 0o440)
        os.replace(source, target)
        return target

    def exists(self, sha256: str) -> bool:
        """Whether the file is stored."""
        return self.path(sha256).is_file()

    def open(self, sha256: str) -> BinaryIO:
        """The stored file, for reading."""
        return self.path(sha256).open("rb")

    def iter_bytes(self, sha256: str) -> Iterator[bytes]:
        """The stored file in chunks (for streaming responses and ZIPs)."""
        with self.open(sha256) as fh:
            while chunk := fh.read(CHUNK):
                yield chunk

    def digest(self, sha256: str) -> str | None:
        """The sha256 of what is stored under ``sha256`` now (None when the file is missing)."""
        if not self.path(sha256).is_file():
            return None
        return hash_chunks(self.iter_bytes(sha256))


def scratch_dir() -> Path:
    """``<storage_dir>/tmp``, created: where uploads, case files and spooled objects are written on the way,
    whichever store keeps the files."""
    tmp = Path(get_settings().storage_dir) / "tmp"
    tmp.mkdir(parents=True, exist_ok=True)
    return tmp


def get_store() -> Store:
    """The configured store: the S3-compatible object store when ``OGI_S3_BUCKET`` is set, else the
    directory ``OGI_STORAGE_DIR`` (default ``var/files``)."""
    settings = get_settings()
    if settings.s3_bucket:
        from service.files.s3store import S3Store

        return S3Store.from_settings(settings)
    return DirectoryStore(settings.storage_dir)
