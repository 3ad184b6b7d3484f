"""Content-addressed files in an S3-compatible object store (MinIO, Ceph RGW, a cloud bucket), selected
by ``OGI_S3_BUCKET``.

Same keys as the directory store (``<prefix>ab/cd/abcd…``). An upload is received into
``<storage_dir>/tmp`` (hashed and sniffed there, as always), then sent to the bucket by boto3's
managed transfer, in parts for a large file, and the scratch file is removed; nothing holds a whole
file in memory. Reading for the case file spools the object to a temporary file past 8 MB (pypdf
and Pillow need to seek). Objects are written once and never overwritten: a file already stored is
not sent again.
"""

from __future__ import annotations

import contextlib
import tempfile
from collections.abc import Iterator
from functools import lru_cache
from pathlib import Path
from typing import Any, BinaryIO

from service.files.storage import CHUNK, hash_chunks, relative_key, scratch_file

SPOOL = 8 * 1024 * 1024
_MISSING = ("404", "NoSuchKey", "NotFound")


@lru_cache(maxsize=8)
def _client(endpoint: str, region: str, access_key: str, secret_key: str) -> Any:
    # A boto3 client takes ~0.1 s to build and is thread-safe: one per configuration and process.
    import boto3
    from botocore.config import Config

    return boto3.client("s3", endpoint_url=endpoint or None, region_name=region or None,
                        aws_access_key_id=access_key or None, aws_secret_access_key=secret_key or None,
                        config=Config(signature_version="s3v4", s3={"addressing_style": "path"},
                                      retries={"max_attempts": 5, "mode": "standard"}))


def _missing(exc: Exception) -> bool:
    code = str(getattr(exc, "response", {}).get("Error", {}).get("Code", ""))
    return code in _MISSING


class S3Store:
    """Files under their hash in a bucket of an S3-compatible object store."""

    def __init__(self, *, client: Any, bucket: str, prefix: str, scratch: Path) -> None:
        self.client, self.bucket, self.prefix, self.scratch = client, bucket, prefix, Path(scratch)

    @classmethod
    def from_settings(cls, settings: Any) -> S3Store:
        """The store that ``OGI_S3_*`` configure (credentials from the settings, else boto3's usual chain)."""
        client = _client(settings.s3_endpoint_url, settings.s3_region, settings.s3_access_key, settings.s3_secret_key)
        prefix = settings.s3_prefix.strip("/")
        return cls(client=client, bucket=settings.s3_bucket, prefix=f"{prefix}/" if prefix else "",
                   scratch=settings.storage_dir)

    def key(self, sha256: str) -> str:
        """The object key of the file with this hash."""
        return self.prefix + relative_key(sha256)

    def temp_file(self) -> contextlib.AbstractContextManager[tuple[BinaryIO, Path]]:
        """A local scratch file for an upload in progress (sent to the bucket by :meth:`put`)."""
        return scratch_file(self.scratch)

    def put(self, source: Path, sha256: str) -> str:
        """Send the finished upload at ``source`` to the bucket (unless already stored), then remove it."""
        from boto3.s3.transfer import TransferConfig

        key = self.key(sha256)
        try:
            if not self.exists(sha256):
                self.client.upload_file(str(source), self.bucket, key,
                                        Config=TransferConfig(multipart_threshold=SPOOL, multipart_chunksize=SPOOL,
                                                              max_concurrency=2))
        finally:
            source.unlink(missing_ok=True)
        return key

    def exists(self, sha256: str) -> bool:
        """Whether the object is stored."""
        from botocore.exceptions import ClientError

        try:
            self.client.head_object(Bucket=self.bucket, Key=self.key(sha256))
        except ClientError as exc:
            if _missing(exc):
                return False
            raise
        return True

    def open(self, sha256: str) -> BinaryIO:
        """The stored file as a seekable file object (in memory up to 8 MB, on disk beyond)."""
        from botocore.exceptions import ClientError

        (self.scratch / "tmp").mkdir(parents=True, exist_ok=True)
        fh = tempfile.SpooledTemporaryFile(max_size=SPOOL, dir=self.scratch / "tmp")  # noqa: SIM115  (returned open)
        try:
            self.client.download_fileobj(self.bucket, self.key(sha256), fh)
        except ClientError as exc:
            fh.close()
            if _missing(exc):
                raise FileNotFoundError(self.key(sha256)) from exc
            raise
        fh.seek(0)
        return fh  # type: ignore[return-value]

    def iter_bytes(self, sha256: str) -> Iterator[bytes]:
        """The stored object in chunks, as it comes from the store (streaming responses and ZIPs)."""
        body = self.client.get_object(Bucket=self.bucket, Key=self.key(sha256))["Body"]
        try:
            yield from body.iter_chunks(CHUNK)
        finally:
            body.close()

    def digest(self, sha256: str) -> str | None:
        """The sha256 of what the bucket holds under this hash now (None when the object is missing)."""
        from botocore.exceptions import ClientError

        try:
            return hash_chunks(self.iter_bytes(sha256))
        except ClientError as exc:
            if _missing(exc):
                return None
            raise
