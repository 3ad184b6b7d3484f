"""Handlers of the intake stage: 受理, 告知补正, 收到补正, 视为放弃."""

from __future__ import annotations

from workflow.errors import InvalidField
from workflow.events import NOTICE_LATE, DomainEvent, LetterOrder
from workflow.machine.actions.base import Result, assessment_event, letter_base
from workflow.machine.parameters import Ctx, choice, fact_date, integer
from workflow.machine.states import Status


def do_accept(ctx: Ctx) -> Result:
    """受理: the request is taken into handling."""
    on = fact_date(ctx, "on")
    return [DomainEvent("accepted", on, {})], [], []


def do_request_correction(ctx: Ctx) -> Result:
    """告知补正 (Art. 30): the correction notice, late when sent after the 7th working day."""
    case, policy, cal = ctx.case, ctx.policy, ctx.calendar
    sent_on = fact_date(ctx, "sent_on")
    period = integer(ctx.params, "period_days", default=policy.default_correction_period_days, low=1,
                  high=policy.max_correction_period_days)
    items = ctx.params.get("items")
    if items in (None, "", []) and policy.default_correction_items:
        items = list(policy.default_correction_items)
    if isinstance(items, str):
        items = [items]
    if not items or not isinstance(items, list | tuple) or not all(isinstance(i, str) and i.strip() for i in items):
        raise InvalidField("items", "list what the applicant must correct (Art. 30)", code="correction.items_required")
    items = [i.strip() for i in items]
    ends = cal.add_working_days(sent_on, period)
    data = {"period_days": period, "items": items, "period_ends_on": ends.isoformat()}
    assessment = []
    # Late is judged as a late reply is: the sending date against the date N working days after receipt
    # (a notice sent on the Saturday after the 7th working day is late though only 7 working days passed).
    notice_due = cal.add_working_days(case.receipt_date, policy.correction_notice_days)
    if sent_on > notice_due:
        used = cal.working_days_between(case.receipt_date, sent_on)
        assessment.append(assessment_event(
            ctx, NOTICE_LATE, sent_on, "correction_notice",
            f"补正告知书于收到申请后第{used}个工作日发出（{sent_on}），应于{notice_due}前发出，"
            f"超过{policy.correction_notice_days}个工作日",
            letter_kind="correction_notice", receipt_date=case.receipt_date, sent_on=sent_on,
            working_days=used, limit=policy.correction_notice_days, due_on=notice_due))
    letter = LetterOrder("correction_notice", sent_on, {**letter_base(case), **data})
    return [DomainEvent("correction_requested", sent_on, data)], assessment, [letter]


def do_receive_correction(ctx: Ctx) -> Result:
    """收到补正: the corrected application arrived."""
    received_on = fact_date(ctx, "received_on")
    return [DomainEvent("correction_received", received_on, {})], [], []


def do_lapse(ctx: Ctx) -> Result:
    """视为放弃: the correction period or fee window ran out."""
    on = fact_date(ctx, "on")
    expected = "correction" if ctx.case.status == Status.AWAITING_CORRECTION else "fee"
    reason = choice(ctx.params, "reason", ("correction", "fee"), default=expected)
    if reason != expected:
        raise InvalidField("reason", f"a case in state {ctx.case.status} can lapse only for {expected}",
                           code="lapse.reason_mismatch", state=str(ctx.case.status), expected=expected)
    return [DomainEvent("lapsed", on, {"reason": reason})], [], []
