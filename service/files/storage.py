"""Content-addressed file store: each file is kept once, under its sha256, in ``settings.storage_dir``.

Layout: ``<root>/ab/cd/abcd…`` (the full hash as the name), with ``<root>/tmp`` for uploads in
progress (same file system, so finishing an upload is an atomic rename). A file that is already
stored is not written again. ``ogi backup`` copies the whole directory.

Only the directory store exists: no S3-compatible server could be installed on the build machine to
test against, and untested storage code is not shipped (docs/files.md).
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import BinaryIO

from service.settings import get_settings

CHUNK = 1024 * 1024
_HEX64 = re.compile(r"^[0-9a-f]{64}$")


class DirectoryStore:
    """Files under their hash in a directory tree."""

    def __init__(self, root: Path) -> None:
        self.root = Path(root)

    def path(self, sha256: str) -> Path:
        """Where the file with this hash lives (whether or not it is there)."""
        if not _HEX64.match(sha256):
            raise ValueError(f"not a sha256 hex digest: {sha256!r}")
        return self.root / sha256[:2] / sha256[2:4] / sha256

    @contextmanager
    def temp_file(self) -> Iterator[tuple[BinaryIO, Path]]:
        """A scratch file beside the store for an upload in progress; removed afterwards unless kept by :meth:`put`."""
        tmp = self.root / "tmp"
        tmp.mkdir(parents=True, exist_ok=True)
        fd, name = tempfile.mkstemp(dir=tmp, prefix="upload-")
        path = Path(name)
        try:
            with os.fdopen(fd, "wb") as fh:
                yield fh, path
        finally:
            path.unlink(missing_ok=True)

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
        path = self.path(sha256)
        if not path.is_file():
            return None
        h = hashlib.sha256()
        with path.open("rb") as fh:
            while chunk := fh.read(CHUNK):
                h.update(chunk)
        return h.hexdigest()


def get_store() -> DirectoryStore:
    """The store configured by ``OGI_STORAGE_DIR`` (default ``var/files``)."""
    return DirectoryStore(get_settings().storage_dir)
