"""States, actions and guards of a disclosure request (who may do what, when), and the fold of its events.

The transition table ``ACTIONS`` is declared once and checked when the module loads (one initial
state, nothing unreachable, no way out of a final state). ``perform`` turns one action with its
JSON-ish parameters into domain events, assessment events and letter orders, or refuses it with
``ActionNotAllowed`` (state, role, clock: HTTP 409) or ``InvalidField`` (HTTP 422); nothing is
half-applied because nothing is applied here at all: the caller stores the outcome or nothing.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass, field, replace
from datetime import date
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from workflow import clock as clk
from workflow.errors import ActionNotAllowed, Conflict, InvalidField
from workflow.events import (
    CASE_CLOSED,
    NOTICE_LATE,
    REPLY_DEFECT,
    REPLY_LATE,
    REVIEW_CORRECTED,
    AssessmentEvent,
    DomainEvent,
    LetterOrder,
)
from workflow.policy import Policy
from workflow.replies import DECISIONS, normalise_decision_fields, validate_decision


class Status(StrEnum):
    """States of a request (DESIGN.md "Domain")."""

    REGISTERED = "registered"
    REVIEWING = "reviewing"
    AWAITING_CORRECTION = "awaiting_correction"
    CONSULTING = "consulting"
    AWAITING_FEE = "awaiting_fee"
    REPLIED = "replied"
    ARCHIVED = "archived"
    WITHDRAWN = "withdrawn"
    LAPSED = "lapsed"


INITIAL_STATUS = Status.REGISTERED
FINAL_STATUSES: frozenset[Status] = frozenset({Status.ARCHIVED, Status.WITHDRAWN, Status.LAPSED})
# The reply clock runs (or is paused) in these; the sweep looks at them.
OPEN_STATUSES: frozenset[Status] = frozenset(
    {Status.REGISTERED, Status.REVIEWING, Status.AWAITING_CORRECTION, Status.CONSULTING, Status.AWAITING_FEE}
)

STATUS_LABELS: dict[Status, str] = {
    Status.REGISTERED: "已登记",
    Status.REVIEWING: "审查办理中",
    Status.AWAITING_CORRECTION: "待补正",
    Status.CONSULTING: "征求意见中",
    Status.AWAITING_FEE: "待缴费",
    Status.REPLIED: "已答复",
    Status.ARCHIVED: "已归档",
    Status.WITHDRAWN: "已撤回",
    Status.LAPSED: "视为放弃",
}


class Role(StrEnum):
    """User roles (DESIGN.md "Who uses it")."""

    CLERK = "clerk"
    HANDLER = "handler"
    APPROVER = "approver"
    ASSESSOR = "assessor"
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """Who performs an action."""

    user_id: str
    role: Role


@dataclass(frozen=True)
class ActionSpec:
    """One row of the transition table.

    ``target`` None means the action records a fact without changing the state (a self-loop).
    """

    name: str
    label: str
    sources: frozenset[Status]
    target: Status | None
    roles: frozenset[Role]
    letter: str | None = None


# Role table: a clerk records what arrives at the front desk, a handler processes the case, an
# approver (负责人) may do everything a handler may plus approve extensions, Art. 35 deadlines and
# replies. Assessors and admins do no case actions.
_CLERK_UP = frozenset({Role.CLERK, Role.HANDLER, Role.APPROVER})
_HANDLER_UP = frozenset({Role.HANDLER, Role.APPROVER})
_APPROVER = frozenset({Role.APPROVER})

_S = Status
ACTIONS: dict[str, ActionSpec] = {
    a.name: a
    for a in (
        ActionSpec("accept", "受理", frozenset({_S.REGISTERED}), _S.REVIEWING, _CLERK_UP),
        ActionSpec("request_correction", "告知补正", frozenset({_S.REGISTERED, _S.REVIEWING}),
                   _S.AWAITING_CORRECTION, _HANDLER_UP, "correction_notice"),
        ActionSpec("receive_correction", "收到补正", frozenset({_S.AWAITING_CORRECTION}), _S.REVIEWING, _CLERK_UP),
        ActionSpec("lapse", "视为放弃申请", frozenset({_S.AWAITING_CORRECTION, _S.AWAITING_FEE}), _S.LAPSED,
                   _HANDLER_UP),
        ActionSpec("start_consultation", "征求意见", frozenset({_S.REVIEWING}), _S.CONSULTING, _HANDLER_UP,
                   "consultation"),
        ActionSpec("end_consultation", "收到意见/期满", frozenset({_S.CONSULTING}), _S.REVIEWING, _CLERK_UP,
                   "third_party_opinion"),
        ActionSpec("issue_fee_notice", "发出收费通知", frozenset({_S.REVIEWING}), _S.AWAITING_FEE, _HANDLER_UP,
                   "fee_notice"),
        ActionSpec("receive_payment", "收到缴费", frozenset({_S.AWAITING_FEE}), _S.REVIEWING, _CLERK_UP),
        ActionSpec("extend", "延期答复", frozenset({_S.REVIEWING, _S.CONSULTING, _S.AWAITING_FEE}), None,
                   _APPROVER, "extension_notice"),
        ActionSpec("request_reasons", "要求说明理由", frozenset({_S.REVIEWING}), None, _HANDLER_UP,
                   "reasons_request"),
        ActionSpec("set_deadline", "确定合理答复期限", frozenset({_S.REVIEWING}), None, _APPROVER,
                   "extension_notice"),
        ActionSpec("reply", "答复", frozenset({_S.REGISTERED, _S.REVIEWING}), _S.REPLIED, _APPROVER, "reply"),
        ActionSpec("archive", "归档", frozenset({_S.REPLIED}), _S.ARCHIVED, _HANDLER_UP),
        ActionSpec("withdraw", "申请人撤回", OPEN_STATUSES, _S.WITHDRAWN, _CLERK_UP),
        ActionSpec("record_review", "登记复议/诉讼", frozenset({_S.REPLIED, _S.ARCHIVED}), None, _HANDLER_UP),
        ActionSpec("decide_review", "登记复议/诉讼结果", frozenset({_S.REPLIED, _S.ARCHIVED}), None,
                   _HANDLER_UP),
    )
}
# Actions that only annotate a closed case (reviews): the one kind of self-loop a final state may have.
ANNOTATIONS = frozenset({"record_review", "decide_review"})


def check_table(actions: Mapping[str, ActionSpec], initial: Status = INITIAL_STATUS,
                final: frozenset[Status] = FINAL_STATUSES) -> None:
    """Validate a transition table; raise ValueError naming the first problem."""
    for name, spec in actions.items():
        if name != spec.name:
            raise ValueError(f"action {name!r} is declared as {spec.name!r}")
        if not spec.sources:
            raise ValueError(f"action {name!r} has no source state")
        if not spec.roles:
            raise ValueError(f"action {name!r} is allowed to nobody")
        for src in spec.sources & final:
            # Only annotations (reviews) may touch a final state, and they never leave it.
            if spec.target is not None or name not in ANNOTATIONS:
                raise ValueError(f"final state {src} has an action {name!r}")
    reached = {initial}
    frontier = [initial]
    while frontier:
        state = frontier.pop()
        for spec in actions.values():
            if state in spec.sources and spec.target is not None and spec.target not in reached:
                reached.add(spec.target)
                frontier.append(spec.target)
    missing = set(Status) - reached
    if missing:
        raise ValueError(f"unreachable states: {sorted(missing)}")
    for state in set(Status) - final:
        if not any(state in s.sources and s.target not in (None, state) for s in actions.values()):
            raise ValueError(f"state {state} is a dead end but not final")
    if OPEN_STATUSES & final:
        raise ValueError("a final state is marked open")


check_table(ACTIONS)


def mermaid(actions: Mapping[str, ActionSpec] = ACTIONS) -> str:
    """The transition table as a Mermaid state diagram (docs/workflow.md is generated from this)."""
    edges: dict[tuple[Status, Status], list[str]] = {}
    for spec in actions.values():
        for src in sorted(spec.sources, key=list(Status).index):
            dst = spec.target if spec.target is not None else src
            edges.setdefault((src, dst), []).append(spec.name)
    lines = ["stateDiagram-v2", f"    [*] --> {INITIAL_STATUS}: register"]
    order = list(Status)
    for (src, dst), names in sorted(edges.items(), key=lambda kv: (order.index(kv[0][0]), order.index(kv[0][1]))):
        lines.append(f"    {src} --> {dst}: {', '.join(names)}")
    for state in order:
        if state in FINAL_STATUSES:
            lines.append(f"    {state} --> [*]")
    return "\n".join(lines) + "\n"


# ---------------------------------------------------------------------------------------------
# The case: facts folded from events
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Correction:
    """The one correction notice (Art. 30) and, once it arrives, the corrected application."""

    sent_on: date
    period_days: int
    items: tuple[str, ...]
    period_ends_on: date | None = None
    received_on: date | None = None


@dataclass(frozen=True)
class Consultation:
    """A consultation of a third party or co-producing agency (Arts. 32–34)."""

    sent_on: date
    party: str
    kind: str
    ended_on: date | None = None
    opinion: str | None = None
    objected: bool = False
    # Art. 32: the agency decided to disclose over the objection (and told the third party why).
    disclose_anyway: bool = False
    reason: str | None = None


@dataclass(frozen=True)
class FeeNotice:
    """The fee notice (Art. 42) and the payment."""

    sent_on: date
    amount_yuan: str
    paid_on: date | None = None


@dataclass(frozen=True)
class Extension:
    """An approved extension notified before the due date (Art. 33 ¶2)."""

    notified_on: date
    days: int
    reason: str


@dataclass(frozen=True)
class Deadline:
    """An Art. 35 deadline replacing the computed due date."""

    due_on: date
    notified_on: date
    reason: str


@dataclass(frozen=True)
class Reply:
    """The reply decision as issued."""

    decision: str
    issued_on: date
    served_on: date | None
    service_method: str | None
    fields: Mapping[str, Any]
    forced: bool = False
    missing: tuple[str, ...] = ()


@dataclass(frozen=True)
class Review:
    """A reconsideration or lawsuit against the reply (LAW.md §8)."""

    id: str
    kind: str
    filed_on: date
    body: str
    after_reconsideration: bool = False
    outcome: str | None = None
    decided_on: date | None = None


@dataclass
class Case:
    """A request's state derived from its events by :func:`fold`. Treat as read-only."""

    number: str
    agency_code: str
    applicant: Mapping[str, Any]
    channel: str
    arrival_at: str
    confirmed_on: date | None
    receipt_date: date
    description: str
    requested_form: str | None = None
    delivery: str | None = None
    attachments: tuple[Mapping[str, Any], ...] = ()
    status: Status = Status.REGISTERED
    accepted_on: date | None = None
    correction: Correction | None = None
    consultations: tuple[Consultation, ...] = ()
    fee: FeeNotice | None = None
    extension: Extension | None = None
    deadline: Deadline | None = None
    reasons_requested_on: date | None = None
    reply: Reply | None = None
    archived_on: date | None = None
    withdrawn_on: date | None = None
    lapsed_on: date | None = None
    lapse_reason: str | None = None
    reviews: tuple[Review, ...] = ()
    # The due date recorded with the latest event (history; the live one comes from the clock).
    due_on: date | None = None
    # Latest date of a fact of the handling itself (reviews and due-date recomputations excluded):
    # no later action may be dated before it.
    last_fact_on: date = date.min
    version: int = 0

    @property
    def stopped_on(self) -> date | None:
        """The day the reply clock stopped for good: reply, withdrawal or lapse."""
        if self.reply is not None:
            return self.reply.issued_on
        return self.withdrawn_on or self.lapsed_on

    @property
    def open_consultation(self) -> Consultation | None:
        """The consultation still waiting for its end, if any."""
        if self.consultations and self.consultations[-1].ended_on is None:
            return self.consultations[-1]
        return None


