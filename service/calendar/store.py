"""Installed calendars live in the database; each server keeps a copy in ``settings.calendar_dir``
that the calendar loader reads, refreshed from the database at most every few seconds.

So every server answers with the same calendar shortly after an installation on any of them, and a
backup of the database carries the calendars. The directory is a cache: a file there whose key the
database also holds is overwritten with the database's copy.
"""

from __future__ import annotations

import logging
import os
import threading
import time
from pathlib import Path

from sqlalchemy import select

from service.calendar.models import CalendarDocument
from service.settings import get_settings
from workflow.calendar.registry import installed_path as target_path

log = logging.getLogger(__name__)
# Seconds between two looks at the database (one small query); an installation reaches every server
# within this time.
REFRESH_SECONDS = 2.0

_lock = threading.Lock()
_state: dict[tuple[str, str], tuple[str, float]] = {}  # (url, dir) → (fingerprint of what is on disk, checked at)


def write_atomic(path: Path, data: bytes) -> None:
    """Replace ``path`` so readers see the old file or the new one, never half of it (the temporary
    name does not end in .toml, so it is never read as data)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(f".toml.{os.getpid()}.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def refresh(*, force: bool = False) -> None:
    """Bring ``settings.calendar_dir`` in line with the database (throttled; never raises: without a
    database, or before it is migrated, the directory is used as it is)."""
    settings = get_settings()
    slot = (settings.database_url, str(settings.calendar_dir))
    now = time.monotonic()
    seen = _state.get(slot)
    if not force and seen is not None and now - seen[1] < REFRESH_SECONDS:
        return
    if not _lock.acquire(blocking=force):
        return  # another thread is refreshing right now
    try:
        _state[slot] = (seen[0] if seen else "", now)
        from service.db import get_engine

        engine = get_engine().execution_options(ogi_readonly=True)
        table = CalendarDocument.__table__  # type: ignore[attr-defined]
        with engine.connect() as conn:
            heads = conn.execute(select(table.c.id, table.c.kind, table.c.key, table.c.sha256)
                                 .order_by(table.c.id)).all()
            fingerprint = ";".join(f"{r.kind}/{r.key}={r.sha256}" for r in heads)
            if seen is not None and fingerprint == seen[0] and not force:
                return
            for row in heads:
                path = target_path(Path(settings.calendar_dir), row.kind, row.key)
                data = conn.execute(select(table.c.data).where(table.c.id == row.id)).scalar_one().encode("utf-8")
                if not path.exists() or path.read_bytes() != data:
                    write_atomic(path, data)
        _state[slot] = (fingerprint, now)
    except Exception as exc:  # no database, not migrated yet, unreachable: keep serving from the directory
        log.debug("calendar refresh from the database skipped: %s", exc)
    finally:
        _lock.release()


def forget() -> None:
    """Forget when the directory was last refreshed (tests, after changing settings)."""
    _state.clear()
