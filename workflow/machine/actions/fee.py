"""Handlers of the fee stage (Art. 42): 发出收费通知, 减免信息处理费, 收到缴费."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from workflow import clock as clk
from workflow import fees
from workflow.errors import InvalidField
from workflow.events import DomainEvent, LetterOrder
from workflow.machine.actions.base import Result, letter_base
from workflow.machine.parameters import Ctx, fact_date, text


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
        bands = q.notice_facts()["fee_lines"]
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
