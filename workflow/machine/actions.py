"""One handler per action: the action's parameters in, (events, assessment events, letter orders) out.

Handlers only parse and compute; the state, role and guard checks are done by ``perform`` from the
action's row in ``workflow.machine.table`` before the handler runs. A handler may still refuse a
choice only it can see (``Refused``, HTTP 409) or a field (``InvalidField``, HTTP 422).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from workflow import clock as clk
from workflow import fees
from workflow.errors import InvalidField, Refused
from workflow.events import (
    CASE_CLOSED,
    NOTICE_LATE,
    REPLY_LATE,
    REVIEW_CORRECTED,
    AssessmentEvent,
    DomainEvent,
    LetterOrder,
)
from workflow.machine.case import Case, Extension
from workflow.machine.parameters import Ctx, boolean, choice, fact_date, integer, iso, parse_date, text
from workflow.machine.states import HANDLER_UP, Status
from workflow.replies import DECISIONS, normalise_decision_fields, validate_decision


def letter_base(case: Case) -> dict[str, Any]:
    """The fields every letter of this case carries."""
    applicant = case.applicant
    return {
        "request_number": case.number,
        "agency_code": case.agency_code,
        "applicant_name": applicant.get("name"),
        "applicant": dict(applicant),
        "receipt_date": case.receipt_date.isoformat(),
        "description": case.description,
    }


def assessment_event(ctx: Ctx, event_kind: str, on: date, subject: str, note: str, /,
                **details: Any) -> AssessmentEvent:
    """An assessment event about this case; ``details`` always carry the request number."""
    base = {"request_number": ctx.case.number}
    base.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in details.items()})
    return AssessmentEvent(kind=event_kind, unit=ctx.case.agency_code, on=on, subject=subject,
                           request_ref=ctx.case.number, note=note, details=base)


# --- one handler per action: returns (events, assessment, letters) ----------------------------

Result = tuple[list[DomainEvent], list[AssessmentEvent], list[LetterOrder]]


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


def _yuan(raw: Any, name: str) -> Decimal | None:
    """A positive amount in yuan with at most two decimals (None when not given)."""
    if raw is None or raw == "":
        return None
    try:
        amount = Decimal(str(raw)) if not isinstance(raw, bool) else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidField(name, f"must be a positive amount in yuan, got {raw!r}",
                           code="fee.amount_invalid" if name == "amount_yuan" else "fee.reduction_invalid",
                           value=repr(raw))
    return amount.quantize(Decimal("0.01"))


def _fee_quote(ctx: Ctx) -> fees.FeeQuote:
    """The national-rules quote of the request (国办函〔2020〕109号), for a method the unit has enabled."""
    method = ctx.params.get("fee_method")
    if method in fees.METHODS:
        fees.check_enabled(str(method), ctx.case.agency_code)
    return fees.quote(method, monthly_count=ctx.params.get("monthly_count"), pages=ctx.params.get("pages"))


def do_issue_fee_notice(ctx: Ctx) -> Result:
    """发出收费通知 (Art. 42): the fee notice, computed by the national rules when ``fee_method`` is given
    (method, count or pages, the arithmetic, a reduction with its reason, how to pay and by when)."""
    sent_on = fact_date(ctx, "sent_on")
    typed = _yuan(ctx.params.get("amount_yuan"), "amount_yuan")
    data: dict[str, Any] = {}
    bands: list[dict[str, Any]] = []
    if ctx.params.get("fee_method") in (None, ""):
        # Legacy: an amount typed by hand (kept for integrations that compute it themselves).
        if typed is None:
            raise InvalidField("amount_yuan", f"must be a positive amount in yuan, got {ctx.params.get('amount_yuan')!r}",
                               code="fee.amount_invalid", value=repr(ctx.params.get("amount_yuan")))
        amount = typed
    else:
        q = _fee_quote(ctx)
        reduction = _yuan(ctx.params.get("reduction_yuan"), "reduction_yuan")
        reason = text(ctx.params, "waiver_reason", required=False)
        if reduction is not None and reduction > q.total:
            raise InvalidField("reduction_yuan", f"at most the fee of {q.total} yuan", code="fee.reduction_invalid")
        if reduction is not None and reason is None:
            raise InvalidField("waiver_reason", "required with a reduction", code="fee.waiver_reason_required")
        amount = (q.total - (reduction or 0)).quantize(Decimal("0.01"))
        if amount <= 0:
            raise InvalidField("fee_method", f"no fee to charge under {q.method}: {'; '.join(q.lines)}",
                               code="fee.nothing_to_charge", method=q.label, detail="；".join(q.lines))
        if typed is not None and typed != amount:
            raise InvalidField("amount_yuan", f"the rules give {amount} yuan", code="fee.amount_mismatch",
                               expected=str(amount))
        lines = list(q.lines)
        if reduction is not None:
            lines.append(f"减免{reduction}元（{reason}），应缴{amount}元")
        data.update({"fee_method": q.method, "count": q.count, "lines": lines, "total_yuan": str(q.total),
                     "reduction_yuan": str(reduction) if reduction is not None else None, "waiver_reason": reason})
        # The notice prints the arithmetic band by band (letter_templates sentences fee_line…).
        bands = [{"label": b.label, "units": b.units, "unit": b.unit, "rate": b.rate, "subtotal": b.subtotal}
                 for b in q.bands]
    received, _ = clk.notice_receipt(ctx.case, "fee", sent_on, ctx.policy)  # an estimate until served
    pay_by = clk.fee_window_end(sent_on, calendar=ctx.calendar, policy=ctx.policy, received_on=received)
    data = {"amount_yuan": str(amount), **data}
    letter = LetterOrder("fee_notice", sent_on, {**letter_base(ctx.case), **data, "pay_by": pay_by.isoformat(),
                                                 "payment_days": ctx.policy.fee_payment_days,
                                                 **({"fee_lines": bands} if bands else {})})
    return [DomainEvent("fee_notice_issued", sent_on, data)], [], [letter]


def do_waive_fee(ctx: Ctx) -> Result:
    """减免信息处理费: the fee the rules give, waived in full, with its reason (no notice, no pause)."""
    on = fact_date(ctx, "on")
    q = _fee_quote(ctx)
    reason = text(ctx.params, "waiver_reason", required=False)
    if reason is None:
        raise InvalidField("waiver_reason", "required", code="fee.waiver_reason_required")
    data = {"fee_method": q.method, "count": q.count, "lines": list(q.lines), "total_yuan": str(q.total),
            "waiver_reason": reason}
    return [DomainEvent("fee_waived", on, data)], [], []


def do_receive_payment(ctx: Ctx) -> Result:
    """收到缴费."""
    on = fact_date(ctx, "on")
    return [DomainEvent("payment_received", on, {})], [], []


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


