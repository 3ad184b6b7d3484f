"""Handlers that move the reply's time limit: 延期答复 (Art. 33 ¶2), 要求说明理由 and 确定合理答复期限 (Art. 35)."""

from __future__ import annotations

from dataclasses import replace

from workflow import clock as clk
from workflow.errors import InvalidField
from workflow.events import DomainEvent, LetterOrder
from workflow.machine.actions.base import Result, letter_base
from workflow.machine.case import Extension
from workflow.machine.parameters import Ctx, fact_date, integer, iso, parse_date, text


def do_extend(ctx: Ctx) -> Result:
    """延期答复 (Art. 33 ¶2): the extension notice with the old and new due dates."""
    notified_on = fact_date(ctx, "notified_on")
    days = integer(ctx.params, "days", default=ctx.policy.max_extension_days, low=1,
                high=ctx.policy.max_extension_days)
    # Art. 33 ¶2 asks for approval and notice, not stated reasons: a reason is recorded when given.
    reason = text(ctx.params, "reason", required=False)
    old_due = ctx.due(notified_on)
    data = {"days": days, "reason": reason}
    new_case = replace(ctx.case, extension=Extension(notified_on, days, reason or ""))
    extended = clk.clock(new_case, as_of=notified_on, calendar=ctx.calendar, policy=ctx.policy)
    # A new due date in a year whose holidays are not yet published is provisional: the notice says so
    # rather than promise a firm date.
    letter = LetterOrder("extension_notice", notified_on, {
        **letter_base(ctx.case), **data, "original_due_on": iso(old_due), "new_due_on": iso(extended.due_on),
        "provisional": extended.provisional})
    return [DomainEvent("extended", notified_on, data)], [], [letter]


def do_request_reasons(ctx: Ctx) -> Result:
    """要求说明理由 (Art. 35)."""
    sent_on = fact_date(ctx, "sent_on")
    note = text(ctx.params, "reason", required=False)
    data = {"reason": note}
    letter = LetterOrder("reasons_request", sent_on, {**letter_base(ctx.case), **data})
    return [DomainEvent("reasons_requested", sent_on, data)], [], [letter]


def do_set_deadline(ctx: Ctx) -> Result:
    """确定合理答复期限 (Art. 35): a deadline later than the current due date."""
    notified_on = fact_date(ctx, "notified_on")
    if ctx.params.get("due_on") in (None, ""):
        raise InvalidField("due_on", "required: the new reasonable deadline (Art. 35)", code="deadline.due_on_required")
    deadline = parse_date(ctx.params["due_on"], "due_on")
    reason = text(ctx.params, "reason", required=False)
    current = ctx.due(notified_on)
    assert current is not None  # the guard (run before the handler) refuses a case without a due date
    if deadline <= current:
        raise InvalidField("due_on", f"must be later than the current due date {current}",
                           code="deadline.not_later", due=str(current))
    data = {"deadline": deadline.isoformat(), "reason": reason}
    letter = LetterOrder("extension_notice", notified_on, {
        **letter_base(ctx.case), "art35": True, "reason": reason, "original_due_on": current.isoformat(),
        "new_due_on": deadline.isoformat()})
    return [DomainEvent("deadline_set", notified_on, data)], [], [letter]
