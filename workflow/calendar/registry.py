"""Where calendars come from: one cached :class:`WorkingCalendar` per region and data directories."""

from __future__ import annotations

import os
from collections.abc import Sequence
from functools import lru_cache
from pathlib import Path

from workflow.calendar.index import WorkingCalendar
from workflow.calendar.schedule import load_data, region_paths


def _dir_state(folder: Path) -> tuple[tuple[str, int, int], ...]:
    """Name, mtime and size of every data file below ``folder`` (cheap: a few stat calls)."""
    state = []
    for sub in (folder, folder / "regions"):
        try:
            entries = list(os.scandir(sub))
        except OSError:
            continue
        for entry in entries:
            if entry.name.endswith(".toml") and entry.is_file():
                st = entry.stat()
                state.append((f"{sub.name}/{entry.name}", st.st_mtime_ns, st.st_size))
    return tuple(sorted(state))


@lru_cache(maxsize=32)
def _build(region: str | None, dirs: tuple[Path, ...], state: tuple[object, ...]) -> WorkingCalendar:
    # ``state`` only makes the cache key change when an installed file does.
    return WorkingCalendar(load_data(region, dirs))


def installed_path(folder: Path, kind: str, key: str) -> Path:
    """Where an installed national year file (``kind`` "year", ``key`` "2027") or regional overlay
    (``kind`` "region", ``key`` "gx") goes in a calendar directory, so that :func:`get_calendar` reads it."""
    return folder / "regions" / f"{key}.toml" if kind == "region" else folder / f"{key}.toml"


def get_calendar(region: str | None = None, extra_dirs: Sequence[Path] = ()) -> WorkingCalendar:
    """The calendar for ``region`` (None or "" = national), with year files installed in ``extra_dirs``.

    Installed ``<dir>/YYYY.toml`` files override the shipped year of the same number and
    ``<dir>/regions/<code>.toml`` the shipped overlay; later directories win. The result is cached
    per region and directories, and rebuilt when a file in those directories changes.
    Raises UnknownRegion (a CalendarError) for a region without an overlay, CalendarFileError for a
    malformed data file.
    """
    code = region.strip().lower() if region else None
    dirs = tuple(Path(d) for d in extra_dirs)
    return _build(code or None, dirs, tuple(_dir_state(d) for d in dirs))


def available_regions(extra_dirs: Sequence[Path] = ()) -> list[str]:
    """The region codes that have an overlay (shipped or installed)."""
    return sorted(region_paths(extra_dirs))


def clear_cache() -> None:
    """Forget every built calendar (tests; after changing shipped files in place)."""
    _build.cache_clear()