def _d(value: Any) -> date | None:
    return None if value in (None, "") else date.fromisoformat(value) if isinstance(value, str) else value


def _registered(event: DomainEvent) -> Case:
    d = event.data
    return Case(
        number=str(d.get("number", "")),
        agency_code=str(d.get("agency_code", "")),
        applicant=dict(d.get("applicant") or {}),
        channel=str(d.get("channel", "")),
        arrival_at=str(d.get("arrival_at", "")),
        confirmed_on=_d(d.get("confirmed_on")),
        receipt_date=_d(d.get("receipt_date")) or event.on,
        description=str(d.get("description", "")),
        requested_form=d.get("requested_form"),
        delivery=d.get("delivery"),
        attachments=tuple(d.get("attachments") or ()),
        last_fact_on=_d(d.get("receipt_date")) or event.on,
    )


def apply(case: Case | None, event: DomainEvent) -> Case:
    """One step of the fold: the case after ``event``. Unknown kinds are kept for the service's own use
    (counted in ``version``) but change nothing."""
    if case is None:
        if event.kind != "registered":
            raise ValueError(f"the first event of a case must be 'registered', got {event.kind!r}")
        new = _registered(event)
    else:
        new = _APPLY.get(event.kind, _ignore)(case, event)
        if event.kind not in ("review_recorded", "review_decided", "due_date_changed") and event.kind in _APPLY:
            new = replace(new, last_fact_on=max(new.last_fact_on, event.on))
    if "due_on" in event.data:
        new = replace(new, due_on=_d(event.data["due_on"]))
    elif event.kind == "due_date_changed":
        new = replace(new, due_on=_d(event.data.get("new")))
    new.version = (case.version if case is not None else 0) + 1
    return new


