"""Whether this server's calendar directory already holds every calendar installed in the database,
read with the stdlib ``sqlite3`` (no SQLAlchemy), so that a quick command may answer from the directory.

Calendars installed on any server are stored in the database; the full app copies them into its
``calendar_dir`` before it answers (:mod:`service.calendar.store`). A quick command cannot do that
copy, so it answers only when there is nothing to copy: the SQLite database holds no calendar, or each
one it holds is in the directory byte for byte. Otherwise (a calendar installed elsewhere and not yet
here, a PostgreSQL database, a database this cannot read) the full command answers, and leaves the
directory up to date for the next quick one.
"""

from __future__ import annotations

import sqlite3
from pathlib import Path

from workflow.calendar.registry import installed_path


def sqlite_file(url: str) -> Path | None:
    """The database file of an SQLAlchemy SQLite URL (``sqlite:///var/ogi.db``, ``sqlite+pysqlite:////srv/ogi.db``);
    None for any other database, an in-memory one or a URL with options (only the full app reads those)."""
    scheme, sep, rest = url.partition(":///")
    if not sep or scheme.split("+")[0] != "sqlite" or "?" in rest or rest in ("", ":memory:"):
        return None
    return Path(rest)


def directory_is_current(database_url: str, calendar_dir: Path) -> bool:
    """True when every calendar the database holds is already in ``calendar_dir`` as stored (or the
    database holds none, or has no calendar table yet: the full app then reads the directory as it is)."""
    path = sqlite_file(database_url)
    if path is None:
        return False
    if not path.exists():
        return True  # no database yet: nothing installed anywhere
    try:
        conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True, timeout=1)
    except sqlite3.Error:
        return False
    try:
        rows = conn.execute("SELECT kind, key, data FROM calendar_document").fetchall()
    except sqlite3.OperationalError as exc:
        return "no such table" in str(exc)  # a database not migrated yet holds no calendar
    except sqlite3.Error:
        return False
    finally:
        conn.close()
    for kind, key, data in rows:
        try:
            if installed_path(calendar_dir, kind, key).read_bytes() != data.encode("utf-8"):
                return False
        except OSError:
            return False
    return True
