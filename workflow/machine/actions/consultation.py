"""Handlers of the consultation stage (Arts. 32–34): 征求意见 and 收到意见/期满."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from workflow import clock as clk
from workflow.errors import InvalidField, Refused
from workflow.events import DomainEvent, LetterOrder
from workflow.machine.actions.base import Result, letter_base
from workflow.machine.parameters import Ctx, boolean, choice, fact_date, text
from workflow.machine.states import HANDLER_UP


def do_start_consultation(ctx: Ctx) -> Result:
    """征求意见 (Arts. 32–34): the consultation letter."""
    sent_on = fact_date(ctx, "sent_on")
    party = text(ctx.params, "party")
    kind = choice(ctx.params, "kind", ("third_party", "agency"), default="third_party")
    # The window runs from the party's receipt: estimated here (by post), recorded with the letter's service.
    subject = f"consultation:{len(ctx.case.consultations) + 1}"
    received, _ = clk.notice_receipt(ctx.case, subject, sent_on, ctx.policy)
    window_end = clk.consultation_window_end(sent_on, calendar=ctx.calendar, policy=ctx.policy, received_on=received)
    data = {"party": party, "kind": kind}
    letter = LetterOrder("consultation", sent_on, {
        **letter_base(ctx.case), **data, "window_days": ctx.policy.consultation_days,
        "window_ends_on": window_end.isoformat()})
    return [DomainEvent("consultation_started", sent_on, data)], [], [letter]


def do_end_consultation(ctx: Ctx) -> Result:
    """收到意见/期满: the opinion (or silence), and a decision to disclose over an objection."""
    open_c = ctx.case.open_consultation
    assert open_c is not None  # state CONSULTING guarantees it
    on = fact_date(ctx, "on")
    opinion = text(ctx.params, "opinion", required=False)
    disclose = _disclose_anyway(ctx.params)
    # Disclosing "anyway" presupposes an objection, so ``objected`` defaults to it; given on its own it
    # records an objection the agency then respects (e.g. a later 不予公开 for third-party rights).
    objected = boolean(ctx.params, "objected") if ctx.params.get("objected") is not None else disclose
    if objected and opinion is None:
        raise InvalidField("opinion", "record what the party said: silence is not an objection (Art. 32)",
                           code="consultation.objection_needs_opinion")
    reason = text(ctx.params, "reason", required=False)
    if disclose:
        # Overriding an objection is a decision on the merits, not a front-desk record: not for a clerk.
        if ctx.actor.role not in HANDLER_UP:
            raise Refused("consultation.override_needs_handler",
                          "only a handler or approver may decide to disclose over a third party's objection")
        if open_c.kind != "third_party":
            raise InvalidField("disclose_anyway", "only over a third party's objection (Art. 32); a co-producing "
                                                  "agency (Art. 34) is not sent a 第三方意见告知书",
                               code="consultation.override_third_party_only")
        if not objected:
            raise InvalidField("objected", "disclose_anyway applies only when the third party objected; after "
                                           "consent or silence no 第三方意见告知书 is sent",
                               code="consultation.override_needs_objection")
        if reason is None:
            raise InvalidField("reason", "required with disclose_anyway: why withholding would gravely harm the "
                                         "public interest; the third party must be told (Art. 32)",
                               code="consultation.override_needs_reason")
    elif reason is not None:
        raise InvalidField("reason", "only with disclose_anyway: the reason is what the 第三方意见告知书 tells "
                                     "the third party", code="consultation.reason_only_with_override")
    window_end = clk.consultation_end(ctx.case, len(ctx.case.consultations) - 1, calendar=ctx.calendar,
                                      policy=ctx.policy)
    data = {"opinion": opinion, "silent": opinion is None, "objected": objected, "disclose_anyway": disclose,
            "reason": reason, "pause_ends_on": min(on, window_end).isoformat()}
    letters = []
    # Art. 32: a third party that objected is told in writing what will be disclosed and why, when the
    # agency decides to disclose anyway; in every other case nothing is sent.
    if disclose:
        letters.append(LetterOrder("third_party_opinion", on, {
            **letter_base(ctx.case), "party": open_c.party, "kind": open_c.kind, "opinion": opinion,
            "reason": reason}))
    return [DomainEvent("consultation_ended", on, data)], [], letters


def _disclose_anyway(params: Mapping[str, Any]) -> bool:
    """The ``disclose_anyway`` flag; ``notify_party`` is its older name (still sent by older forms)."""
    given = {name: boolean(params, name) for name in ("disclose_anyway", "notify_party")
             if params.get(name) is not None}
    if len(set(given.values())) > 1:
        raise InvalidField("notify_party", "an older name of disclose_anyway; the two disagree, give one",
                           code="consultation.flags_disagree")
    return any(given.values())