def fold(events: Iterable[DomainEvent]) -> Case:
    """The case as its events make it. Fold the events with ``on <= D`` for the case as of day D."""
    case: Case | None = None
    for event in events:
        case = apply(case, event)
    if case is None:
        raise ValueError("a case needs at least its 'registered' event")
    return case


def _ignore(case: Case, event: DomainEvent) -> Case:
    return replace(case)


def _accepted(case: Case, e: DomainEvent) -> Case:
    return replace(case, status=Status.REVIEWING, accepted_on=e.on)


def _correction_requested(case: Case, e: DomainEvent) -> Case:
    d = e.data
    corr = Correction(sent_on=e.on, period_days=int(d["period_days"]), items=tuple(d.get("items") or ()),
                      period_ends_on=_d(d.get("period_ends_on")))
    return replace(case, status=Status.AWAITING_CORRECTION, correction=corr)


def _correction_received(case: Case, e: DomainEvent) -> Case:
    assert case.correction is not None
    return replace(case, status=Status.REVIEWING, correction=replace(case.correction, received_on=e.on))


def _lapsed(case: Case, e: DomainEvent) -> Case:
    return replace(case, status=Status.LAPSED, lapsed_on=e.on, lapse_reason=e.data.get("reason"))


def _consultation_started(case: Case, e: DomainEvent) -> Case:
    c = Consultation(sent_on=e.on, party=str(e.data.get("party", "")), kind=str(e.data.get("kind", "")))
    return replace(case, status=Status.CONSULTING, consultations=(*case.consultations, c))


def _consultation_ended(case: Case, e: DomainEvent) -> Case:
    d = e.data
    last = replace(case.consultations[-1], ended_on=e.on, opinion=d.get("opinion"),
                   objected=bool(d.get("objected", False)), disclose_anyway=bool(d.get("disclose_anyway", False)),
                   reason=d.get("reason"))
    return replace(case, status=Status.REVIEWING, consultations=(*case.consultations[:-1], last))


def _fee_notice_issued(case: Case, e: DomainEvent) -> Case:
    fee = FeeNotice(sent_on=e.on, amount_yuan=str(e.data.get("amount_yuan")))
    return replace(case, status=Status.AWAITING_FEE, fee=fee)


def _payment_received(case: Case, e: DomainEvent) -> Case:
    assert case.fee is not None
    return replace(case, status=Status.REVIEWING, fee=replace(case.fee, paid_on=e.on))


def _extended(case: Case, e: DomainEvent) -> Case:
    ext = Extension(notified_on=e.on, days=int(e.data["days"]), reason=str(e.data.get("reason", "")))
    return replace(case, extension=ext)


def _deadline_set(case: Case, e: DomainEvent) -> Case:
    dl = Deadline(due_on=date.fromisoformat(e.data["deadline"]), notified_on=e.on,
                  reason=str(e.data.get("reason", "")))
    return replace(case, deadline=dl)


def _reasons_requested(case: Case, e: DomainEvent) -> Case:
    return replace(case, reasons_requested_on=e.on)


def _replied(case: Case, e: DomainEvent) -> Case:
    d = e.data
    reply = Reply(decision=str(d["decision"]), issued_on=e.on, served_on=_d(d.get("served_on")),
                  service_method=d.get("service_method"), fields=dict(d.get("fields") or {}),
                  forced=bool(d.get("forced", False)), missing=tuple(d.get("missing") or ()))
    return replace(case, status=Status.REPLIED, reply=reply)


