"""Every query on the assessment tables."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import Any

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, select

from service.assessment.models import (
    AssessmentAdjustment,
    AssessmentEntryRecord,
    AssessmentEventRecord,
    SchemeAssignment,
)
from service.base import utcnow


def _insert_ignoring_duplicates(*, session: Session, model: type, rows: Sequence[dict[str, Any]]) -> int:
    """INSERT … ON CONFLICT (key) DO NOTHING in batches; returns how many rows were new."""
    if not rows:
        return 0
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = model.__table__  # type: ignore[attr-defined]
    if "created_at" in table.c:  # a Python-side default the Core insert below would not apply
        now = utcnow()
        rows = [row if row.get("created_at") else {**row, "created_at": now} for row in rows]
    added = 0
    for start in range(0, len(rows), 5000):
        table = model.__table__  # type: ignore[attr-defined]  # Core insert: cheaper than the ORM bulk path
        events = model is AssessmentEventRecord
        returned = (table.c.id, table.c.unit, table.c.kind, table.c.on, table.c.amount) if events else (table.c.id,)
        stmt = insert(table).on_conflict_do_nothing(index_elements=["key"]).returning(*returned)
        # RETURNING yields only the rows actually inserted (rowcount is unreliable for batches).
        new = session.execute(stmt, list(rows[start:start + 5000])).all()
        ids = [row[0] for row in new]
        if events:
            from service.assessment.tallies import count_in
            from service.audit.ledger import note

            note(session, "assessment", ids)  # the ORM hooks do not see Core inserts
            count_in(session=session, rows=(tuple(row[1:]) for row in new))  # same transaction as the events
        added += len(ids)
    return added


def insert_events(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Record events not yet in the inbox (by key); the number newly recorded."""
    return _insert_ignoring_duplicates(session=session, model=AssessmentEventRecord, rows=rows)


def insert_entries(*, session: Session, rows: Sequence[dict[str, Any]]) -> int:
    """Record manual entries not yet recorded (by key); the number newly recorded."""
    return _insert_ignoring_duplicates(session=session, model=AssessmentEntryRecord, rows=rows)


def event_by_key(*, session: Session, key: str) -> AssessmentEventRecord | None:
    """The recorded event with ``key``."""
    return session.exec(select(AssessmentEventRecord).where(AssessmentEventRecord.key == key)).first()


def entry_by_key(*, session: Session, key: str) -> AssessmentEntryRecord | None:
    """The recorded entry with ``key``."""
    return session.exec(select(AssessmentEntryRecord).where(AssessmentEntryRecord.key == key)).first()


def events_between(*, session: Session, units: Sequence[str], start: date, end: date,
                   kinds: Sequence[str] | None = None, keys: Sequence[str] | None = None) -> list[Any]:
    """Events of ``units`` dated ``start``..``end``, in the order they were recorded, as rows of the
    columns scoring reads (no ORM objects: a period can hold hundreds of thousands); with ``kinds``
    or ``keys``, only the events of one of those kinds or with one of those keys."""
    e = AssessmentEventRecord
    columns = (e.id, e.kind, e.unit, e.on, e.key, e.subject, e.request_ref, e.amount, e.note, e.details)
    base = select(*columns).where(e.unit.in_(list(units)), e.on >= start, e.on <= end)  # type: ignore[attr-defined,call-overload]
    if not units:
        return []
    if kinds is None and keys is None:
        return list(session.execute(base.order_by(e.id)))
    rows: dict[int, Any] = {}
    # One query per condition, each on its own index (kind; the unique key), instead of an OR.
    if kinds:
        rows.update((r.id, r) for r in session.execute(base.where(e.kind.in_(list(kinds)))))  # type: ignore[attr-defined]
    if keys:
        rows.update((r.id, r) for r in session.execute(base.where(e.key.in_(list(keys)))))  # type: ignore[attr-defined]
    return [rows[i] for i in sorted(rows)]


def entries_for(*, session: Session, scheme_id: str, year: int) -> list[AssessmentEntryRecord]:
    """Manual entries of a scheme for a year (the year and its quarters), in the order made."""
    stmt = (select(AssessmentEntryRecord)
            .where(AssessmentEntryRecord.scheme_id == scheme_id)
            .where(AssessmentEntryRecord.period.startswith(str(year)))  # type: ignore[attr-defined]
            .order_by(AssessmentEntryRecord.id))
    return list(session.exec(stmt))


def assignments(*, session: Session, scheme_id: str) -> list[SchemeAssignment]:
    """The supervising offices using a scheme."""
    return list(session.exec(select(SchemeAssignment).where(SchemeAssignment.scheme_id == scheme_id)
                             .order_by(SchemeAssignment.id)))


def assignment(*, session: Session, agency_id: int, scheme_id: str) -> SchemeAssignment | None:
    """The assignment of a scheme to one office."""
    return session.exec(select(SchemeAssignment).where(SchemeAssignment.agency_id == agency_id,
                                                       SchemeAssignment.scheme_id == scheme_id)).first()


def event_by_ref(*, session: Session, ref: str) -> AssessmentEventRecord | None:
    """A recorded event by its id (digits) or its stored key."""
    if ref.isdigit() and len(ref) < 12:
        return session.get(AssessmentEventRecord, int(ref))
    return event_by_key(session=session, key=ref)


def events_of_request(*, session: Session, number: str, unit: str) -> list[AssessmentEventRecord]:
    """The events recorded for a request number at its unit, oldest first."""
    return list(session.exec(select(AssessmentEventRecord)
                             .where(AssessmentEventRecord.request_ref == number, AssessmentEventRecord.unit == unit)
                             .order_by(AssessmentEventRecord.on, AssessmentEventRecord.id)))


def adjustments_for(*, session: Session, scheme_id: str) -> list[AssessmentAdjustment]:
    """Every adjustment of a scheme, in the order made."""
    return list(session.exec(select(AssessmentAdjustment).where(AssessmentAdjustment.scheme_id == scheme_id)
                             .order_by(AssessmentAdjustment.id)))


def add_adjustment(*, session: Session, scheme_id: str, event_key: str, item: str, amount: float, note: str,
                   author_id: int | None, author_name: str) -> AssessmentAdjustment:
    """Record an assessor's adjustment (never updated: a later one replaces it in the score)."""
    row = AssessmentAdjustment(scheme_id=scheme_id, event_key=event_key, item=item, amount=amount, note=note,
                               author_id=author_id, author_name=author_name)
    session.add(row)
    session.flush()
    return row
