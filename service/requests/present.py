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
    view = view_of(case, status, reminder_days=policy.reminder_days)
    return RequestOut(
        id=record.id, number=record.number, agency=agency.code, status=str(case.status),  # type: ignore[arg-type]
        applicant=dict(registered.get("applicant", {})), channel=record.channel, description=record.description,
        received_on=case.receipt_date, due_on=status.due_on, provisional=bool(status.provisional),
        clock=ClockOut(start=status.start, due_on=status.due_on, days_used=status.days_used,
                       days_left=view.days_left, paused_since=status.paused_since, extended=status.extended,
                       deadline_set=status.deadline_set, provisional=bool(status.provisional),
                       state=view.state, label=view.label),
        allowed_actions=allowed_actions(case, actor_of(user), today=today, calendar=calendar, policy=policy),
        events=[EventOut(seq=r.seq, kind=r.kind, on=r.on, data=r.data, actor=names.get(r.actor_id) or _named_actor(r),
                         recorded_at=r.recorded_at, hash=r.hash) for r in rows],
        windows=windows_out(case, calendar=calendar, policy=policy),
    )


def _named_actor(row: RequestEvent) -> str | None:
    """The actor a calendar recomputation names when no user made it (``cli:<os user>``)."""
    return row.data.get("actor") if row.kind == "due_date_changed" else None


def windows_out(case: Case, *, calendar: object, policy: object) -> list[WindowOut]:
    """The windows counted from a recipient's receipt, each marked when its receipt is estimated."""
    return [WindowOut(subject=w.subject, label=w.label, sent_on=w.sent_on, received_on=w.received_on,
                      estimated=w.estimated, ends_on=w.ends_on)
            for w in receipt_windows(case, calendar=calendar, policy=policy)]  # type: ignore[arg-type]


def summary(record: RequestRecord, agency_code: str, view: ClockView | None = None) -> RequestSummary:
    """One row of a list (with ``view``: the due date and days left of the one clock)."""
    if view is None:
        return RequestSummary(id=record.id, number=record.number, agency=agency_code, status=record.status,  # type: ignore[arg-type]
                              applicant_name=record.applicant_name, received_on=record.received_on,
                              due_on=record.due_on, provisional=record.provisional)
    return RequestSummary(id=record.id, number=record.number, agency=agency_code, status=record.status,  # type: ignore[arg-type]
                          applicant_name=record.applicant_name, received_on=record.received_on,
                          due_on=view.due_on, provisional=view.provisional, days_left=view.days_left,
                          clock_state=view.state, clock_label=view.label)


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
    view = view_of(now.case, status, reminder_days=policy_for(now.agency).reminder_days)
    return {
        "number": record.number, "as_of": now.day, "start": status.start, "due_on": status.due_on,
        "days_used": status.days_used, "days_left": view.days_left, "paused_since": status.paused_since,
        "state": view.state, "label": view.label,
        "extended": status.extended, "deadline_set": status.deadline_set, "provisional": status.provisional,
        "pauses": [{"start": p.start, "end": p.end} for p in status.pauses],
        # Windows counted from a recipient's receipt; "estimated" until the receipt is recorded.
        "receipt_windows": [w.model_dump() for w in windows_out(now.case, calendar=calendar_for(now.agency),
                                                                policy=policy_for(now.agency))],
        "days": [{"date": d.day, "counted": d.counted, "ordinal": d.ordinal, "reason": d.reason, "label": d.label}
                 for d in days],
    }


# --------------------------------------------------------------------------------------------
# One clock on every page: the dashboard, the case header, the clock panel, the CSV and the API all
# word a request's clock with clock_view, from the same workflow.clock.clock of the folded case.
# --------------------------------------------------------------------------------------------

PAUSE_REASONS = {"consultation": "征求意见期间不计", "fee": "缴费期间不计", "correction": "待补正"}