def _archived(case: Case, e: DomainEvent) -> Case:
    return replace(case, status=Status.ARCHIVED, archived_on=e.on)


def _withdrawn(case: Case, e: DomainEvent) -> Case:
    return replace(case, status=Status.WITHDRAWN, withdrawn_on=e.on)


def _review_recorded(case: Case, e: DomainEvent) -> Case:
    d = e.data
    review = Review(id=str(d["review_id"]), kind=str(d["kind"]), filed_on=e.on, body=str(d.get("body", "")),
                    after_reconsideration=bool(d.get("after_reconsideration", False)))
    return replace(case, reviews=(*case.reviews, review))


def _review_decided(case: Case, e: DomainEvent) -> Case:
    rid = str(e.data["review_id"])
    reviews = tuple(replace(r, outcome=str(e.data["outcome"]), decided_on=e.on) if r.id == rid else r
                    for r in case.reviews)
    return replace(case, reviews=reviews)


_APPLY: dict[str, Callable[[Case, DomainEvent], Case]] = {
    "accepted": _accepted,
    "correction_requested": _correction_requested,
    "correction_received": _correction_received,
    "lapsed": _lapsed,
    "consultation_started": _consultation_started,
    "consultation_ended": _consultation_ended,
    "fee_notice_issued": _fee_notice_issued,
    "payment_received": _payment_received,
    "extended": _extended,
    "deadline_set": _deadline_set,
    "reasons_requested": _reasons_requested,
    "replied": _replied,
    "archived": _archived,
    "withdrawn": _withdrawn,
    "review_recorded": _review_recorded,
    "review_decided": _review_decided,
    "due_date_changed": _ignore,
}


# ---------------------------------------------------------------------------------------------
# Actions
# ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Outcome:
    """What an action produces: events to append, assessment events to forward, letters to number.

    ``case`` is the case after the events (a convenience; the events are the record).
    """

    events: list[DomainEvent]
    assessment: list[AssessmentEvent] = field(default_factory=list)
    letters: list[LetterOrder] = field(default_factory=list)
    case: Case | None = None


CheckLetter = Callable[[LetterOrder], Sequence[str]]


def no_check(order: LetterOrder) -> Sequence[str]:
    """The default letter check: nothing missing (the service passes the real one)."""
    return ()


@dataclass
class _Ctx:
    """Everything an action handler needs; ``today`` is the agency's day."""

    case: Case
    params: Mapping[str, Any]
    actor: Actor
    today: date
    calendar: Any
    policy: Policy

    def due(self, as_of: date) -> date | None:
        return clk.due_on(self.case, as_of=as_of, calendar=self.calendar, policy=self.policy)


# --- parameter parsing (every failure names its field: HTTP 422) -----------------------------


def parse_date(value: Any, name: str) -> date:
    """A date from an ISO string (``YYYY-MM-DD``) or a ``date``; InvalidField otherwise."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidField(name, f"must be a date YYYY-MM-DD, got {value!r}")


def _fact_date(ctx: _Ctx, name: str, *, not_before: date | None = None, what: str = "") -> date:
    """A fact date: defaults to today, not in the future, not before receipt or the previous fact."""
    raw = ctx.params.get(name)
    value = ctx.today if raw in (None, "") else parse_date(raw, name)
    if value > ctx.today:
        raise InvalidField(name, f"{value} is in the future (today is {ctx.today})")
    if value < ctx.case.receipt_date:
        raise InvalidField(name, f"{value} is before the receipt date {ctx.case.receipt_date}")
    floor = ctx.case.last_fact_on if not_before is None else not_before
    if value < floor:
        label = what or "the previous recorded fact"
        raise InvalidField(name, f"{value} is before {label} ({floor})")
    return value


def _text(params: Mapping[str, Any], name: str, *, required: bool = True, default: str | None = None) -> str | None:
    value = params.get(name, default)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidField(name, "required")
        return default
    if not isinstance(value, str):
        raise InvalidField(name, "must be text")
    return value.strip()


def _int(params: Mapping[str, Any], name: str, *, default: int, low: int, high: int) -> int:
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidField(name, f"must be a whole number {low}–{high}")
    try:
        number = int(value)
    except ValueError:
        raise InvalidField(name, f"must be a whole number {low}–{high}") from None
    if not low <= number <= high:
        raise InvalidField(name, f"must be between {low} and {high}, got {number}")
    return number


def _bool(params: Mapping[str, Any], name: str) -> bool:
    value = params.get(name, False)
    if value in (None, False, "false", "0", 0):
        return False
    if value in (True, "true", "1", 1):
        return True
    raise InvalidField(name, "must be true or false")


def _choice(params: Mapping[str, Any], name: str, options: Sequence[str], default: str | None = None) -> str:
    value = params.get(name, default)
    if value not in options:
        raise InvalidField(name, f"must be one of {', '.join(options)}, got {value!r}")
    return str(value)


# --- guards that depend on the case and the clock (HTTP 409) ---------------------------------


def _guard(ctx: _Ctx, name: str, on: date) -> str | None:
    """Why ``name`` is not allowed on ``on`` given the case's facts and clock, or None if it is."""
    case = ctx.case
    if name == "request_correction":
        if case.correction is not None:
            return "a correction notice may be sent only once (Art. 30)"
        if case.extension is not None or case.deadline is not None:
            return "the reply period has already been extended or set; a correction notice comes first"
    elif name == "lapse":
        if case.status == Status.AWAITING_CORRECTION:
            end = clk.correction_period_end(case, calendar=ctx.calendar)
            if end is not None and on <= end:
                return f"the correction period runs until {end}; the case lapses only after it"
        elif case.status == Status.AWAITING_FEE and case.fee is not None:
            end = clk.fee_window_end(case.fee.sent_on, calendar=ctx.calendar, policy=ctx.policy)
            if on <= end:
                return f"the fee can be paid until {end}; the case lapses only after it"
    elif name == "extend":
        if case.extension is not None:
            return "the reply period may be extended only once (Art. 33 ¶2)"
        if case.deadline is not None:
            return "an Art. 35 deadline is set; it replaces the computed due date"
        due = ctx.due(on)
        if due is None or on > due:
            return (f"an extension must be notified on or before the current due date {due} "
                    "(Art. 33 ¶2); a late extension extends nothing")
    elif name == "set_deadline":
        if ctx.policy.art35_requires_reasons_request and case.reasons_requested_on is None:
            return "an Art. 35 deadline needs a request for reasons (request_reasons) first"
        due = ctx.due(on)
        if due is None or on > due:
            return f"an Art. 35 deadline must be notified on or before the current due date {due}"
    elif name == "issue_fee_notice" and case.fee is not None:
        return "a fee notice has already been issued for this application"
    elif name == "decide_review" and not any(r.outcome is None for r in case.reviews):
        return "no undecided reconsideration or lawsuit is recorded"
    return None


