"""Handlers that close a request: 答复 (with its late and closing assessment events), 归档, 申请人撤回."""

from __future__ import annotations

from dataclasses import replace

from workflow import clock as clk
from workflow.errors import InvalidField
from workflow.events import CASE_CLOSED, REPLY_LATE, DomainEvent, LetterOrder
from workflow.machine.actions.base import Result, assessment_event, letter_base
from workflow.machine.parameters import Ctx, boolean, choice, fact_date, iso, text
from workflow.replies import DECISIONS, normalise_decision_fields, validate_decision

_SERVICE_METHODS = ("post", "direct", "email", "online", "fax", "collection")
# Parameters of the reply action itself; everything else is a decision-specific field.
_REPLY_OWN = {"decision", "issued_on", "served_on", "service_method", "force", "seal_confirmed", "action"}


def do_reply(ctx: Ctx) -> Result:
    """答复: the decision letter; late and closing assessment events."""
    case = ctx.case
    code = ctx.params.get("decision")
    if not isinstance(code, str):
        raise InvalidField("decision", f"required; one of {', '.join(DECISIONS)}", code="field.required")
    ctx = replace(ctx, params=normalise_decision_fields(code, ctx.params))
    decision = validate_decision(code, ctx.params)
    issued_on = fact_date(ctx, "issued_on")
    served_on = None
    if ctx.params.get("served_on") not in (None, ""):
        served_on = fact_date(ctx, "served_on", not_before=issued_on, what="issue")
    method = None
    if ctx.params.get("service_method") not in (None, ""):
        method = choice(ctx.params, "service_method", _SERVICE_METHODS)
    seal = boolean(ctx.params, "seal_confirmed")
    fields = {k: v for k, v in ctx.params.items() if k not in _REPLY_OWN}
    due = ctx.due(issued_on)
    st = clk.clock(case, as_of=issued_on, calendar=ctx.calendar, policy=ctx.policy)
    letter_fields = {
        **letter_base(case), **fields,
        "decision": decision.code, "decision_label": decision.label, "basis": decision.basis,
        "issued_on": issued_on.isoformat(), "served_on": iso(served_on), "service_method": method,
        "seal_confirmed": seal, "due_on": iso(due),
        "correction_received_on": iso(case.correction.received_on if case.correction else None),
        "pauses": [{"start": p.start.isoformat(), "end": p.end.isoformat()} for p in st.pauses],
        "extension_days": case.extension.days if case.extension else None,
        "deadline": iso(case.deadline.due_on if case.deadline else None),
    }
    data = {"decision": decision.code, "served_on": iso(served_on), "service_method": method,
            "seal_confirmed": seal, "fields": fields}
    assessment = [assessment_event(ctx, CASE_CLOSED, issued_on, "reply", f"答复：{decision.label}",
                              decision=decision.code, table3_row=decision.table3_row, issued_on=issued_on,
                              due_on=due)]
    # Served by post counts as given on the hand-over day (国办公开办函〔2016〕235号); a reply is late
    # when its issue (or, if later and recorded, its service) falls after the due date.
    given_on = max(issued_on, served_on) if served_on else issued_on
    if due is not None and given_on > due:
        late_by = ctx.calendar.working_days_between(due, given_on)
        assessment.append(assessment_event(ctx, REPLY_LATE, given_on, "reply",
                                      f"逾期答复：应于{due}前答复，实际{given_on}",
                                      due_on=due, issued_on=issued_on, served_on=served_on,
                                      working_days_late=late_by))
    letter = LetterOrder("reply", issued_on, letter_fields)
    return [DomainEvent("replied", issued_on, data)], assessment, [letter]


def do_archive(ctx: Ctx) -> Result:
    """归档."""
    on = fact_date(ctx, "on")
    return [DomainEvent("archived", on, {})], [], []


def do_withdraw(ctx: Ctx) -> Result:
    """申请人撤回."""
    on = fact_date(ctx, "on")
    reason = text(ctx.params, "reason", required=False)
    return [DomainEvent("withdrawn", on, {"reason": reason})], [], []
