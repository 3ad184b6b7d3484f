"""Every query on requests, events and reminders."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date

from sqlalchemy import func, or_
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.requests.models import IdempotencyRecord, Reminder, RequestRecord


def get(*, session: Session, request_id: int, lock: bool = False) -> RequestRecord | None:
    """One request; ``lock`` takes its row lock (PostgreSQL ``FOR UPDATE``; SQLite's write lock is
    already held by ``BEGIN IMMEDIATE``) so two actions on it run one after the other."""
    stmt = select(RequestRecord).where(RequestRecord.id == request_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def by_idempotency_key(*, session: Session, user_id: int, key: str) -> IdempotencyRecord | None:
    """The earlier answer to this user's ``Idempotency-Key``."""
    return session.exec(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                        IdempotencyRecord.key == key)).first()


def search(*, session: Session, agency_ids: Sequence[int], q: str | None = None, status: Sequence[str] = (),
           due_from: date | None = None, due_to: date | None = None, agency_id: int | None = None,
           offset: int = 0, limit: int = 50, order: str = "due", where: Sequence = ()
           ) -> tuple[list[tuple[RequestRecord, str]], int]:
    """Requests of the given agencies matching the filters, with the agency code; and the total count.
    ``where``: further terms on the request row (the dashboard's worklist filters)."""
    stmt = select(RequestRecord, Agency.code).join(Agency, Agency.id == RequestRecord.agency_id).where(
        col(RequestRecord.agency_id).in_(list(agency_ids)), *where)
    if agency_id is not None:
        stmt = stmt.where(RequestRecord.agency_id == agency_id)
    if q:
        like = f"%{q}%"
        stmt = stmt.where(or_(col(RequestRecord.number).like(like), col(RequestRecord.applicant_name).like(like),
                              col(RequestRecord.description).like(like)))
    if status:
        stmt = stmt.where(col(RequestRecord.status).in_(list(status)))
    if due_from:
        stmt = stmt.where(col(RequestRecord.due_on) >= due_from)
    if due_to:
        stmt = stmt.where(col(RequestRecord.due_on) <= due_to)
    total = session.exec(select(func.count()).select_from(stmt.subquery())).one()
    if order == "due":
        stmt = stmt.order_by(col(RequestRecord.due_on).is_(None), col(RequestRecord.due_on), RequestRecord.id)
    else:
        stmt = stmt.order_by(col(RequestRecord.id).desc())
    rows = session.exec(stmt.offset(offset).limit(limit)).all()
    return [(r, code) for r, code in rows], int(total)


def status_counts(*, session: Session, agency_ids: Sequence[int]) -> dict[str, int]:
    """How many requests are in each state."""
    rows = session.exec(select(RequestRecord.status, func.count()).where(
        col(RequestRecord.agency_id).in_(list(agency_ids))).group_by(RequestRecord.status)).all()
    return {s: int(n) for s, n in rows}


def reminders_for(*, session: Session, agency_ids: Sequence[int], user_id: int | None = None,
                  limit: int = 200) -> list[tuple[Reminder, RequestRecord]]:
    """Reminders of open requests in the given agencies (the user's own cases first when assigned)."""
    stmt = (select(Reminder, RequestRecord).join(RequestRecord, RequestRecord.id == Reminder.request_id)
            .where(col(Reminder.agency_id).in_(list(agency_ids)), RequestRecord.due_on == Reminder.due_on,
                   col(RequestRecord.status).in_(["registered", "reviewing"])))
    if user_id is not None:
        stmt = stmt.where(or_(col(RequestRecord.handler_id).is_(None), RequestRecord.handler_id == user_id))
    stmt = stmt.order_by(Reminder.due_on, Reminder.threshold).limit(limit)
    return [(a, b) for a, b in session.exec(stmt).all()]