def _allowed(ctx: _Ctx, on: date) -> list[str]:
    return [name for name, spec in ACTIONS.items()
            if ctx.actor.role in spec.roles and ctx.case.status in spec.sources and _guard(ctx, name, on) is None]


def allowed_actions(case: Case, actor: Actor, *, today: date, calendar: Any, policy: Policy) -> list[str]:
    """The actions ``actor`` may perform on ``case`` today (state, role and clock permitting)."""
    return _allowed(_Ctx(case, {}, actor, today, calendar, policy), today)


def _refuse(ctx: _Ctx, action: str, reason: str) -> ActionNotAllowed:
    return ActionNotAllowed(str(ctx.case.status), action, _allowed(ctx, ctx.today), reason)


# --- letters and assessment ------------------------------------------------------------------


def _letter_base(case: Case) -> dict[str, Any]:
    applicant = case.applicant
    return {
        "request_number": case.number,
        "agency_code": case.agency_code,
        "applicant_name": applicant.get("name"),
        "applicant": dict(applicant),
        "receipt_date": case.receipt_date.isoformat(),
        "description": case.description,
    }


def _assessment(ctx: _Ctx, event_kind: str, on: date, subject: str, note: str, /,
                **details: Any) -> AssessmentEvent:
    """An assessment event about this case; ``details`` always carry the request number."""
    base = {"request_number": ctx.case.number}
    base.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in details.items()})
    return AssessmentEvent(kind=event_kind, unit=ctx.case.agency_code, on=on, subject=subject,
                           request_ref=ctx.case.number, note=note, details=base)


def _iso(value: date | None) -> str | None:
    return value.isoformat() if value is not None else None


# --- one handler per action: returns (events, assessment, letters) ----------------------------

_Result = tuple[list[DomainEvent], list[AssessmentEvent], list[LetterOrder]]


def _do_accept(ctx: _Ctx) -> _Result:
    on = _fact_date(ctx, "on")
    return [DomainEvent("accepted", on, {})], [], []


def _do_request_correction(ctx: _Ctx) -> _Result:
    case, policy, cal = ctx.case, ctx.policy, ctx.calendar
    sent_on = _fact_date(ctx, "sent_on")
    period = _int(ctx.params, "period_days", default=policy.default_correction_period_days, low=1,
                  high=policy.max_correction_period_days)
    items = ctx.params.get("items")
    if items in (None, "", []) and policy.default_correction_items:
        items = list(policy.default_correction_items)
    if isinstance(items, str):
        items = [items]
    if not items or not isinstance(items, list | tuple) or not all(isinstance(i, str) and i.strip() for i in items):
        raise InvalidField("items", "list what the applicant must correct (Art. 30)")
    items = [i.strip() for i in items]
    ends = cal.add_working_days(sent_on, period)
    data = {"period_days": period, "items": items, "period_ends_on": ends.isoformat()}
    assessment = []
    used = cal.working_days_between(case.receipt_date, sent_on)
    if used > policy.correction_notice_days:
        assessment.append(_assessment(
            ctx, NOTICE_LATE, sent_on, "correction_notice",
            f"补正告知书于收到申请后第{used}个工作日发出，超过{policy.correction_notice_days}个工作日",
            letter_kind="correction_notice", receipt_date=case.receipt_date, sent_on=sent_on,
            working_days=used, limit=policy.correction_notice_days))
    letter = LetterOrder("correction_notice", sent_on, {**_letter_base(case), **data})
    return [DomainEvent("correction_requested", sent_on, data)], assessment, [letter]


def _do_receive_correction(ctx: _Ctx) -> _Result:
    received_on = _fact_date(ctx, "received_on")
    return [DomainEvent("correction_received", received_on, {})], [], []


def _do_lapse(ctx: _Ctx) -> _Result:
    on = _fact_date(ctx, "on")
    expected = "correction" if ctx.case.status == Status.AWAITING_CORRECTION else "fee"
    reason = _choice(ctx.params, "reason", ("correction", "fee"), default=expected)
    if reason != expected:
        raise InvalidField("reason", f"a case in state {ctx.case.status} can lapse only for {expected}")
    return [DomainEvent("lapsed", on, {"reason": reason})], [], []


def _do_start_consultation(ctx: _Ctx) -> _Result:
    sent_on = _fact_date(ctx, "sent_on")
    party = _text(ctx.params, "party")
    kind = _choice(ctx.params, "kind", ("third_party", "agency"), default="third_party")
    window_end = clk.consultation_window_end(sent_on, calendar=ctx.calendar, policy=ctx.policy)
    data = {"party": party, "kind": kind}
    letter = LetterOrder("consultation", sent_on, {
        **_letter_base(ctx.case), **data, "window_days": ctx.policy.consultation_days,
        "window_ends_on": window_end.isoformat()})
    return [DomainEvent("consultation_started", sent_on, data)], [], [letter]


