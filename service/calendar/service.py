"""Calendar business logic for the API and CLI: due dates, explanations, schedules, installing data files.

The calendar itself is pure (:mod:`workflow.calendar`); this layer adds the installed calendars (kept
in the database, copied to ``settings.calendar_dir`` by :mod:`service.calendar.store`), the default
region, and the hand-over to running cases after an import: a resumable job that recomputes the open
requests' due dates in short batches (:func:`run_jobs`).
"""

from __future__ import annotations

import hashlib
import shutil
import tempfile
import time
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from sqlmodel import col, select

from service.base import utcnow
from service.calendar import store
from service.calendar.models import CalendarDocument, CalendarJob
from service.calendar.schemas import DueOut, ExplainedDayOut, ExplainOut, NamedDay, YearScheduleOut
from service.settings import get_settings
from service.users.models import User
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
    store.refresh()
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
    """A calendar file installed into the database (and the calendar directory)."""

    kind: str  # "year" or "region"
    key: str  # "2027" or "gx"
    source: str
    path: Path
    unchanged: bool  # the same file was installed already and its recomputation had finished
    job_id: int | None  # the recomputation job to run (new, or one a crash left unfinished)
    resumed: bool = False  # the same file again, but a crash left its recomputation unfinished


def install_file(path: Path, *, actor_id: int | None = None, actor: str = "") -> Installed:
    """Validate a national year file or regional overlay, store it in the database with a recomputation
    job (one transaction: the file and the job go together), and copy it to the calendar directory.

    ``actor_id`` is the user installing it (their name is recorded with it), ``actor`` a name for one
    who is not a user (``cli:<os user>``, :func:`service.adminlog.service.cli_actor`); the job keeps
    both, and each due date it changes is recorded as their change.

    Raises CalendarFileError naming the problem; nothing is written then. An unchanged file whose job
    a crash left unfinished is not "unchanged": its job is returned to be finished.
    """
    from service.db import transaction

    try:
        data = path.read_bytes()
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read: {exc.strerror or exc}", code="calendar_file.unreadable",
                                detail=str(exc.strerror or exc)) from exc
    folder = Path(get_settings().calendar_dir)
    if is_region_document(data):
        region = parse_region_file(data, str(path))  # installed under its code, whatever the file is called
        kind, key, source = "region", region.code, region.source
    else:
        year = load_year_file(path)
        kind, key, source = "year", str(year.year), year.source
    _check_builds(data, kind, key, folder)
    digest = hashlib.sha256(data).hexdigest()
    with transaction() as session:
        doc = session.exec(select(CalendarDocument).where(CalendarDocument.kind == kind, CalendarDocument.key == key)
                           .with_for_update()).first()
        unchanged = doc is not None and doc.sha256 == digest
        pending = session.exec(select(CalendarJob).where(CalendarJob.status == "running")
                               .order_by(col(CalendarJob.id))).all()
        if unchanged:
            job_id = pending[-1].id if pending else None
        else:
            if doc is None:
                doc = CalendarDocument(kind=kind, key=key, data="", sha256="")
            doc.data, doc.sha256, doc.source = data.decode("utf-8"), digest, source
            doc.installed_by, doc.installed_at = actor_id, utcnow()
            session.add(doc)
            for old in pending:  # the new job recomputes every open request with the newest data anyway
                old.status, old.finished_at = "superseded", utcnow()
                session.add(old)
            if actor_id is not None and not actor:
                user = session.get(User, actor_id)
                actor = user.username if user is not None else ""
            job = CalendarJob(kind=kind, key=key, sha256=digest, reason=f"calendar import: {kind} {key}",
                              actor_id=actor_id, actor=actor)
            session.add(job)
            session.flush()
            job_id = job.id
    store.refresh(force=True)
    return Installed(kind, key, source, store.target_path(folder, kind, key),
                     unchanged=unchanged and job_id is None, job_id=job_id, resumed=unchanged and job_id is not None)


def _check_builds(data: bytes, kind: str, key: str, folder: Path) -> None:
    """Build the calendar from what is installed plus ``data`` in a scratch directory (CalendarError if not)."""
    store.refresh(force=True)
    with tempfile.TemporaryDirectory(prefix="ogi-calendar-check-") as tmp:
        scratch = Path(tmp) / "calendars"
        if folder.exists():
            shutil.copytree(folder, scratch, ignore=shutil.ignore_patterns("*.tmp"))
        store.write_atomic(store.target_path(scratch, kind, key), data)
        get_calendar(key if kind == "region" else None, extra_dirs=(scratch,))


def run_jobs(*, batch_size: int | None = None) -> int:
    """Finish every unfinished recomputation job, one short transaction per batch of open requests;
    return how many due dates changed. Safe to run in several processes at once (the job row is locked
    per batch) and to kill at any moment (the next run continues after the last committed batch)."""
    from service.db import transaction
    from service.requests.recalc import recompute_batch

    size = batch_size or get_settings().calendar_batch_size
    pause = get_settings().calendar_batch_pause_ms / 1000
    changed = 0
    while True:
        with transaction() as session:
            job = session.exec(select(CalendarJob).where(CalendarJob.status == "running")
                               .order_by(col(CalendarJob.id)).limit(1).with_for_update()).first()
            if job is None:
                return changed
            store.refresh(force=True)  # this process recomputes with the job's calendar
            last, seen, batch_changed = recompute_batch(session=session, reason=job.reason, after_id=job.cursor,
                                                        limit=size, actor_id=job.actor_id, actor=job.actor)
            if seen == 0:
                job.status, job.finished_at = "done", utcnow()
            job.cursor, job.done, job.changed = last, job.done + seen, job.changed + batch_changed
            session.add(job)
            changed += batch_changed
        if pause:
            time.sleep(pause)


def import_file(path: Path, *, actor_id: int | None = None, actor: str = "") -> tuple[Installed, int]:
    """Install a calendar file and recompute the open requests' due dates; return it and how many changed
    (a job: importing again after a crash finishes it). ``actor_id``/``actor`` as for :func:`install_file`."""
    installed = install_file(path, actor_id=actor_id, actor=actor)
    if installed.job_id is None:
        return installed, 0
    return installed, run_jobs()


def jobs(*, limit: int = 20) -> list[CalendarJob]:
    """The latest recomputation jobs, newest first."""
    from service.db import transaction

    with transaction(readonly=True) as session:
        return list(session.exec(select(CalendarJob).order_by(col(CalendarJob.id).desc()).limit(limit)))
