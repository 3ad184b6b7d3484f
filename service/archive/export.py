"""Writing case files to disk: one case's PDF or ZIP, and a unit's whole year (``ogi archive export``).

The year export goes case by case: each case's PDF and ZIP are written and closed before the next is
read, the database is read in batches and the session's identity map is emptied after each case, and
the index (``目录.csv``) is written line by line, so memory stays flat however large the year is.
"""

from __future__ import annotations

import csv
import os
import tempfile
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path

from sqlmodel import Session

from service.agencies.models import Agency
from service.archive import repository
from service.archive.casefile import write_case_pdf
from service.archive.casezip import write_case_zip
from service.archive.models import ArchiveRecord
from service.base import utcnow
from service.files.storage import Store, get_store, scratch_dir
from service.requests.context import local_today
from service.requests.models import RequestRecord
from workflow.errors import InvalidField


def _today(session: Session, record: RequestRecord):  # type: ignore[no-untyped-def]
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    return local_today(agency, utcnow())


def file_stem(session: Session, record: RequestRecord) -> str:
    """The download name of a case file: its 档号 when archived, else its request number."""
    row = repository.for_request(session=session, request_id=record.id)  # type: ignore[arg-type]
    return row.number if row else record.number


def write_pdf_file(*, session: Session, record: RequestRecord, path: Path) -> str:
    """Write the case-file PDF to ``path``; returns the file's stem (档号 or request number)."""
    with path.open("wb") as out:
        write_case_pdf(session=session, record=record, out=out, store=get_store(), today=_today(session, record))
    return file_stem(session, record)


def write_zip_file(*, session: Session, record: RequestRecord, path: Path) -> str:
    """Write the case-file ZIP (originals, PDF, manifest) to ``path``; returns the file's stem."""
    store = get_store()
    with path.open("wb") as out, tempfile.TemporaryFile(dir=scratch_dir()) as scratch:
        write_case_zip(session=session, record=record, out=out, store=store, today=_today(session, record),
                       scratch=scratch)
    return file_stem(session, record)


@dataclass(frozen=True)
class ExportReport:
    """What a year export wrote."""

    cases: int
    out: Path


def export_year(*, session: Session, agency_code: str, year: int, out: Path,
                progress: Callable[[int, int], None] | None = None) -> ExportReport:
    """Write every archived case of a unit's 年度 to ``out``: ``<档号>.pdf``, ``<档号>.zip`` and the
    index ``目录.csv``; ``progress(done, total)`` after each case."""
    from sqlmodel import select

    agency = session.exec(select(Agency).where(Agency.code == agency_code)).first()
    if agency is None:
        raise InvalidField("agency", f"unknown agency {agency_code!r}", code="archive.unknown_unit", unit=agency_code)
    if not 1900 <= year <= 9999:
        raise InvalidField("year", "not a year", code="archive.year_invalid", year=year)
    out.mkdir(parents=True, exist_ok=True)
    total = repository.count_year(session=session, agency_id=agency.id, year=year)  # type: ignore[arg-type]
    done = 0
    store = get_store()
    with (out / "目录.csv").open("w", encoding="utf-8-sig", newline="") as index:
        writer = csv.writer(index)
        writer.writerow(["档号", "申请编号", "申请人", "保管期限", "归档日期", "PDF", "ZIP"])
        for archive_id in repository.iter_year(session=session, agency_id=agency.id, year=year):  # type: ignore[arg-type]
            row = session.get(ArchiveRecord, archive_id)
            record = session.get(RequestRecord, row.request_id) if row else None
            assert row is not None and record is not None
            stem = row.number
            _write_both(session=session, record=record, pdf=out / f"{stem}.pdf", zip_=out / f"{stem}.zip", store=store)
            writer.writerow([row.number, record.number, record.applicant_name, row.retention,
                             row.archived_on.isoformat(), f"{stem}.pdf", f"{stem}.zip"])
            done += 1
            # Forget what this case loaded: the identity map would otherwise grow with the year.
            session.expunge_all()
            if progress:
                progress(done, total)
    return ExportReport(cases=done, out=out)


def _partial(target: Path) -> Path:
    fd, name = tempfile.mkstemp(dir=target.parent, prefix=".partial-")
    os.close(fd)
    return Path(name)


def _write_both(*, session: Session, record: RequestRecord, pdf: Path, zip_: Path, store: Store) -> None:
    """The case's PDF and ZIP from one rendering (the ZIP carries the same PDF). Both are written beside
    their targets and renamed, so an interrupted export never leaves a half file named as done."""
    tmp_pdf, tmp_zip = _partial(pdf), _partial(zip_)
    try:
        with tmp_zip.open("wb") as out, tmp_pdf.open("w+b") as scratch:
            write_case_zip(session=session, record=record, out=out, store=store, today=_today(session, record),
                           scratch=scratch)
        os.replace(tmp_pdf, pdf)
        os.replace(tmp_zip, zip_)
    finally:
        tmp_pdf.unlink(missing_ok=True)
        tmp_zip.unlink(missing_ok=True)