def _do_end_consultation(ctx: _Ctx) -> _Result:
    open_c = ctx.case.open_consultation
    assert open_c is not None  # state CONSULTING guarantees it
    on = _fact_date(ctx, "on")
    opinion = _text(ctx.params, "opinion", required=False)
    disclose = _disclose_anyway(ctx.params)
    # Disclosing "anyway" presupposes an objection, so ``objected`` defaults to it; given on its own it
    # records an objection the agency then respects (e.g. a later 不予公开 for third-party rights).
    objected = _bool(ctx.params, "objected") if ctx.params.get("objected") is not None else disclose
    if objected and opinion is None:
        raise InvalidField("opinion", "record what the party said: silence is not an objection (Art. 32)")
    reason = _text(ctx.params, "reason", required=False)
    if disclose:
        # Overriding an objection is a decision on the merits, not a front-desk record: not for a clerk.
        if ctx.actor.role not in _HANDLER_UP:
            raise _refuse(ctx, "end_consultation",
                          "only a handler or approver may decide to disclose over a third party's objection")
        if open_c.kind != "third_party":
            raise InvalidField("disclose_anyway", "only over a third party's objection (Art. 32); a co-producing "
                                                  "agency (Art. 34) is not sent a 第三方意见告知书")
        if not objected:
            raise InvalidField("objected", "disclose_anyway applies only when the third party objected; after "
                                           "consent or silence no 第三方意见告知书 is sent")
        if reason is None:
            raise InvalidField("reason", "required with disclose_anyway: why withholding would gravely harm the "
                                         "public interest; the third party must be told (Art. 32)")
    elif reason is not None:
        raise InvalidField("reason", "only with disclose_anyway: the reason is what the 第三方意见告知书 tells "
                                     "the third party")
    window_end = clk.consultation_window_end(open_c.sent_on, calendar=ctx.calendar, policy=ctx.policy)
    data = {"opinion": opinion, "silent": opinion is None, "objected": objected, "disclose_anyway": disclose,
            "reason": reason, "pause_ends_on": min(on, window_end).isoformat()}
    letters = []
    # Art. 32: a third party that objected is told in writing what will be disclosed and why, when the
    # agency decides to disclose anyway; in every other case nothing is sent.
    if disclose:
        letters.append(LetterOrder("third_party_opinion", on, {
            **_letter_base(ctx.case), "party": open_c.party, "kind": open_c.kind, "opinion": opinion,
            "reason": reason}))
    return [DomainEvent("consultation_ended", on, data)], [], letters


def _disclose_anyway(params: Mapping[str, Any]) -> bool:
    """The ``disclose_anyway`` flag; ``notify_party`` is its older name (still sent by older forms)."""
    given = {name: _bool(params, name) for name in ("disclose_anyway", "notify_party")
             if params.get(name) is not None}
    if len(set(given.values())) > 1:
        raise InvalidField("notify_party", "an older name of disclose_anyway; the two disagree, give one")
    return any(given.values())


def _do_issue_fee_notice(ctx: _Ctx) -> _Result:
    sent_on = _fact_date(ctx, "sent_on")
    raw = ctx.params.get("amount_yuan")
    try:
        amount = Decimal(str(raw)) if not isinstance(raw, bool) and raw is not None else None
    except InvalidOperation:
        amount = None
    if amount is None or not amount.is_finite() or amount <= 0 or amount != amount.quantize(Decimal("0.01")):
        raise InvalidField("amount_yuan", f"must be a positive amount in yuan, got {raw!r}")
    pay_by = clk.fee_window_end(sent_on, calendar=ctx.calendar, policy=ctx.policy)
    data = {"amount_yuan": str(amount.quantize(Decimal("0.01")))}
    letter = LetterOrder("fee_notice", sent_on, {**_letter_base(ctx.case), **data, "pay_by": pay_by.isoformat(),
                                                 "payment_days": ctx.policy.fee_payment_days})
    return [DomainEvent("fee_notice_issued", sent_on, data)], [], [letter]


def _do_receive_payment(ctx: _Ctx) -> _Result:
    on = _fact_date(ctx, "on")
    return [DomainEvent("payment_received", on, {})], [], []


def _do_extend(ctx: _Ctx) -> _Result:
    notified_on = _fact_date(ctx, "notified_on")
    days = _int(ctx.params, "days", default=ctx.policy.max_extension_days, low=1,
                high=ctx.policy.max_extension_days)
    # Art. 33 ¶2 asks for approval and notice, not stated reasons: a reason is recorded when given.
    reason = _text(ctx.params, "reason", required=False)
    reason_refused = _guard(ctx, "extend", notified_on)
    if reason_refused:
        raise _refuse(ctx, "extend", reason_refused)
    old_due = ctx.due(notified_on)
    data = {"days": days, "reason": reason}
    new_case = replace(ctx.case, extension=Extension(notified_on, days, reason or ""))
    new_due = clk.due_on(new_case, as_of=notified_on, calendar=ctx.calendar, policy=ctx.policy)
    letter = LetterOrder("extension_notice", notified_on, {
        **_letter_base(ctx.case), **data, "original_due_on": _iso(old_due), "new_due_on": _iso(new_due)})
    return [DomainEvent("extended", notified_on, data)], [], [letter]


def _do_request_reasons(ctx: _Ctx) -> _Result:
    sent_on = _fact_date(ctx, "sent_on")
    note = _text(ctx.params, "reason", required=False)
    data = {"reason": note}
    letter = LetterOrder("reasons_request", sent_on, {**_letter_base(ctx.case), **data})
    return [DomainEvent("reasons_requested", sent_on, data)], [], [letter]


