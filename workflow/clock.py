"""The statutory clock of a case (spec/LAW.md §3): start, restart, pauses, extension, Art. 35 deadline.

Everything here is derived from the case's recorded facts (``workflow.machine.Case``) and the
official calendar, so the clock of any earlier day is the clock of the events recorded up to that
day. Readings chosen (documented in docs/workflow.md):

* Day 1 is the first working day after the start date; an act on the N-th working day is on time.
* The start is the receipt date, or the day the corrected application was received (Art. 30).
* While a correction notice is outstanding the reply period has no due date: it starts again in
  full from the day the corrected application arrives.
* A consultation pauses the clock from the day the letter is sent; the pause ends on the day the
  answer is recorded or, if earlier, when the 15-working-day window (counted from the sending day)
  has run out: silence ends the pause (applicant-protective, the shortest pause the law allows).
* A fee notice pauses the clock (policy switch) until payment, at most until the payment window of
  20 working days has run out.
* While a pause is still running the due date shown is the earliest possible one, as if the pause
  ended on the day asked about; it moves one working day later per paused working day.
* The correction period, the consultation window and the fee payment window run from the recipient's
  receipt of the notice (LAW.md §3): the received date of its service record, else the per-method
  estimate (``workflow.delivery``), which is marked estimated wherever it shows.
* An extension adds its working days to the period; an Art. 35 deadline replaces the computed date
  and later pauses do not move it.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import TYPE_CHECKING

from workflow.calendar import ExplainedDay, Pause, WorkingCalendar
from workflow.delivery import assumed_method, estimated_receipt
from workflow.policy import Policy

if TYPE_CHECKING:
    from workflow.machine import Case


@dataclass(frozen=True)
class ClockStatus:
    """The clock of one case as of one day.

    ``due_on`` is None while a correction notice is outstanding (the period will start again);
    ``days_used`` / ``days_left`` count working days (``days_left`` < 0 once overdue).
    """

    start: date
    due_on: date | None
    days_used: int | None
    days_left: int | None
    paused_since: date | None
    extended: bool
    deadline_set: bool
    provisional: bool
    pauses: list[Pause] = field(default_factory=list)


def clock_start(case: Case) -> date:
    """The day the reply period counts from: receipt, or receipt of the corrected application."""
    if case.correction is not None and case.correction.received_on is not None:
        return case.correction.received_on
    return case.receipt_date


def horizon(case: Case, as_of: date) -> date:
    """The last day the clock can run to: ``as_of``, or the day the case stopped (reply, withdrawal, lapse)."""
    stopped = case.stopped_on
    return as_of if stopped is None else min(as_of, stopped)


def notice_receipt(case: Case, subject: str, sent_on: date, policy: Policy) -> tuple[date, bool]:
    """(the day the recipient received the notice about ``subject``, estimated?).

    The received date of the letter's service record; without one, the per-method estimate from the
    record's sending date, or, with no record at all, from ``sent_on`` by the method the applicant chose.
    """
    svc = case.service(subject)
    if svc is not None:
        return svc.receipt(policy)
    return estimated_receipt(assumed_method(case.delivery, subject), sent_on, policy), True


def receipt_on_record(case: Case, subject: str) -> bool:
    """Whether the recipient's receipt of the notice about ``subject`` is proven: its service record has a
    received date, or it was served by public notice (公告送达), whose date the law itself fixes."""
    svc = case.service(subject)
    return svc is not None and (svc.received_on is not None or str(svc.method) == "public_notice")


def consultation_window_end(sent_on: date, *, calendar: WorkingCalendar, policy: Policy,
                            received_on: date | None = None) -> date:
    """Last day of a consultation window: ``consultation_days`` working days from the party's receipt
    (``received_on``; the sending day when not given)."""
    return calendar.add_working_days(received_on or sent_on, policy.consultation_days)


def fee_window_end(sent_on: date, *, calendar: WorkingCalendar, policy: Policy, received_on: date | None = None) -> date:
    """Last day to pay: ``fee_payment_days`` working days from the day after the applicant received the
    fee notice (``received_on``; the sending day when not given)."""
    return calendar.add_working_days(received_on or sent_on, policy.fee_payment_days)


def consultation_end(case: Case, index: int, *, calendar: WorkingCalendar, policy: Policy) -> date:
    """Last day of the ``index``-th consultation's window (0-based), from the party's (estimated) receipt."""
    c = case.consultations[index]
    received, _ = notice_receipt(case, f"consultation:{index + 1}", c.sent_on, policy)
    return consultation_window_end(c.sent_on, calendar=calendar, policy=policy, received_on=received)


def fee_end(case: Case, *, calendar: WorkingCalendar, policy: Policy) -> date | None:
    """Last day to pay the case's fee, from the applicant's (estimated) receipt of the notice."""
    if case.fee is None:
        return None
    received, _ = notice_receipt(case, "fee", case.fee.sent_on, policy)
    return fee_window_end(case.fee.sent_on, calendar=calendar, policy=policy, received_on=received)


def correction_period_end(case: Case, *, calendar: WorkingCalendar, policy: Policy | None = None) -> date | None:
    """Last day of the correction period: its working days from the applicant's (estimated) receipt of the
    notice, and never before the date the notice itself printed (the applicant may rely on it)."""
    corr = case.correction
    if corr is None:
        return None
    printed = corr.period_ends_on or calendar.add_working_days(corr.sent_on, corr.period_days)
    if policy is None:
        return printed
    received, _ = notice_receipt(case, "correction", corr.sent_on, policy)
    return max(printed, calendar.add_working_days(received, corr.period_days))


def pauses(case: Case, *, as_of: date, calendar: WorkingCalendar, policy: Policy) -> list[Pause]:
    """The pauses of the running period as of a day; a still-running pause is cut at ``as_of``."""
    start = clock_start(case)
    until = horizon(case, as_of)
    result: list[Pause] = []
    for i, c in enumerate(case.consultations):
        if c.sent_on > until:
            continue
        window_end = consultation_end(case, i, calendar=calendar, policy=policy)
        end = min(c.ended_on or until, until, window_end)
        if end > c.sent_on and end > start:
            result.append(Pause(c.sent_on, end))
    fee = case.fee
    if policy.fee_pauses_clock and fee is not None and fee.sent_on <= until:
        window_end = fee_end(case, calendar=calendar, policy=policy)
        assert window_end is not None
        end = min(fee.paid_on or until, until, window_end)
        if end > fee.sent_on and end > start:
            result.append(Pause(fee.sent_on, end))
    return sorted(result, key=lambda p: (p.start, p.end))


def paused_since(case: Case, *, as_of: date, calendar: WorkingCalendar, policy: Policy) -> date | None:
    """The day the clock stopped running, if it is paused (or suspended for correction) on ``as_of``."""
    if case.stopped_on is not None and case.stopped_on <= as_of:
        return None
    corr = case.correction
    if corr is not None and corr.received_on is None and corr.sent_on <= as_of:
        return corr.sent_on
    for i, c in enumerate(case.consultations):
        if c.sent_on <= as_of and (c.ended_on is None or c.ended_on > as_of) and as_of < (
            consultation_end(case, i, calendar=calendar, policy=policy)
        ):
            return c.sent_on
    fee = case.fee
    if (policy.fee_pauses_clock and fee is not None and fee.sent_on <= as_of
            and (fee.paid_on is None or fee.paid_on > as_of)
            and as_of < (fee_end(case, calendar=calendar, policy=policy) or as_of)):
        return fee.sent_on
    return None


def period_days(case: Case, policy: Policy) -> int:
    """Working days of the reply period: the statutory period plus an extension."""
    return policy.reply_days + (case.extension.days if case.extension is not None else 0)


def due_on(case: Case, *, as_of: date, calendar: WorkingCalendar, policy: Policy) -> date | None:
    """The due date as of a day (None while a correction notice is outstanding)."""
    corr = case.correction
    if corr is not None and corr.received_on is None:
        return None
    if case.deadline is not None:
        return case.deadline.due_on
    ps = pauses(case, as_of=as_of, calendar=calendar, policy=policy)
    return calendar.add_working_days(clock_start(case), period_days(case, policy), pauses=ps)


def clock(case: Case, *, as_of: date, calendar: WorkingCalendar, policy: Policy) -> ClockStatus:
    """The clock of a case as of a day: due date, working days used and left, pause, flags."""
    start = clock_start(case)
    until = horizon(case, as_of)
    ps = pauses(case, as_of=as_of, calendar=calendar, policy=policy)
    due = due_on(case, as_of=as_of, calendar=calendar, policy=policy)
    used: int | None = None
    left: int | None = None
    if due is not None:
        used = calendar.working_days_between(start, until, pauses=ps) if until > start else 0
        if due >= until:
            left = calendar.working_days_between(until, due, pauses=ps)
        else:
            left = -calendar.working_days_between(due, until, pauses=ps)
    provisional = bool(calendar.provisional_between(start, due if due is not None else max(until, start)))
    return ClockStatus(
        start=start,
        due_on=due,
        days_used=used,
        days_left=left,
        paused_since=paused_since(case, as_of=as_of, calendar=calendar, policy=policy),
        extended=case.extension is not None,
        deadline_set=case.deadline is not None,
        provisional=provisional,
        pauses=ps,
    )


def explain(case: Case, calendar: WorkingCalendar, policy: Policy, *, as_of: date | None = None) -> list[ExplainedDay]:
    """Day-by-day explanation of the due date: each counted day and each skipped one with its reason.

    ``as_of`` (default: the day the case stopped, else its latest fact) cuts a still-running pause.
    With an Art. 35 deadline the explanation runs over the working days up to that deadline.
    """
    when = as_of or case.stopped_on or case.last_fact_on
    start = clock_start(case)
    ps = pauses(case, as_of=when, calendar=calendar, policy=policy)
    if case.correction is not None and case.correction.received_on is None:
        return []
    if case.deadline is not None:
        n = calendar.working_days_between(start, case.deadline.due_on, pauses=ps)
    else:
        n = period_days(case, policy)
    return list(calendar.explain(start, n, ps))


@dataclass(frozen=True)
class ReceiptWindow:
    """A window that runs from the recipient's receipt of a notice, and whether that receipt is estimated."""

    subject: str          # correction | fee | consultation:<n>
    label: str
    sent_on: date
    received_on: date     # recorded, or the estimate
    estimated: bool
    ends_on: date


def receipt_windows(case: Case, *, calendar: WorkingCalendar, policy: Policy) -> list[ReceiptWindow]:
    """The correction, fee and consultation windows of a case with the receipt each counts from."""
    result: list[ReceiptWindow] = []
    corr = case.correction
    if corr is not None:
        received, est = notice_receipt(case, "correction", corr.sent_on, policy)
        end = correction_period_end(case, calendar=calendar, policy=policy)
        assert end is not None
        result.append(ReceiptWindow("correction", "补正期限", corr.sent_on, received, est, end))
    for i, c in enumerate(case.consultations):
        subject = f"consultation:{i + 1}"
        received, est = notice_receipt(case, subject, c.sent_on, policy)
        result.append(ReceiptWindow(subject, f"征求意见期限（{c.party}）", c.sent_on, received, est,
                                    consultation_end(case, i, calendar=calendar, policy=policy)))
    if case.fee is not None:
        received, est = notice_receipt(case, "fee", case.fee.sent_on, policy)
        end = fee_end(case, calendar=calendar, policy=policy)
        assert end is not None
        result.append(ReceiptWindow("fee", "缴费期限", case.fee.sent_on, received, est, end))
    return result
