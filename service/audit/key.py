"""The audit key: HMAC-SHA256 key of every chain, kept in a file apart from the database.

Someone who can write the database but not read this file cannot re-hash an edited chain so that it
verifies. The file is created (mode 0600) the first time anything is recorded; back it up apart from
the database backups, and keep it as long as the records.
"""

from __future__ import annotations

import hashlib
import os
import secrets
from functools import lru_cache
from pathlib import Path

from service.settings import get_settings


class AuditKeyMissing(RuntimeError):
    """No audit key file where the settings say: nothing keyed can be verified."""


def key_path() -> Path:
    """Where the audit key lives (setting ``audit_key_file``, ``OGI_AUDIT_KEY_FILE``)."""
    return Path(get_settings().audit_key_file)


def audit_key(*, create: bool = True) -> bytes:
    """The audit key; created on first use when ``create`` (writers), else AuditKeyMissing (verify)."""
    return _load(str(key_path()), create)


@lru_cache(maxsize=8)
def _load(path_text: str, create: bool) -> bytes:
    path = Path(path_text)
    if not path.exists():
        if not create:
            raise AuditKeyMissing(f"no audit key at {path} (set OGI_AUDIT_KEY_FILE to the deployment's key file)")
        path.parent.mkdir(parents=True, exist_ok=True)
        try:
            # O_EXCL: two processes starting at once end up with one key, the first one written.
            fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            pass
        else:
            with os.fdopen(fd, "w") as fh:
                fh.write(secrets.token_hex(32) + "\n")
    text = path.read_text(encoding="ascii").strip()
    if len(text) < 32:
        raise AuditKeyMissing(f"the audit key at {path} is too short (need at least 32 hex characters)")
    return bytes.fromhex(text) if all(c in "0123456789abcdefABCDEF" for c in text) else text.encode()


def key_id(key: bytes) -> str:
    """A short public name of the key (printed on checkpoints; reveals nothing of the key)."""
    return hashlib.sha256(b"ogi-audit-key-id:" + key).hexdigest()[:16]


def clear_cache() -> None:
    """Forget loaded keys (tests that change OGI_AUDIT_KEY_FILE)."""
    _load.cache_clear()