def _do_set_deadline(ctx: _Ctx) -> _Result:
    notified_on = _fact_date(ctx, "notified_on")
    if ctx.params.get("due_on") in (None, ""):
        raise InvalidField("due_on", "required: the new reasonable deadline (Art. 35)")
    deadline = parse_date(ctx.params["due_on"], "due_on")
    reason = _text(ctx.params, "reason", required=False)
    refused = _guard(ctx, "set_deadline", notified_on)
    if refused:
        raise _refuse(ctx, "set_deadline", refused)
    current = ctx.due(notified_on)
    assert current is not None  # the guard refuses a case without a due date
    if deadline <= current:
        raise InvalidField("due_on", f"must be later than the current due date {current}")
    data = {"deadline": deadline.isoformat(), "reason": reason}
    letter = LetterOrder("extension_notice", notified_on, {
        **_letter_base(ctx.case), "art35": True, "reason": reason, "original_due_on": current.isoformat(),
        "new_due_on": deadline.isoformat()})
    return [DomainEvent("deadline_set", notified_on, data)], [], [letter]


_SERVICE_METHODS = ("post", "direct", "email", "online", "fax", "collection")
# Parameters of the reply action itself; everything else is a decision-specific field.
_REPLY_OWN = {"decision", "issued_on", "served_on", "service_method", "force", "seal_confirmed", "action"}


def _do_reply(ctx: _Ctx) -> _Result:
    case = ctx.case
    code = ctx.params.get("decision")
    if not isinstance(code, str):
        raise InvalidField("decision", f"required; one of {', '.join(DECISIONS)}")
    ctx = replace(ctx, params=normalise_decision_fields(code, ctx.params))
    decision = validate_decision(code, ctx.params)
    issued_on = _fact_date(ctx, "issued_on")
    served_on = None
    if ctx.params.get("served_on") not in (None, ""):
        served_on = _fact_date(ctx, "served_on", not_before=issued_on, what="the date of issue")
    method = None
    if ctx.params.get("service_method") not in (None, ""):
        method = _choice(ctx.params, "service_method", _SERVICE_METHODS)
    seal = _bool(ctx.params, "seal_confirmed")
    fields = {k: v for k, v in ctx.params.items() if k not in _REPLY_OWN}
    due = ctx.due(issued_on)
    st = clk.clock(case, as_of=issued_on, calendar=ctx.calendar, policy=ctx.policy)
    letter_fields = {
        **_letter_base(case), **fields,
        "decision": decision.code, "decision_label": decision.label, "basis": decision.basis,
        "issued_on": issued_on.isoformat(), "served_on": _iso(served_on), "service_method": method,
        "seal_confirmed": seal, "due_on": _iso(due),
        "correction_received_on": _iso(case.correction.received_on if case.correction else None),
        "pauses": [{"start": p.start.isoformat(), "end": p.end.isoformat()} for p in st.pauses],
        "extension_days": case.extension.days if case.extension else None,
        "deadline": _iso(case.deadline.due_on if case.deadline else None),
    }
    data = {"decision": decision.code, "served_on": _iso(served_on), "service_method": method,
            "seal_confirmed": seal, "fields": fields}
    assessment = [_assessment(ctx, CASE_CLOSED, issued_on, "reply", f"答复：{decision.label}",
                              decision=decision.code, table3_row=decision.table3_row, issued_on=issued_on,
                              due_on=due)]
    # Served by post counts as given on the hand-over day (国办公开办函〔2016〕235号); a reply is late
    # when its issue (or, if later and recorded, its service) falls after the due date.
    given_on = max(issued_on, served_on) if served_on else issued_on
    if due is not None and given_on > due:
        late_by = ctx.calendar.working_days_between(due, given_on)
        assessment.append(_assessment(ctx, REPLY_LATE, given_on, "reply",
                                      f"逾期答复：应于{due}前答复，实际{given_on}",
                                      due_on=due, issued_on=issued_on, served_on=served_on,
                                      working_days_late=late_by))
    letter = LetterOrder("reply", issued_on, letter_fields)
    return [DomainEvent("replied", issued_on, data)], assessment, [letter]


def _do_archive(ctx: _Ctx) -> _Result:
    on = _fact_date(ctx, "on")
    return [DomainEvent("archived", on, {})], [], []


def _do_withdraw(ctx: _Ctx) -> _Result:
    on = _fact_date(ctx, "on")
    reason = _text(ctx.params, "reason", required=False)
    return [DomainEvent("withdrawn", on, {"reason": reason})], [], []


def _do_record_review(ctx: _Ctx) -> _Result:
    reply = ctx.case.reply
    assert reply is not None  # REPLIED / ARCHIVED
    kind = _choice(ctx.params, "kind", ("reconsideration", "litigation"))
    filed_on = _fact_date(ctx, "filed_on", not_before=reply.issued_on, what="the reply")
    body = _text(ctx.params, "body")
    after = _bool(ctx.params, "after_reconsideration")
    if after and kind != "litigation":
        raise InvalidField("after_reconsideration", "only a lawsuit can follow a reconsideration")
    review_id = f"R{len(ctx.case.reviews) + 1}"
    data = {"review_id": review_id, "kind": kind, "body": body, "after_reconsideration": after}
    return [DomainEvent("review_recorded", filed_on, data)], [], []


