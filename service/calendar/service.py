"""Calendar business logic for the API and CLI: due dates, explanations, schedules, installing data files.

The calendar itself is pure (:mod:`workflow.calendar`); this layer adds the installed data directory
(``settings.calendar_dir``), the default region, and the hand-over to running cases after an import.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from service.calendar.schemas import DueOut, ExplainedDayOut, ExplainOut, NamedDay, YearScheduleOut
from service.settings import get_settings
from workflow.calendar import (
    CalendarError,
    CalendarFileError,
    WorkingCalendar,
    get_calendar,
    load_year_file,
)
from workflow.calendar.files import is_region_document, parse_region_file


class OutOfRange(CalendarError):
    """A date or period the calendar cannot answer for; ``field`` names the input at fault."""

    def __init__(self, field: str, message: str) -> None:
        super().__init__(message)
        self.field = field


def calendar(region: str | None = None) -> WorkingCalendar:
    """The calendar for ``region`` (None: the configured default, "" : national) with installed files."""
    settings = get_settings()
    code = settings.region if region is None else region
    return get_calendar(code or None, extra_dirs=(settings.calendar_dir,))


def _due(cal: WorkingCalendar, start: date, days: int) -> date:
    try:
        cal.is_working_day(start)
    except CalendarError as exc:
        raise OutOfRange("start", str(exc)) from exc
    try:
        return cal.add_working_days(start, days)
    except CalendarError as exc:
        raise OutOfRange("days", str(exc)) from exc


def due(*, start: date, days: int, region: str | None = None) -> DueOut:
    """The due date of ``days`` working days from ``start`` and whether it is provisional."""
    cal = calendar(region)
    end = _due(cal, start, days)
    return DueOut(start=start, days=days, due=end, provisional=cal.provisional_between(start, end),
                  region=cal.region)


def explain(*, start: date, days: int, region: str | None = None) -> ExplainOut:
    """The due date with every day from the day after ``start`` to it: counted or not, and why."""
    cal = calendar(region)
    end = _due(cal, start, days)
    listed = [ExplainedDayOut(date=e.day, counted=e.counted, ordinal=e.ordinal, reason=e.reason, label=e.label)
              for e in cal.explain(start, days)]
    return ExplainOut(start=start, days=days, due=end, provisional=cal.provisional_between(start, end),
                      region=cal.region, days_list=listed)


def year_schedule(*, year: int, region: str | None = None) -> YearScheduleOut:
    """A year's days off and make-up working days with names, source and provisional flag."""
    cal = calendar(region)
    try:
        sched = cal.year_schedule(year)
    except CalendarError as exc:
        raise OutOfRange("year", str(exc)) from exc
    return YearScheduleOut(
        year=year, region=cal.region, provisional=sched.provisional, source=sched.source,
        fingerprint=cal.fingerprint,
        days_off=[NamedDay(date=d, name=n) for d, n in sched.days_off],
        makeup_days=[NamedDay(date=d, name=n) for d, n in sched.makeup_days])


@dataclass(frozen=True, slots=True)
class Installed:
    """A data file installed into the calendar directory."""

    kind: str  # "year" or "region"
    key: str  # "2027" or "gx"
    source: str
    path: Path
    previous: bytes | None  # what the file held before (None: it is new), to undo the install
    unchanged: bool


def install_file(path: Path) -> Installed:
    """Validate a national year file or regional overlay and install it into ``settings.calendar_dir``.

    Raises CalendarFileError naming the problem; nothing is written then. The file is replaced
    atomically, and the whole calendar is built once from the new data before the call returns.
    """
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read: {exc.strerror or exc}") from exc
    target_dir = get_settings().calendar_dir
    if is_region_document(data):
        region = parse_region_file(data, str(path))  # installed under its code, whatever the file is called
        kind, key, source, target = "region", region.code, region.source, target_dir / "regions" / f"{region.code}.toml"
    else:
        year = load_year_file(path)
        kind, key, source, target = "year", str(year.year), year.source, target_dir / f"{year.year}.toml"
    previous = target.read_bytes() if target.exists() else None
    installed = Installed(kind, key, source, target, previous, unchanged=previous == data)
    if not installed.unchanged:
        _write_atomic(target, data)
        try:
            calendar(key if kind == "region" else "")
        except CalendarError:
            uninstall(installed)
            raise
    return installed


def uninstall(installed: Installed) -> None:
    """Put back what the calendar directory held before :func:`install_file`."""
    if installed.previous is None:
        installed.path.unlink(missing_ok=True)
    else:
        _write_atomic(installed.path, installed.previous)


def _write_atomic(path: Path, data: bytes) -> None:
    # Readers (other processes building a calendar) see the old file or the new one, never half of it;
    # the temporary name does not end in .toml, so it is never read as data.
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".toml.tmp")
    tmp.write_bytes(data)
    os.replace(tmp, path)


def import_file(path: Path) -> tuple[Installed, int]:
    """Install a calendar file and recompute the open requests' due dates; return it and how many changed.

    A job with its own transaction (like the CLI's): the file and the recomputed due dates go
    together, so if the recomputation or its commit fails the install is undone and nothing changed.
    """
    installed = install_file(path)
    if installed.unchanged:
        return installed, 0
    try:
        from service.db import transaction
        from service.requests.recalc import recompute_open_requests

        with transaction() as session:
            changed = recompute_open_requests(session=session,
                                              reason=f"calendar import: {installed.kind} {installed.key}")
    except BaseException:
        uninstall(installed)
        raise
    return installed, changed
