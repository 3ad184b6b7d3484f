"""What the engine scores: assessment events, assessors' manual entries and the unit hierarchy."""

from __future__ import annotations

from bisect import bisect_left, bisect_right
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from scoring.periods import Period


@dataclass(frozen=True)
class Event:
    """One scored fact (考核事件): ``kind`` happened at ``unit`` on ``on``; the same ``key`` counts once.

    ``amount`` is an assessor's per-case figure: for a discretionary rule it replaces the default
    deduction or bonus (as a magnitude: the rule decides the sign); for a metric rule it is the value.
    ``details`` is passed verbatim into the trail (request number, letter number, missing elements…).
    """

    kind: str
    unit: str
    on: date
    key: str
    subject: str = ""
    amount: float | Decimal | None = None
    note: str = ""
    details: Mapping[str, Any] = field(default_factory=dict)
    request_ref: str = ""


@dataclass(frozen=True)
class ManualEntry:
    """An assessor's entry for one item (or component, or forced-outcome rule) of a unit and period.

    ``target`` is an item id, a component id or a forced-outcome id of the scheme. Exactly one of
    ``amount`` (points, as a magnitude: the category decides the sign), ``count`` (occurrences at the
    item's default amount) and ``value`` (a measured figure: a metric or a component score) is given.
    """

    target: str
    unit: str
    period: str
    amount: float | Decimal | None = None
    count: int | None = None
    value: float | Decimal | None = None
    note: str = ""
    key: str = ""


@dataclass(frozen=True)
class Adjustment:
    """An assessor's amount for one event on one item (酌情): replaces the rule's default for that case.

    The latest adjustment of an (event, item) pair applies; every one stays in the trail with who
    made it, when and why (``note`` is required by the service).
    """

    event_key: str
    item: str
    amount: float | Decimal
    note: str
    author: str = ""
    at: str = ""                     # ISO timestamp, for the trail


@dataclass(frozen=True)
class Unit:
    """A scored unit (agency): its code, name, parent unit code (for summation) and type (used by
    ``applies_to`` and weighted sub-unit aggregation); ``params`` carries per-unit figures such as
    ``target_points``.

    ``type`` is the type in force at the end of the period. ``history`` lists the types in force
    within the period as (first day, type), oldest first, when the unit changed type during it (a
    department that became a county government on 1 July): items for one type then count only the
    events dated while the unit had that type.
    """

    code: str
    name: str = ""
    parent: str | None = None
    type: str = ""
    params: Mapping[str, Any] = field(default_factory=dict)
    history: tuple[tuple[date, str], ...] = ()


ZERO = Decimal(0)


def to_decimal(value: float | int | str | Decimal) -> Decimal:
    """An exact decimal for ``value`` (floats go through ``str`` so 0.1 stays 0.1)."""
    if isinstance(value, Decimal):
        return value
    if isinstance(value, float):
        return Decimal(repr(value))
    return Decimal(value)


class EventSet:
    """Events deduplicated on ``key`` (first one wins) and indexed by unit and kind, sorted by date.

    Build it once and score any number of schemes and periods against it; that is what keeps scoring
    5 schemes × 500 units × 100,000 events well inside the benchmark budget.
    """

    __slots__ = ("_index", "count", "duplicates")

    def __init__(self, events: Iterable[Event]) -> None:
        seen: set[str] = set()
        buckets: dict[str, dict[str, list[Event]]] = {}
        duplicates = 0
        for ev in events:
            if ev.key in seen:
                duplicates += 1
                continue
            seen.add(ev.key)
            buckets.setdefault(ev.unit, {}).setdefault(ev.kind, []).append(ev)
        index: dict[str, dict[str, tuple[list[date], list[Event]]]] = {}
        for unit, kinds in buckets.items():
            per_kind: dict[str, tuple[list[date], list[Event]]] = {}
            for kind, evs in kinds.items():
                # Sorting on (date, key) makes every trail independent of arrival order.
                evs.sort(key=lambda e: (e.on, e.key))
                per_kind[kind] = ([e.on for e in evs], evs)
            index[unit] = per_kind
        self._index = index
        self.count = len(seen)
        self.duplicates = duplicates

    def get(self, unit: str, kind: str, period: Period) -> list[Event]:
        """The events of ``kind`` at ``unit`` dated inside ``period``, in (date, key) order."""
        per_kind = self._index.get(unit)
        if per_kind is None:
            return []
        found = per_kind.get(kind)
        if found is None:
            return []
        dates, evs = found
        lo = bisect_left(dates, period.start)
        hi = bisect_right(dates, period.end)
        return evs[lo:hi]

    def kinds(self, unit: str) -> list[str]:
        """Every event kind recorded for ``unit``."""
        return sorted(self._index.get(unit, {}))

    def units(self) -> list[str]:
        """Every unit with at least one event."""
        return sorted(self._index)
