"""`ogi sweep`: find open requests due soon or overdue, record reminders, emit ``ogi.reply_late``.

Works from the request rows (status, due date) so 100,000 open requests take a few seconds, and
is safe to run from two processes at once: reminders and assessment events are inserted with
"on conflict do nothing" on their unique keys, so a second sweep adds nothing twice.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.requests.context import calendar_for, local_today, policy_for
from service.requests.models import Reminder, RequestEvent, RequestRecord
from service.requests.service import submit_assessment
from workflow.events import DomainEvent
from workflow.machine import OPEN_STATUSES, fold
from workflow.sweep import classify_due, late_reply_event


@dataclass
class SweepReport:
    """What one sweep found."""

    as_of: dict[str, date]
    checked: int = 0
    due_soon: int = 0
    overdue: int = 0
    reminders_added: int = 0
    late_events_added: int = 0
    notices_added: int = 0


def run_sweep(*, session: Session, as_of: date | None = None, now: datetime | None = None,
              agency_ids: list[int] | None = None) -> SweepReport:
    """Sweep the running requests of every agency (or of ``agency_ids``) as of ``as_of`` (default: each
    agency's today). New reminders become notices in the outbox, in this same transaction."""
    from service.notify.handoffs import service_missing
    from service.notify.reminders import Found, reminder_notices

    now = now or utcnow()
    agencies = {a.id: a for a in session.exec(select(Agency))}
    report = SweepReport(as_of={})
    stmt = (select(RequestRecord.id, RequestRecord.agency_id, RequestRecord.number, RequestRecord.due_on,
                   RequestRecord.paused, RequestRecord.handler_id)
            .where(col(RequestRecord.status).in_([str(s) for s in OPEN_STATUSES]),
                   col(RequestRecord.due_on).is_not(None)))
    if agency_ids is not None:
        stmt = stmt.where(col(RequestRecord.agency_id).in_(agency_ids))
    rows = session.exec(stmt).all()
    by_agency: dict[int, list[tuple[int, str, date]]] = defaultdict(list)
    paused: list[tuple[int, int, str]] = []
    handlers: dict[int, int | None] = {}
    for rid, aid, number, due, is_paused, handler in rows:
        handlers[rid] = handler
        if is_paused:
            paused.append((rid, aid, number))
        else:
            by_agency[aid].append((rid, number, due))
    # A paused clock moves its due date every working day (and a silent consultation stops pausing
    # when its window ends): the stored date is stale, so ask the cases themselves, their events read
    # in batches (one query per PAUSED_BATCH requests, not one per request), and bring the rows up to
    # date for the worklist's filters (暂停中, 已超期 …).
    for rid, aid, number, due in _current_dues(session=session, paused=paused, agencies=agencies, as_of=as_of,
                                               now=now):
        if due is not None:
            by_agency[aid].append((rid, number, due))
    reminders: list[dict] = []
    found_by_key: dict[tuple[int, int, date], Found] = {}
    late = []
    for aid, items in by_agency.items():
        agency = agencies[aid]
        day = as_of or local_today(agency, now)
        report.as_of[agency.code] = day
        calendar, policy = calendar_for(agency), policy_for(agency)
        for rid, number, due in items:
            report.checked += 1
            left = (calendar.working_days_between(day, due) if day <= due
                    else -calendar.working_days_between(due, day))
            found = classify_due(due, as_of=day, calendar=calendar, policy=policy, days_left=max(left, 0))
            if found is None:
                continue
            reminders.append({"request_id": rid, "agency_id": aid, "threshold": found, "due_on": due,
                              "found_on": day, "created_at": now})
            found_by_key[(rid, found, due)] = Found(request_id=rid, agency_id=aid, number=number,
                                                    handler_id=handlers[rid], threshold=found, due_on=due,
                                                    days_left=left)
            if found == 0:
                report.overdue += 1
                late.append(late_reply_event(unit=agency.code, request_ref=number, due_on=due, as_of=day))
            else:
                report.due_soon += 1
    added = _insert_reminders(session=session, rows=reminders)
    report.reminders_added = len(added)
    report.late_events_added = submit_assessment(session=session, events=late)
    # Only reminders new to the database become notices: a second sweep of the day notifies nobody twice.
    report.notices_added = reminder_notices(session=session, found=[found_by_key[k] for k in added], now=now)
    # Letters whose service (送达) is still unrecorded: the clerks hear of each once.
    report.notices_added += service_missing(session=session, agencies={
        aid: a for aid, a in agencies.items() if agency_ids is None or aid in agency_ids}, as_of=as_of, now=now)
    return report


PAUSED_BATCH = 1000


def _current_dues(*, session: Session, paused: list[tuple[int, int, str]], agencies: dict[int, Agency],
                  as_of: date | None, now: datetime) -> Iterator[tuple[int, int, str, date | None]]:
    from service.requests.service import refresh_projection
    from workflow.clock import due_on

    for start in range(0, len(paused), PAUSED_BATCH):
        part = paused[start:start + PAUSED_BATCH]
        ids = [rid for rid, _, _ in part]
        events: dict[int, list[DomainEvent]] = defaultdict(list)
        rows = session.exec(select(RequestEvent.request_id, RequestEvent.kind, RequestEvent.on, RequestEvent.data)
                            .where(col(RequestEvent.request_id).in_(ids))
                            .order_by(RequestEvent.request_id, RequestEvent.seq))
        for rid, kind, on, data in rows:
            events[rid].append(DomainEvent(kind=kind, on=on, data=data))
        records = {r.id: r for r in session.exec(select(RequestRecord).where(col(RequestRecord.id).in_(ids)))}
        for rid, aid, number in part:
            agency = agencies[aid]
            case = fold(events[rid])
            today = local_today(agency, now)
            if (as_of is None or as_of == today) and rid in records:
                refresh_projection(record=records[rid], case=case, agency=agency, now=now)
                session.add(records[rid])
            yield rid, aid, number, due_on(case, as_of=as_of or today, calendar=calendar_for(agency),
                                           policy=policy_for(agency))


def _insert_reminders(*, session: Session, rows: list[dict]) -> list[tuple[int, int, date]]:
    """Insert the reminders not yet recorded; returns (request, threshold, due date) of those added."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    added: list[tuple[int, int, date]] = []
    for start in range(0, len(rows), 5000):
        table = Reminder.__table__  # Core insert: the ORM's bulk path costs more than the database here
        stmt = (insert(table).on_conflict_do_nothing(index_elements=["request_id", "threshold", "due_on"])
                .returning(table.c.request_id, table.c.threshold, table.c.due_on))
        # RETURNING yields only the rows actually inserted, so duplicates are not counted.
        added += [(r, t, d) for r, t, d in session.execute(stmt, rows[start:start + 5000]).all()]
    return added
