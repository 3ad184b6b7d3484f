"""Calendar changes reach running cases: recompute open requests' due dates after a calendar import.

Each change is recorded as a ``due_date_changed`` event (old and new date, reason, and who changed the
calendar: the user as the event's actor and by name in ``actor``, or ``cli:<os user>``) on the request's
chain; earlier events are never rewritten, so the clock as of any earlier day can still be replayed.
"""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.requests import eventlog
from service.requests.context import calendar_for, local_today, policy_for
from service.requests.models import RequestRecord
from workflow.machine import OPEN_STATUSES, fold
from workflow.sweep import recompute_due


def recompute_open_requests(*, session: Session, reason: str, now: datetime | None = None,
                            actor_id: int | None = None, actor: str = "") -> int:
    """Recompute every open request's due date and record each change; return how many changed."""
    changed, after = 0, 0
    while True:
        after, seen, batch_changed = recompute_batch(session=session, reason=reason, after_id=after, limit=1000,
                                                     now=now, actor_id=actor_id, actor=actor)
        changed += batch_changed
        if not seen:
            return changed


def recompute_batch(*, session: Session, reason: str, after_id: int, limit: int, now: datetime | None = None,
                    actor_id: int | None = None, actor: str = "") -> tuple[int, int, int]:
    """Recompute the open requests with ids after ``after_id``, at most ``limit`` of them (locked, in id
    order); return (the last id done, how many were looked at, how many changed). A calendar job calls
    this once per transaction, so an action never waits longer than one batch. Each change is recorded
    as made by ``actor_id`` (a user) and named ``actor`` (their name, or ``cli:<os user>``)."""
    from service.requests.service import refresh_projection

    now = now or utcnow()
    agencies = {a.id: a for a in session.exec(select(Agency))}
    changed = 0
    open_statuses = [str(s) for s in OPEN_STATUSES]
    records = session.exec(select(RequestRecord).where(col(RequestRecord.status).in_(open_statuses))
                           .where(col(RequestRecord.id) > after_id).order_by(col(RequestRecord.id))
                           .limit(limit).with_for_update()).all()
    for record in records:
        agency = agencies[record.agency_id]
        calendar, policy = calendar_for(agency), policy_for(agency)
        case = fold(eventlog.as_domain(eventlog.load(session=session, request_id=record.id)))  # type: ignore[arg-type]
        event = recompute_due(case, calendar=calendar, policy=policy, on=local_today(agency, now))
        if event is None:
            continue
        data = {**event.data, "reason": reason, **({"actor": actor} if actor else {})}
        event = type(event)(kind=event.kind, on=event.on, data=data)
        eventlog.append(session=session, record=record, events=[event], actor_id=actor_id, now=now)
        case = fold(eventlog.as_domain(eventlog.load(session=session, request_id=record.id)))  # type: ignore[arg-type]
        refresh_projection(record=record, case=case, agency=agency, now=now)
        session.add(record)
        changed += 1
    session.flush()
    return (records[-1].id if records else after_id), len(records), changed  # type: ignore[return-value]
