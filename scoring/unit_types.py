"""Whether an item or category limited to some unit types applies to a unit, and on which days of a period."""

from __future__ import annotations

from datetime import date, timedelta

from scoring.inputs import Unit
from scoring.periods import Period


def applies(types: tuple[str, ...], unit: Unit) -> bool:
    """Whether something limited to ``types`` (none: every type) applies to ``unit`` at any time of the period."""
    if not types:
        return True
    if unit.history:
        return any(t in types for _, t in unit.history)
    return unit.type in types


def type_spans(types: tuple[str, ...], unit: Unit, rng: Period) -> list[tuple[date, date]] | None:
    """The parts of ``rng`` in which the unit had one of ``types`` (None: all of it)."""
    if not types or not unit.history:
        return None
    spans: list[tuple[date, date]] = []
    for i, (start, kind) in enumerate(unit.history):
        end = unit.history[i + 1][0] - timedelta(days=1) if i + 1 < len(unit.history) else rng.end
        lo, hi = max(start, rng.start), min(end, rng.end)
        if kind in types and lo <= hi:
            spans.append((lo, hi))
    if spans == [(rng.start, rng.end)]:
        return None
    return spans
