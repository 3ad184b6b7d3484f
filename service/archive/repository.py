"""Archive queries: a case's archive record, a unit's year, cases due for disposal review."""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from datetime import date

from sqlmodel import Session, func, select

from service.archive.models import ArchiveRecord


def for_request(*, session: Session, request_id: int) -> ArchiveRecord | None:
    """The archive record of a request, if it is archived."""
    return session.exec(select(ArchiveRecord).where(ArchiveRecord.request_id == request_id)).first()


def count_year(*, session: Session, agency_id: int, year: int) -> int:
    """How many cases a unit archived under one 年度."""
    return int(session.exec(select(func.count()).select_from(ArchiveRecord)
                            .where(ArchiveRecord.agency_id == agency_id, ArchiveRecord.year == year)).one())


def year_ids(*, session: Session, agency_id: int, year: int, after: int = 0, batch: int = 200) -> list[int]:
    """A batch of archive record ids of a unit's year, in 档号 order of creation (keyset after ``after``)."""
    return list(session.exec(select(ArchiveRecord.id).where(ArchiveRecord.agency_id == agency_id,
                                                            ArchiveRecord.year == year, ArchiveRecord.id > after)
                             .order_by(ArchiveRecord.id).limit(batch)))  # type: ignore[arg-type]


def iter_year(*, session: Session, agency_id: int, year: int) -> Iterator[int]:
    """Every archive record id of a unit's year, fetched in batches."""
    last = 0
    while ids := year_ids(session=session, agency_id=agency_id, year=year, after=last):
        yield from ids
        last = ids[-1]


def due_for_review(*, session: Session, agency_ids: Sequence[int], as_of: date, limit: int = 1000) -> list[ArchiveRecord]:
    """Archived cases whose retention period has run by ``as_of`` (for disposal review; never deleted here)."""
    return list(session.exec(select(ArchiveRecord).where(ArchiveRecord.agency_id.in_(agency_ids),  # type: ignore[attr-defined]
                                                         ArchiveRecord.disposal_review_on.is_not(None),  # type: ignore[union-attr]
                                                         ArchiveRecord.disposal_review_on <= as_of)  # type: ignore[operator]
                             .order_by(ArchiveRecord.disposal_review_on, ArchiveRecord.number).limit(limit)))
