"""The daily sweep of one open case: deadline reminders, overdue detection, due-date recomputation.

The service runs this over every open request (``ogi sweep``); everything here is pure and
idempotent: the same case swept twice yields the same reminders and the same assessment keys.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date, timedelta

from workflow import clock as clk
from workflow.calendar import WorkingCalendar
from workflow.events import REPLY_LATE, AssessmentEvent, DomainEvent
from workflow.machine import OPEN_STATUSES, Case
from workflow.policy import Policy


@dataclass(frozen=True)
class Reminder:
    """The case is due within ``threshold`` working days (``days_left`` of them remain)."""

    threshold: int
    due_on: date
    days_left: int


@dataclass(frozen=True)
class SweepResult:
    """What a sweep found for one case."""

    reminders: list[Reminder] = field(default_factory=list)
    assessment: list[AssessmentEvent] = field(default_factory=list)


_NOTHING = SweepResult()


def classify_due(due: date, *, as_of: date, calendar: WorkingCalendar, policy: Policy,
                 days_left: int | None = None) -> int | None:
    """0 when overdue on ``as_of``, else the tightest reminder threshold the due date falls within, else None.

    ``days_left`` may be given when already known (working days from ``as_of`` to ``due``).
    """
    if as_of > due:
        return 0
    left = calendar.working_days_between(as_of, due) if days_left is None else days_left
    hits = [t for t in policy.reminder_days if left <= t]
    return min(hits) if hits else None


def late_reply_event(*, unit: str, request_ref: str, due_on: date, as_of: date,
                     status: str | None = None) -> AssessmentEvent:
    """``ogi.reply_late`` for a request found unreplied after its due date.

    Subject ``reply``: the same key as the late reply itself, so a request counts late once.
    """
    return AssessmentEvent(
        kind=REPLY_LATE, unit=unit, on=due_on + timedelta(days=1), subject="reply", request_ref=request_ref,
        note=f"逾期未答复：应于{due_on}前答复",
        details={"request_number": request_ref, "due_on": due_on.isoformat(), "issued_on": None,
                 "found_on": as_of.isoformat(), "status": status})


def sweep_case(case: Case, *, as_of: date, calendar: WorkingCalendar, policy: Policy) -> SweepResult:
    """Reminders and overdue events for one case as of a day.

    A reminder is given for the tightest threshold of ``policy.reminder_days`` the case falls within
    (2 working days left → the 3-day reminder). An open case past its due date yields
    ``ogi.reply_late`` with subject ``reply``: the same key as a late reply, so a request is counted
    late once however often it is swept and whether or not it is replied to later.
    """
    if case.status not in OPEN_STATUSES:
        return _NOTHING
    due = clk.due_on(case, as_of=as_of, calendar=calendar, policy=policy)
    if due is None:  # correction outstanding: no reply period is running
        return _NOTHING
    if as_of > due:
        late = late_reply_event(unit=case.agency_code, request_ref=case.number, due_on=due, as_of=as_of,
                                status=str(case.status))
        return SweepResult(assessment=[late])
    left = calendar.working_days_between(as_of, due,
                                         pauses=clk.pauses(case, as_of=as_of, calendar=calendar, policy=policy))
    threshold = classify_due(due, as_of=as_of, calendar=calendar, policy=policy, days_left=left)
    if threshold is None:
        return _NOTHING
    return SweepResult(reminders=[Reminder(threshold=threshold, due_on=due, days_left=left)])


def recompute_due(case: Case, *, calendar: WorkingCalendar, policy: Policy, on: date,
                  reason: str = "calendar changed") -> DomainEvent | None:
    """After a calendar change: a ``due_date_changed`` event when the open case's due date moved, else None.

    The new date is computed on the same basis as the recorded one (the case as of its latest fact),
    so only the calendar change itself can make them differ; past events are never rewritten.
    """
    if case.status not in OPEN_STATUSES:
        return None
    new = clk.due_on(case, as_of=case.last_fact_on, calendar=calendar, policy=policy)
    if new == case.due_on:
        return None
    return DomainEvent("due_date_changed", on, {
        "old": case.due_on.isoformat() if case.due_on else None,
        "new": new.isoformat() if new else None,
        "reason": reason,
    })
