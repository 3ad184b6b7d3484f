"""What scoring produces per unit and period: item scores, subtotals, total, grade and the trail."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from scoring.inputs import Adjustment, Event, ManualEntry


def _num(value: Decimal | None) -> float | None:
    return None if value is None else float(value)


def event_dict(ev: Event) -> dict[str, Any]:
    """An event as it appears in a trail: details (request number, letter number…) verbatim."""
    return {"kind": ev.kind, "key": ev.key, "on": ev.on.isoformat(), "subject": ev.subject,
            "request_ref": ev.request_ref, "amount": _num(None if ev.amount is None else Decimal(str(ev.amount))),
            "note": ev.note, "details": dict(ev.details)}


def adjustment_dict(adj: Adjustment) -> dict[str, Any]:
    """An assessor's adjustment as it appears in a trail: the amount, who, when and why."""
    return {"event_key": adj.event_key, "item": adj.item, "amount": float(adj.amount), "note": adj.note,
            "author": adj.author, "at": adj.at}


def entry_dict(entry: ManualEntry) -> dict[str, Any]:
    """A manual entry as it appears in a trail."""
    return {"target": entry.target, "period": entry.period, "key": entry.key, "note": entry.note,
            "amount": None if entry.amount is None else float(entry.amount), "count": entry.count,
            "value": None if entry.value is None else float(entry.value)}


@dataclass(slots=True)
class TrailEntry:
    """One reason a figure moved: the rule, the points (None: listed without points), the causes.

    ``reason`` is Chinese (what a unit's head reads), ``reason_en`` the same in English; ``clause``
    quotes the document's words the rule reads; ``adjustments`` are the assessors' amounts that
    replaced the rule's default for the event, oldest first (the last one applies).
    """

    rule: str
    points: Decimal | None
    reason: str
    events: tuple[Event, ...] = ()
    entries: tuple[ManualEntry, ...] = ()
    reason_en: str = ""
    clause: str = ""
    adjustments: tuple[Adjustment, ...] = ()
    original: Decimal | None = None      # the rule's own figure before an assessor's adjustment

    def text(self, lang: str = "zh") -> str:
        """The reason in ``lang`` (zh or en)."""
        return self.reason_en or self.reason if lang == "en" else self.reason

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"rule": self.rule, "points": _num(self.points), "reason": self.reason,
                "reason_en": self.reason_en or self.reason, "clause": self.clause,
                "original": _num(self.original),
                "adjustments": [adjustment_dict(a) for a in self.adjustments],
                "events": [event_dict(e) for e in self.events], "entries": [entry_dict(e) for e in self.entries]}


@dataclass
class ItemResult:
    """One item: its most points, its net change (after its own cap) and why."""

    id: str
    name: str
    points: Decimal | None
    delta: Decimal | None
    trail: list[TrailEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "points": _num(self.points), "delta": _num(self.delta),
                "trail": [t.to_dict() for t in self.trail]}


@dataclass
class CategoryResult:
    """One category instance (a quarter's instance for quarterly categories): start, score, items."""

    id: str
    name: str
    label: str
    kind: str
    points: Decimal | None
    start: Decimal | None
    score: Decimal | None
    items: list[ItemResult]
    trail: list[TrailEntry] = field(default_factory=list)
    outside_total: bool = False
    ledger: str = "score"
    group: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "label": self.label, "kind": self.kind,
                "points": _num(self.points), "start": _num(self.start), "score": _num(self.score),
                "outside_total": self.outside_total, "ledger": self.ledger, "group": self.group,
                "items": [i.to_dict() for i in self.items], "trail": [t.to_dict() for t in self.trail]}


@dataclass
class ComponentResult:
    """A weighted component: its score out of the scale, weight and weighted share."""

    id: str
    name: str
    weight: Decimal
    score: Decimal | None
    weighted: Decimal | None
    trail: list[TrailEntry] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        return {"id": self.id, "name": self.name, "weight": _num(self.weight), "score": _num(self.score),
                "weighted": _num(self.weighted), "trail": [t.to_dict() for t in self.trail]}


@dataclass
class UnitResult:
    """Everything a scheme says about one unit for one period."""

    scheme: str
    unit: str
    period: str
    categories: list[CategoryResult]
    components: list[ComponentResult] = field(default_factory=list)
    total: Decimal | None = None
    grade: str | None = None
    grade_wording: str = ""
    consequences: list[str] = field(default_factory=list)
    trail: list[TrailEntry] = field(default_factory=list)
    target: dict[str, Decimal | None] | None = None
    complete: bool = True
    refusal: str | None = None
    unmatched: dict[str, int] = field(default_factory=dict)
    pending: int = 0                 # events awaiting an assessor's amount (酌情, no default in the document)
    refusal_en: str | None = None

    def subtotal(self, category_id: str) -> Decimal | None:
        """The summed score of a category (all its quarterly instances)."""
        scores = [c.score for c in self.categories if c.id == category_id]
        if not scores or any(s is None for s in scores):
            return None
        return sum((s for s in scores if s is not None), Decimal(0))

    def item(self, item_id: str) -> list[ItemResult]:
        """Every instance of an item (one per quarter for quarterly categories)."""
        return [i for c in self.categories for i in c.items if i.id == item_id]

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready form."""
        target = None if self.target is None else {k: _num(v) for k, v in self.target.items()}
        return {"scheme": self.scheme, "unit": self.unit, "period": self.period, "total": _num(self.total),
                "grade": self.grade, "grade_wording": self.grade_wording, "consequences": self.consequences,
                "complete": self.complete, "refusal": self.refusal, "refusal_en": self.refusal_en,
                "pending": self.pending, "target": target,
                "unmatched": self.unmatched, "trail": [t.to_dict() for t in self.trail],
                "components": [c.to_dict() for c in self.components],
                "categories": [c.to_dict() for c in self.categories]}
