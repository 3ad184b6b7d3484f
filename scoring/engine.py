"""Scoring: a scheme, a period, units, events and manual entries → one result per unit with its trail.

Every trail line is written twice, in Chinese (``reason``: what a unit's head reads) and English
(``reason_en``), and carries the clause of the document it applies (``clause``). The stages live in
their own modules: ``entries`` (checking entries), ``context`` (what a run shares), ``items`` and
``rules`` (categories, items, rule types), ``grading`` (total, forced outcomes, grade), ``composite``
(weighted components) and ``wording`` (how the trail words figures).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from scoring.composite import compose
from scoring.context import Context
from scoring.entries import EntryError, amount_bound, check_adjustment, check_entry
from scoring.grading import finish, table_total
from scoring.inputs import Adjustment, Event, EventSet, ManualEntry, Unit
from scoring.items import score_categories
from scoring.periods import Period, parse_period
from scoring.results import UnitResult
from scoring.scheme import Scheme, item_direction

# What other code imports from here (kept since the engine was split into its stages).
__all__ = ["EntryError", "amount_bound", "check_adjustment", "check_entry", "item_direction", "score"]


def _unmatched(ctx: Context, unit: Unit, known: set[str]) -> dict[str, int]:
    """Event kinds of the unit in the period that the scheme neither scores nor ignores, with counts."""
    found: dict[str, int] = {}
    for kind in ctx.events.kinds(unit.code):
        if kind not in known:
            n = len(ctx.events.get(unit.code, kind, ctx.period))
            if n:
                found[kind] = n
    return found


def score(scheme: Scheme, period: str | Period, units: Sequence[Unit], events: EventSet | Iterable[Event],
          entries: Iterable[ManualEntry] = (), *, averages: Mapping[str, float | Decimal] | None = None,
          adjustments: Iterable[Adjustment] = ()) -> list[UnitResult]:
    """Score every unit in ``units`` for ``period`` (``2026``, ``2026H1``, ``2026Q1``, ``2026-07``) under ``scheme``.

    ``units`` is the whole population the scheme applies to (averages and sub-unit aggregation need
    it; filter the results, not the input). ``averages`` fixes the average of a relative-to-average
    rule (by rule id) instead of computing it over ``units`` (an entry on the rule id does the same,
    and wins). ``adjustments`` are assessors' amounts for single events on discretionary items.
    Events and entries are counted once per key. Raises ``ValueError`` for a period kind the scheme
    does not assess and :class:`EntryError` for an entry that does not fit the scheme.
    """
    p = parse_period(period) if isinstance(period, str) else period
    if p.kind not in scheme.periods:
        raise ValueError(f"scheme {scheme.id} is assessed by {', '.join(scheme.periods)}, not by {p.kind}")
    index = events if isinstance(events, EventSet) else EventSet(events)
    ctx = Context(scheme, p, units, index, entries, averages, adjustments)
    results: list[UnitResult] = []
    known = scheme.kinds() | set(scheme.ignore)
    for unit in units:
        result = UnitResult(scheme.id, unit.code, p.label, score_categories(ctx, unit))
        result.unmatched = _unmatched(ctx, unit, known)
        results.append(result)
    if scheme.components:
        compose(ctx, results)
        return results
    for unit, result in zip(units, results, strict=True):
        if scheme.structure_only:
            result.refusal = (f"{scheme.title}：文件只规定指标、未定分值，尚未加载实施细则（分值叠加文件），"
                              f"只列出各指标下的事项，不计算总分")
            result.refusal_en = (f"{scheme.title}: structure only, no points overlay (实施细则) loaded — events are "
                                 f"listed per indicator, no total is computed")
            finish(ctx, unit, result, None)
            continue
        finish(ctx, unit, result, table_total(scheme, result))
    return results
