"""The case: the facts of a request folded from its events (``fold``), one small function per event kind."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from workflow.delivery import Service, ServiceMethod
from workflow.events import DomainEvent
from workflow.machine.states import Status


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
class FeeWaiver:
    """A fee the national rules give, waived in full with its reason (no notice sent)."""

    on: date
    method: str
    total_yuan: str
    reason: str


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
    fee_waiver: FeeWaiver | None = None
    extension: Extension | None = None
    deadline: Deadline | None = None
    reasons_requested_on: date | None = None
    reply: Reply | None = None
    archived_on: date | None = None
    withdrawn_on: date | None = None
    lapsed_on: date | None = None
    lapse_reason: str | None = None
    reviews: tuple[Review, ...] = ()
    # 送达 of the letters, by subject ("correction", "fee", "consultation:<n>", "reply", …): latest record wins.
    services: tuple[Service, ...] = ()
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

    def service(self, subject: str) -> Service | None:
        """The recorded service of the letter about ``subject``, if any."""
        return next((s for s in reversed(self.services) if s.subject == subject), None)

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
        if event.kind not in _NOT_HANDLING_FACTS and event.kind in _APPLY:
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


def _fee_waived(case: Case, e: DomainEvent) -> Case:
    d = e.data
    waiver = FeeWaiver(on=e.on, method=str(d.get("fee_method", "")), total_yuan=str(d.get("total_yuan", "")),
                       reason=str(d.get("waiver_reason", "")))
    return replace(case, fee_waiver=waiver)


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


def _letter_sent(case: Case, e: DomainEvent) -> Case:
    d = e.data
    svc = Service(subject=str(d["subject"]), method=ServiceMethod(d["method"]), sent_on=e.on,
                  ems_number=d.get("ems_number"))
    return replace(case, services=(*[s for s in case.services if s.subject != svc.subject], svc))


def _letter_received(case: Case, e: DomainEvent) -> Case:
    subject = str(e.data["subject"])
    return replace(case, services=tuple(replace(s, received_on=e.on) if s.subject == subject else s
                                        for s in case.services))


# Reviews, due-date recomputations and service records may be recorded after later facts of the handling:
# they do not move ``last_fact_on``.
_NOT_HANDLING_FACTS = frozenset({"review_recorded", "review_decided", "due_date_changed", "letter_sent",
                                 "letter_received"})

_APPLY: dict[str, Callable[[Case, DomainEvent], Case]] = {
    "letter_sent": _letter_sent,
    "letter_received": _letter_received,
    "accepted": _accepted,
    "correction_requested": _correction_requested,
    "correction_received": _correction_received,
    "lapsed": _lapsed,
    "consultation_started": _consultation_started,
    "consultation_ended": _consultation_ended,
    "fee_notice_issued": _fee_notice_issued,
    "payment_received": _payment_received,
    "fee_waived": _fee_waived,
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
