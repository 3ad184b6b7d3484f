"""Turn request rows, folded cases and events into the API's shapes."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.base import utcnow
from service.requests import eventlog, repository
from service.requests.context import calendar_for, local_today, policy_for
from service.requests.models import RequestEvent, RequestRecord
from service.requests.schemas import ClockOut, EventOut, RequestOut, RequestSummary, WindowOut
from service.users.models import User
from workflow.clock import ClockStatus, clock, explain, receipt_windows
from workflow.machine import Case, allowed_actions, fold


@dataclass(frozen=True)
class Replay:
    """A request as it stood on one day: its agency, events dated up to then, folded case and clock."""

    agency: Agency
    day: date
    rows: list[RequestEvent]
    case: Case
    status: ClockStatus


def replay(*, session: Session, record: RequestRecord, as_of: date | None = None) -> Replay:
    """The request today, or as of an earlier day (events dated up to ``as_of``, the clock that day)."""
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    rows = eventlog.load(session=session, request_id=record.id)  # type: ignore[arg-type]
    day = local_today(agency, utcnow())
    if as_of is not None and as_of < day:
        rows = [r for r in rows if r.on <= as_of] or rows[:1]
        day = as_of
    case = fold(eventlog.as_domain(rows))
    status = clock(case, as_of=day, calendar=calendar_for(agency), policy=policy_for(agency))
    return Replay(agency, day, rows, case, status)


def request_out(*, session: Session, record: RequestRecord, user: User, as_of: date | None = None,
                now: Replay | None = None) -> RequestOut:
    """The full JSON of one request as the user sees it today, or replayed as of an earlier day
    (the events with a date up to ``as_of``, and the clock as it stood that day). ``now``: a replay the
    caller already made, so the events are not read twice."""
    from service.requests.service import actor_of

    now = now or replay(session=session, record=record, as_of=as_of)
    agency, today, rows, case, status = now.agency, now.day, now.rows, now.case, now.status
    calendar, policy = calendar_for(agency), policy_for(agency)
    actor_ids = {r.actor_id for r in rows if r.actor_id is not None}
    names = {u.id: u.username for u in session.exec(select(User).where(col(User.id).in_(actor_ids)))} if actor_ids else {}
    registered = rows[0].data if rows else {}
    return RequestOut(
        id=record.id, number=record.number, agency=agency.code, status=str(case.status),  # type: ignore[arg-type]
        applicant=dict(registered.get("applicant", {})), channel=record.channel, description=record.description,
        received_on=case.receipt_date, due_on=status.due_on, provisional=bool(status.provisional),
        clock=ClockOut(start=status.start, due_on=status.due_on, days_used=status.days_used,
                       days_left=status.days_left, paused_since=status.paused_since, extended=status.extended,
                       deadline_set=status.deadline_set, provisional=bool(status.provisional)),
        allowed_actions=allowed_actions(case, actor_of(user), today=today, calendar=calendar, policy=policy),
        events=[EventOut(seq=r.seq, kind=r.kind, on=r.on, data=r.data, actor=names.get(r.actor_id),
                         recorded_at=r.recorded_at, hash=r.hash) for r in rows],
        windows=windows_out(case, calendar=calendar, policy=policy),
    )


def windows_out(case: Case, *, calendar: object, policy: object) -> list[WindowOut]:
    """The windows counted from a recipient's receipt, each marked when its receipt is estimated."""
    return [WindowOut(subject=w.subject, label=w.label, sent_on=w.sent_on, received_on=w.received_on,
                      estimated=w.estimated, ends_on=w.ends_on)
            for w in receipt_windows(case, calendar=calendar, policy=policy)]  # type: ignore[arg-type]


def summary(record: RequestRecord, agency_code: str) -> RequestSummary:
    """One row of a list."""
    return RequestSummary(id=record.id, number=record.number, agency=agency_code, status=record.status,  # type: ignore[arg-type]
                          applicant_name=record.applicant_name, received_on=record.received_on,
                          due_on=record.due_on, provisional=record.provisional)


def reminders(*, session: Session, user: User, visible: set[int]) -> list[dict]:
    """The user's reminders, one per request (the most urgent threshold reached)."""
    seen: dict[int, dict] = {}
    for reminder, record in repository.reminders_for(session=session, agency_ids=sorted(visible), user_id=user.id):
        item = seen.get(record.id)  # type: ignore[arg-type]
        if item is None or reminder.threshold < item["threshold"]:
            seen[record.id] = {"request_id": record.id, "number": record.number, "due_on": record.due_on,  # type: ignore[index]
                               "threshold": reminder.threshold, "overdue": reminder.threshold == 0,
                               "found_on": reminder.found_on}
    return sorted(seen.values(), key=lambda r: (r["due_on"], r["threshold"]))


def clock_out(*, session: Session, record: RequestRecord, as_of: date | None = None) -> dict:
    """The clock of one request as of today (or an earlier day) with its day-by-day explanation."""
    now = replay(session=session, record=record, as_of=as_of)
    status = now.status
    days = explain(now.case, calendar_for(now.agency), policy_for(now.agency), as_of=now.day)
    return {
        "number": record.number, "as_of": now.day, "start": status.start, "due_on": status.due_on,
        "days_used": status.days_used, "days_left": status.days_left, "paused_since": status.paused_since,
        "extended": status.extended, "deadline_set": status.deadline_set, "provisional": status.provisional,
        "pauses": [{"start": p.start, "end": p.end} for p in status.pauses],
        # Windows counted from a recipient's receipt; "estimated" until the receipt is recorded.
        "receipt_windows": [w.model_dump() for w in windows_out(now.case, calendar=calendar_for(now.agency),
                                                                policy=policy_for(now.agency))],
        "days": [{"date": d.day, "counted": d.counted, "ordinal": d.ordinal, "reason": d.reason, "label": d.label}
                 for d in days],
    }