@dataclass(frozen=True)
class ClockView:
    """A request's clock as every surface shows it.

    ``state``: ``running``, ``overdue``, ``paused`` (a pause is running: the due date shown is the
    earliest possible and moves later each paused working day, so no count is given), ``correction``
    (no due date until the corrected application arrives) or ``closed`` (the clock stopped).
    ``days_left`` is the workflow clock's count (negative once overdue); None while paused or in correction.
    """

    state: str
    due_on: date | None
    days_left: int | None
    paused_since: date | None
    label: str
    css: str
    provisional: bool


def _pause_kind(case: Case, since: date) -> str:
    if case.correction is not None and case.correction.received_on is None and case.correction.sent_on == since:
        return "correction"
    if case.fee is not None and case.fee.sent_on == since:
        return "fee"
    return "consultation"


def view_of(case: Case, status: ClockStatus, *, reminder_days: tuple[int, ...] | list[int] = (5, 3, 1)) -> ClockView:
    """Word one clock status (the one function behind every page, the CSV and the API)."""
    due, left, since = status.due_on, status.days_left, status.paused_since
    prov = bool(status.provisional)
    from workflow.machine import OPEN_STATUSES

    if case.status not in OPEN_STATUSES:
        if due is None or left is None:
            return ClockView("closed", due, None, None, "已办结", "u-closed", prov)
        word = f"已办结（逾期 {-left} 个工作日）" if left < 0 else "已办结（在期限内）"
        return ClockView("closed", due, left, None, word, "u-late" if left < 0 else "u-closed", prov)
    if due is None:
        return ClockView("correction", None, None, since, "待补正，期限将重新计算", "u-paused", prov)
    if since is not None:
        kind = _pause_kind(case, since)
        label = f"暂停计时（自{since.month}月{since.day}日起，{PAUSE_REASONS[kind]}），期限顺延"
        return ClockView("paused", due, None, since, label, "u-paused", prov)
    assert left is not None
    if left < 0:
        return ClockView("overdue", due, left, None, f"已逾期 {-left} 个工作日", "u-late", prov)
    label = "今日到期" if left == 0 else f"剩 {left} 个工作日"
    if left <= min(reminder_days):
        css = "u-urgent"
    elif left <= max(reminder_days):
        css = "u-soon"
    else:
        css = "u-ok"
    return ClockView("running", due, left, None, label, css, prov)


def clock_view(*, session: Session, record: RequestRecord, now: Replay | None = None) -> ClockView:
    """The clock of one request today, as every page shows it."""
    now = now or replay(session=session, record=record)
    return view_of(now.case, now.status, reminder_days=policy_for(now.agency).reminder_days)


def fold_cases(*, session: Session, records: list[RequestRecord]) -> dict[int, Case]:
    """The folded cases of many requests, their events read in one query."""
    ids = [r.id for r in records]
    events: dict[int, list[RequestEvent]] = {i: [] for i in ids}  # type: ignore[misc]
    for row in session.exec(select(RequestEvent).where(col(RequestEvent.request_id).in_(ids))
                            .order_by(RequestEvent.request_id, RequestEvent.seq)):
        events[row.request_id].append(row)
    return {i: fold(eventlog.as_domain(evs)) for i, evs in events.items()}


def clock_views(*, session: Session, records: list[RequestRecord]) -> dict[int, ClockView]:
    """The clocks of many requests (a list page): their events read in one query, each case folded."""
    if not records:
        return {}
    agencies = {a.id: a for a in session.exec(select(Agency).where(
        col(Agency.id).in_({r.agency_id for r in records})))}
    cases = fold_cases(session=session, records=records)
    now = utcnow()
    out = {}
    for r in records:
        agency = agencies[r.agency_id]
        case = cases[r.id]  # type: ignore[index]
        policy = policy_for(agency)
        status = clock(case, as_of=local_today(agency, now), calendar=calendar_for(agency), policy=policy)
        out[r.id] = view_of(case, status, reminder_days=policy.reminder_days)
    return out  # type: ignore[return-value]
