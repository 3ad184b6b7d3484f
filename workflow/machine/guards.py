"""Guards: why an action is not allowed now given the case's facts and its clock (HTTP 409).

A guard takes the action's context and the day it is checked on, and returns a :class:`Refused` (with
its catalogue code) or None. The table row says which guard an action has and on which day it runs.
"""

from __future__ import annotations

from datetime import date

from workflow import clock as clk
from workflow.errors import Refused
from workflow.machine.parameters import Ctx
from workflow.machine.states import Status


def correction_once(ctx: Ctx, on: date) -> Refused | None:
    """Art. 30: one correction notice, and before any extension or Art. 35 deadline."""
    case = ctx.case
    if case.correction is not None:
        return Refused("correction.only_once", "a correction notice may be sent only once (Art. 30)")
    if case.extension is not None or case.deadline is not None:
        return Refused("correction.after_extension",
                       "the reply period has already been extended or set; a correction notice comes first")
    return None


def lapse_after_window(ctx: Ctx, on: date) -> Refused | None:
    """A case lapses only once the correction period or the fee window has run out."""
    case = ctx.case
    if case.status == Status.AWAITING_CORRECTION:
        end = clk.correction_period_end(case, calendar=ctx.calendar, policy=ctx.policy)
        if end is not None and on <= end:
            return Refused("lapse.correction_period_open",
                           f"the correction period runs until {end}; the case lapses only after it", end=str(end))
    elif case.status == Status.AWAITING_FEE and case.fee is not None:
        end = clk.fee_end(case, calendar=ctx.calendar, policy=ctx.policy)
        if end is not None and on <= end:
            return Refused("lapse.fee_window_open",
                           f"the fee can be paid until {end}; the case lapses only after it", end=str(end))
    subject = {Status.AWAITING_CORRECTION: "correction", Status.AWAITING_FEE: "fee"}.get(case.status)
    if subject is not None and ctx.policy.lapse_needs_recorded_receipt and not clk.receipt_on_record(case, subject):
        return Refused("lapse.receipt_not_recorded",
                       f"the applicant's receipt of the {subject} notice is not on record (only estimated); "
                       "record its service with the date received before the case can lapse",
                       notice_label={"correction": "补正告知书", "fee": "收费通知书"}[subject])
    return None


def extension_in_time(ctx: Ctx, on: date) -> Refused | None:
    """Art. 33 ¶2: one extension, notified on or before the current due date, none over an Art. 35 deadline."""
    case = ctx.case
    if case.extension is not None:
        return Refused("extension.only_once", "the reply period may be extended only once (Art. 33 ¶2)")
    if case.deadline is not None:
        return Refused("extension.deadline_set", "an Art. 35 deadline is set; it replaces the computed due date")
    due = ctx.due(on)
    if due is None or on > due:
        return Refused("extension.too_late",
                       f"an extension must be notified on or before the current due date {due} "
                       "(Art. 33 ¶2); a late extension extends nothing", due=str(due))
    return None


def deadline_in_time(ctx: Ctx, on: date) -> Refused | None:
    """Art. 35: after a request for reasons (when policy asks for it), notified before the due date."""
    if ctx.policy.art35_requires_reasons_request and ctx.case.reasons_requested_on is None:
        return Refused("deadline.needs_reasons_request",
                       "an Art. 35 deadline needs a request for reasons (request_reasons) first")
    due = ctx.due(on)
    if due is None or on > due:
        return Refused("deadline.too_late",
                       f"an Art. 35 deadline must be notified on or before the current due date {due}",
                       due=str(due))
    return None


def fee_once(ctx: Ctx, on: date) -> Refused | None:
    """One fee notice per application."""
    if ctx.case.fee is not None:
        return Refused("fee.already_issued", "a fee notice has already been issued for this application")
    if ctx.case.fee_waiver is not None:
        return Refused("fee.already_waived", "the fee of this application was waived")
    return None


def review_undecided(ctx: Ctx, on: date) -> Refused | None:
    """A review outcome needs a review still waiting for one."""
    if not any(r.outcome is None for r in ctx.case.reviews):
        return Refused("review.none_undecided", "no undecided reconsideration or lawsuit is recorded")
    return None


def reply_states_only_what_happened(ctx: Ctx, on: date) -> Refused | None:
    """A reply states a fact only when the case shows it: 补正后仍不明确 needs the correction notice sent
    and the correction received (Art. 30); 无正当理由大量反复申请 needs the reasons asked for (Art. 35)."""
    decision = ctx.params.get("decision")
    case = ctx.case
    if decision == "still_unclear" and (case.correction is None or case.correction.received_on is None):
        step = "request_correction" if case.correction is None else "receive_correction"
        return Refused("reply.correction_missing", "a still_unclear reply needs a correction notice sent and the "
                                                   f"correction received first (missing: {step})", missing_step=step)
    if decision == "excessive" and case.reasons_requested_on is None:
        return Refused("reply.reasons_not_requested", "an excessive reply needs the applicant asked for reasons "
                                                      "first (Art. 35; missing: request_reasons)",
                       missing_step="request_reasons")
    return None