def _do_decide_review(ctx: _Ctx) -> _Result:
    rid = ctx.params.get("review")
    undecided = [r.id for r in ctx.case.reviews if r.outcome is None]
    if rid is None and len(undecided) == 1:  # the only one open: no need to name it
        rid = undecided[0]
    if rid is None:
        raise InvalidField("review", f"name the review to decide: one of {', '.join(undecided)}")
    review = next((r for r in ctx.case.reviews if r.id == str(rid)), None)
    if review is None:
        raise InvalidField("review", f"no review {rid!r}; recorded: {', '.join(r.id for r in ctx.case.reviews)}")
    if review.outcome is not None:
        raise _refuse(ctx, "decide_review", f"review {review.id} was already decided ({review.outcome})")
    outcome = _choice(ctx.params, "outcome", ("upheld", "corrected", "other"))
    decided_on = _fact_date(ctx, "decided_on", not_before=review.filed_on, what="the filing")
    assessment = []
    if outcome == "corrected":
        label = "行政复议" if review.kind == "reconsideration" else "行政诉讼"
        assessment.append(_assessment(ctx, REVIEW_CORRECTED, decided_on, f"review:{review.id}",
                                      f"{label}结果纠正（{review.body}）", review=review.id, kind=review.kind,
                                      body=review.body, filed_on=review.filed_on, decided_on=decided_on,
                                      after_reconsideration=review.after_reconsideration))
    data = {"review_id": review.id, "outcome": outcome}
    return [DomainEvent("review_decided", decided_on, data)], assessment, []


_HANDLERS: dict[str, Callable[[_Ctx], _Result]] = {
    "accept": _do_accept,
    "request_correction": _do_request_correction,
    "receive_correction": _do_receive_correction,
    "lapse": _do_lapse,
    "start_consultation": _do_start_consultation,
    "end_consultation": _do_end_consultation,
    "issue_fee_notice": _do_issue_fee_notice,
    "receive_payment": _do_receive_payment,
    "extend": _do_extend,
    "request_reasons": _do_request_reasons,
    "set_deadline": _do_set_deadline,
    "reply": _do_reply,
    "archive": _do_archive,
    "withdraw": _do_withdraw,
    "record_review": _do_record_review,
    "decide_review": _do_decide_review,
}
assert set(_HANDLERS) == set(ACTIONS), "every action needs exactly one handler"

# Guards that need the action's own date are applied inside the handler; the others run first.
_DATE_GUARDED = {"extend", "set_deadline"}


def check_letters(orders: Sequence[LetterOrder], *, check_letter: CheckLetter, force: bool, actor: Actor,
                  ctx_refuse: Callable[[str], ActionNotAllowed]) -> list[tuple[LetterOrder, list[str]]]:
    """Run the element check on every letter; return (order, missing) for the ones forced through."""
    forced: list[tuple[LetterOrder, list[str]]] = []
    for order in orders:
        missing = [str(m) for m in check_letter(order)]
        if not missing:
            continue
        if not force:
            raise Conflict("letter is missing required elements", missing=missing, letter=order.kind)
        if actor.role != Role.APPROVER:
            raise ctx_refuse("only an approver may force a letter with missing elements")
        forced.append((order, missing))
    return forced


def perform(case: Case, action: str, params: Mapping[str, Any], *, actor: Actor, today: date, calendar: Any,
            policy: Policy, check_letter: CheckLetter = no_check) -> Outcome:
    """Perform one action on a case; return its events, assessment events and letter orders.

    Raises ``InvalidField`` for a bad parameter (422), ``ActionNotAllowed`` when the state, the role
    or the clock does not allow the action (409), ``Conflict`` when a letter lacks required elements
    and ``force`` is not given (409). Nothing is returned half-done.
    """
    spec = ACTIONS.get(action)
    if spec is None:
        raise InvalidField("action", f"unknown action {action!r}; one of {', '.join(ACTIONS)}")
    ctx = _Ctx(case, params, actor, today, calendar, policy)
    if actor.role not in spec.roles:
        roles = ", ".join(str(r) for r in sorted(spec.roles))
        raise _refuse(ctx, action, f"role {actor.role} may not {action} (allowed to: {roles})")
    if case.status not in spec.sources:
        states = ", ".join(str(s) for s in sorted(spec.sources, key=list(Status).index))
        raise _refuse(ctx, action, f"{action} is not possible in state {case.status} (only in: {states})")
    if action not in _DATE_GUARDED and action != "lapse":
        refused = _guard(ctx, action, today)
        if refused:
            raise _refuse(ctx, action, refused)
    force = _bool(params, "force")
    events, assessment, letters = _HANDLERS[action](ctx)
    if action == "lapse":
        refused = _guard(ctx, action, events[0].on)
        if refused:
            raise _refuse(ctx, action, refused)
    forced = check_letters(letters, check_letter=check_letter, force=force, actor=actor,
                           ctx_refuse=lambda reason: _refuse(ctx, action, reason))
    for order, missing in forced:
        subject = "reply" if order.kind == "reply" else f"letter:{order.kind}:{case.version + 1}"
        assessment.append(_assessment(ctx, REPLY_DEFECT, order.issued_on, subject,
                                      f"{order.kind} 缺少必备要素：{'、'.join(missing)}",
                                      letter_kind=order.kind, missing=missing, forced_by=actor.user_id))
        if order.kind == "reply":
            events = [replace(e, data={**e.data, "forced": True, "missing": missing}) if e.kind == "replied"
                      else e for e in events]
    # Record, with each event, the who and the due date it left behind (history of the due date).
    stamped: list[DomainEvent] = []
    current = case
    for event in events:
        event = replace(event, data={**event.data, "by": actor.user_id, "role": str(actor.role)})
        probe = apply(current, event)
        due = clk.due_on(probe, as_of=event.on, calendar=calendar, policy=policy)
        event = replace(event, data={**event.data, "due_on": _iso(due)})
        current = apply(current, event)
        stamped.append(event)
    return Outcome(events=stamped, assessment=assessment, letters=letters, case=current)
