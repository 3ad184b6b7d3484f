"""The deployment's secret key (signs the web desk's session cookies and their CSRF tokens).

There is no default: a key anybody can read in the source lets anybody sign a session cookie for any
user. The key lives in a file only the service user can read (``settings.secret_key_file``, default
``var/secret_key``, mode 0600), written by ``ogi init`` or by the first ``ogi serve``. ``OGI_SECRET_KEY``
in the environment overrides the file (for containers whose secrets arrive that way). A key that is
short, has too little variety, or is one of the well-known placeholders is refused with a message
that says what to do; so is a key file that other users may read.

Rotation: :func:`rotate` writes a fresh key atomically; every web session then ends (users log in
again). API tokens are stored as hashes, not signed with this key, so they keep working.
"""

from __future__ import annotations

import os
import secrets
import stat
from pathlib import Path

from service.settings import Settings, get_settings

MIN_LENGTH = 32
# Placeholders seen in this project's history and in examples everywhere: never accepted.
KNOWN_KEYS = frozenset({
    "change-me-in-production", "changeme", "change-me", "change_me", "secret", "secret-key", "secret_key",
    "browser-test-secret", "dev", "development", "test", "testing", "password", "default", "insecure",
    "django-insecure", "your-secret-key", "supersecret", "ogi", "ogi-desk",
})


class SecretKeyError(Exception):
    """No usable secret key; the message says what is wrong and how to fix it."""


def generate() -> str:
    """A fresh random key (256 bits, URL-safe text)."""
    return secrets.token_urlsafe(32)


def check(key: str, *, origin: str) -> str:
    """``key`` stripped, or SecretKeyError naming ``origin`` when it is a placeholder, short or repetitive."""
    key = key.strip()
    if not key:
        raise SecretKeyError(f"{origin} is empty")
    if key.lower() in KNOWN_KEYS:
        raise SecretKeyError(f"{origin} is a well-known placeholder ({key!r}); anyone could sign session "
                             "cookies with it")
    if len(key) < MIN_LENGTH:
        raise SecretKeyError(f"{origin} is too short ({len(key)} characters; at least {MIN_LENGTH})")
    if len(set(key)) < 10:
        raise SecretKeyError(f"{origin} has too little variety ({len(set(key))} distinct characters)")
    return key


def write_new(path: Path) -> str:
    """Write a fresh key to ``path`` (mode 0600, atomically replacing any old one) and return it."""
    path.parent.mkdir(parents=True, exist_ok=True)
    key = generate()
    tmp = path.with_name(path.name + f".tmp{os.getpid()}")
    # Created 0600 from the start: there is no moment at which another user could open it.
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    try:
        os.write(fd, (key + "\n").encode())
        os.fsync(fd)
    finally:
        os.close(fd)
    os.replace(tmp, path)
    return key


def _read_file(path: Path) -> str:
    mode = path.stat().st_mode
    if mode & (stat.S_IRWXG | stat.S_IRWXO):
        raise SecretKeyError(f"secret key file {path} may be read by other users (mode {stat.S_IMODE(mode):o}); "
                             f"run: chmod 600 {path}")
    return check(path.read_text(encoding="utf-8"), origin=f"secret key file {path}")


def load(settings: Settings | None = None, *, create: bool = False) -> str:
    """The key to sign with: ``OGI_SECRET_KEY`` if set, else the key file (made now when ``create``).

    Raises SecretKeyError with the remedy when there is none or it is unfit.
    """
    settings = settings or get_settings()
    if settings.secret_key:
        return check(settings.secret_key, origin="OGI_SECRET_KEY")
    path = Path(settings.secret_key_file)
    if not path.exists():
        if not create:
            raise SecretKeyError(f"no secret key: {path} does not exist. Run `ogi init` (or `ogi serve`, "
                                 "which creates it on first start), or set OGI_SECRET_KEY_FILE to your key file")
        write_new(path)
    return _read_file(path)


def rotate(settings: Settings | None = None) -> Path:
    """Replace the key file with a fresh key; every web session signed with the old one ends."""
    settings = settings or get_settings()
    if settings.secret_key:
        raise SecretKeyError("OGI_SECRET_KEY is set in the environment: change it there, not in a file")
    path = Path(settings.secret_key_file)
    write_new(path)
    return path


_cache: dict[tuple[str, str], str] = {}


def current() -> str:
    """The key for the current settings, loaded once per key source (never created here)."""
    settings = get_settings()
    source = (settings.secret_key, str(settings.secret_key_file))
    key = _cache.get(source)
    if key is None:
        key = _cache[source] = load(settings)
    return key


def forget() -> None:
    """Drop the cached key (after a rotation in this process, and in tests)."""
    _cache.clear()
