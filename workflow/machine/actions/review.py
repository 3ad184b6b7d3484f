"""Handlers of review after the reply: 登记复议/诉讼 and its result (a corrected reply is assessed)."""

from __future__ import annotations

from workflow.errors import InvalidField, Refused
from workflow.events import REVIEW_CORRECTED, DomainEvent
from workflow.machine.actions.base import Result, assessment_event
from workflow.machine.parameters import Ctx, boolean, choice, fact_date, text


def do_record_review(ctx: Ctx) -> Result:
    """登记复议/诉讼 against the reply."""
    reply = ctx.case.reply
    assert reply is not None  # REPLIED / ARCHIVED
    kind = choice(ctx.params, "kind", ("reconsideration", "litigation"))
    filed_on = fact_date(ctx, "filed_on", not_before=reply.issued_on, what="reply")
    body = text(ctx.params, "body")
    after = boolean(ctx.params, "after_reconsideration")
    if after and kind != "litigation":
        raise InvalidField("after_reconsideration", "only a lawsuit can follow a reconsideration",
                           code="review.only_litigation_after")
    review_id = f"R{len(ctx.case.reviews) + 1}"
    data = {"review_id": review_id, "kind": kind, "body": body, "after_reconsideration": after}
    return [DomainEvent("review_recorded", filed_on, data)], [], []


def do_decide_review(ctx: Ctx) -> Result:
    """登记复议/诉讼结果; a corrected reply is an assessment event."""
    rid = ctx.params.get("review")
    undecided = [r.id for r in ctx.case.reviews if r.outcome is None]
    if rid is None and len(undecided) == 1:  # the only one open: no need to name it
        rid = undecided[0]
    if rid is None:
        raise InvalidField("review", f"name the review to decide: one of {', '.join(undecided)}",
                           code="review.name_it", options=", ".join(undecided))
    review = next((r for r in ctx.case.reviews if r.id == str(rid)), None)
    if review is None:
        raise InvalidField("review", f"no review {rid!r}; recorded: {', '.join(r.id for r in ctx.case.reviews)}",
                           code="review.unknown", review=str(rid))
    if review.outcome is not None:
        raise Refused("review.already_decided", f"review {review.id} was already decided ({review.outcome})",
                      review=review.id, outcome=review.outcome)
    outcome = choice(ctx.params, "outcome", ("upheld", "corrected", "other"))
    decided_on = fact_date(ctx, "decided_on", not_before=review.filed_on, what="filing")
    assessment = []
    if outcome == "corrected":
        label = "行政复议" if review.kind == "reconsideration" else "行政诉讼"
        assessment.append(assessment_event(ctx, REVIEW_CORRECTED, decided_on, f"review:{review.id}",
                                      f"{label}结果纠正（{review.body}）", review=review.id, kind=review.kind,
                                      body=review.body, filed_on=review.filed_on, decided_on=decided_on,
                                      after_reconsideration=review.after_reconsideration))
    data = {"review_id": review.id, "outcome": outcome}
    return [DomainEvent("review_decided", decided_on, data)], assessment, []
