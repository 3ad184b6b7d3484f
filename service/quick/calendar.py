"""`ogi calendar due` and `ogi calendar explain`, answered from :mod:`workflow.calendar` alone (the
same calendar, data directories and wording as :mod:`service.calendar.cli`) when the calendar directory
already holds every calendar installed in the database (:mod:`service.quick.installed`)."""

from __future__ import annotations

import hashlib
import os
import pickle
from datetime import date
from pathlib import Path

from service.quick.installed import directory_is_current
from service.quick.settings import ROOT, setting

WEEKDAYS = "一二三四五六日"
REASONS = {"weekend": "周末", "holiday": "节假日", "pause": "暂停计算", "regional": "地方节日"}


def _parse(args: list[str]) -> tuple[str, date, int, str | None] | None:
    """(command, start, days, region) from ``calendar due|explain DATE [-d N] [-r CODE]``; None for
    anything else (help, a bad date or number, an unknown option: the full CLI says what is wrong)."""
    command, rest = args[1], args[2:]
    day: date | None = None
    days, region = 20, None
    i = 0
    while i < len(rest):
        arg = rest[i]
        name, eq, inline = arg.partition("=")
        if name in ("--days", "-d", "--region", "-r"):
            if eq:
                value = inline
            elif i + 1 < len(rest):
                i += 1
                value = rest[i]
            else:
                return None
            if name in ("--days", "-d"):
                try:
                    days = int(value)
                except ValueError:
                    return None
                if days < 0:
                    return None
            else:
                region = value
        elif arg.startswith("-") or day is not None:
            return None
        else:
            try:
                day = date.fromisoformat(arg)
            except ValueError:
                return None
        i += 1
    if day is None:
        return None
    return command, day, days, region


def _state(folder: Path, pattern: str) -> list[tuple[str, int, int]]:
    try:
        return sorted((str(p), p.stat().st_mtime_ns, p.stat().st_size) for p in folder.rglob(pattern))
    except OSError:
        return []


def _calendar(code: str | None, calendar_dir: Path):  # type: ignore[no-untyped-def]
    """The built calendar, from a cache file when nothing it depends on has changed.

    Building the calendar checks every day of the supported years (about 0.1 s); a new process would
    do it for every `ogi calendar due`. The cache key covers the region, the installed and shipped
    data files and the calendar code itself (names, modification times, sizes), so any change
    rebuilds. The cache lives under the project's own ``var/cache`` (created 0700): a pickle is only
    ever read from a directory no other user can write to.
    """
    from workflow.calendar import get_calendar

    package = Path(__import__("workflow.calendar", fromlist=["x"]).__file__).parent
    key = repr((code, str(calendar_dir), _state(calendar_dir, "*.toml"), _state(package, "*.toml"),
                _state(package, "*.py")))
    folder = ROOT / "var" / "cache" / "calendar"
    path = folder / (hashlib.sha256(key.encode()).hexdigest() + ".pickle")
    try:
        if folder.stat().st_uid == os.getuid() and not folder.stat().st_mode & 0o022:
            with path.open("rb") as f:
                return pickle.load(f)
    except (OSError, pickle.PickleError, EOFError, AttributeError, ImportError):
        pass
    cal = get_calendar(code, extra_dirs=(calendar_dir,))
    try:
        folder.mkdir(mode=0o700, parents=True, exist_ok=True)
        for old in folder.glob("*.pickle"):
            old.unlink(missing_ok=True)  # one current entry per region is enough
        tmp = path.with_suffix(f".{os.getpid()}.tmp")
        tmp.write_bytes(pickle.dumps(cal, protocol=pickle.HIGHEST_PROTOCOL))
        tmp.replace(path)
    except OSError:
        pass  # a read-only installation just builds every time
    return cal


def run(args: list[str]) -> int | None:
    """Answer the command, or None to leave it to the full CLI (including every calendar error)."""
    parsed = _parse(args)
    if parsed is None:
        return None
    command, start, days, region = parsed
    from workflow.calendar import CalendarError

    calendar_dir = Path(setting("calendar_dir"))
    if not directory_is_current(setting("database_url"), calendar_dir):
        return None  # a calendar installed in the database is not here yet: the full CLI copies it, then answers
    code = setting("region") if region is None else region
    try:
        cal = _calendar(code or None, calendar_dir)
        cal.is_working_day(start)
        due = cal.add_working_days(start, days)
        provisional = cal.provisional_between(start, due)
        explained = cal.explain(start, days) if command == "explain" else []
    except CalendarError:
        return None  # the full CLI words the error
    if command == "due":
        print(due.isoformat())
        if provisional:
            print("provisional")
        return 0
    for e in explained:
        what = f"第{e.ordinal}个工作日" if e.counted else f"不计：{REASONS.get(e.reason or '', e.reason)}"
        print(f"{e.day.isoformat()} 周{WEEKDAYS[e.day.weekday()]}  {what}  {e.label or ''}".rstrip())
    print(f"due {due.isoformat()}" + (" (provisional)" if provisional else ""))
    return 0
