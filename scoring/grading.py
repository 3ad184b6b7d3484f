"""From categories to a unit's result: the table's total, forced outcomes, rounding, grade, consequences, targets."""

from __future__ import annotations

from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from scoring.context import Context
from scoring.inputs import ZERO, Event, Unit, to_decimal
from scoring.results import TrailEntry, UnitResult
from scoring.scheme import Band, Forced, Scheme
from scoring.wording import fmt


def table_total(scheme: Scheme, result: UnitResult, *, outside: bool = True) -> Decimal | None:
    """The categories' total: inside categories clamped to the scale, then (``outside``) the categories
    outside the table, never below 0."""
    if any(c.score is None for c in result.categories if c.ledger == "score"):
        return None
    attached = {c.id for c in scheme.categories if c.component is not None}
    inside = sum((c.score for c in result.categories
                  if c.ledger == "score" and not c.outside_total and c.score is not None and c.id not in attached),
                 ZERO)
    total = min(max(inside, ZERO), scheme.scale)
    if total != inside:
        result.trail.append(TrailEntry("clamp:scale", total - inside,
                                       f"百分制：表内得分以 0–{fmt(scheme.scale)} 分为限（{fmt(inside)} → {fmt(total)}）",
                                       (), (), f"the table's total stays within 0–{fmt(scheme.scale)} "
                                       f"({fmt(inside)} → {fmt(total)})"))
    if outside:
        total = add_outside(result, total)
    return total


def add_outside(result: UnitResult, total: Decimal) -> Decimal:
    """``total`` plus the categories outside the table (特别项), never below 0; each move in the trail."""
    for c in result.categories:
        if c.ledger == "score" and c.outside_total and c.score:
            result.trail.append(TrailEntry(f"outside:{c.id}", c.score, f"{c.name}：不在总分内，得分计入（减）总分",
                                           (), (), f"{c.name}: outside the table, added"))
            total += c.score
    if total < 0:
        result.trail.append(TrailEntry("clamp:zero", -total, "总分不低于 0 分", (), (), "a total is never below zero"))
        total = ZERO
    return total


def _band_for(scheme: Scheme, total: Decimal) -> Band | None:
    if scheme.band_rounding == "half_up":
        total = total.to_integral_value(rounding=ROUND_HALF_UP)
    elif scheme.band_rounding == "floor":
        total = total.to_integral_value(rounding=ROUND_FLOOR)
    for band in scheme.bands:
        if band.min is None or total > band.min or (band.min_inclusive and total == band.min):
            return band
    return None


def _band_named(scheme: Scheme, grade: str) -> Band:
    return next(b for b in scheme.bands if b.grade == grade)


def _forced(ctx: Context, unit: Unit) -> list[tuple[Forced, TrailEntry]]:
    hits: list[tuple[Forced, TrailEntry]] = []
    for f in ctx.scheme.forced:
        evs = [e for k in f.kinds for e in ctx.events.get(unit.code, k, ctx.period)]
        ents = ctx.entries_in(unit.code, f.id, ctx.period)
        counted = sum(e.count or 0 for e in ents)
        if f.same_subject:
            by_subject: dict[str, list[Event]] = {}
            for e in evs:
                by_subject.setdefault(e.subject, []).append(e)
            repeated = [g for g in by_subject.values() if len(g) >= f.min_count]
            if repeated or counted >= f.min_count:
                cause = tuple(e for g in repeated for e in g)
                hits.append((f, TrailEntry(f"forced:{f.id}", None, f.name, cause, tuple(ents), f.name, f.clause)))
        elif len(evs) + counted >= f.min_count:
            hits.append((f, TrailEntry(f"forced:{f.id}", None, f.name, tuple(evs), tuple(ents), f.name, f.clause)))
    return hits


def finish(ctx: Context, unit: Unit, result: UnitResult, total: Decimal | None) -> None:
    """Complete ``result`` from its ``total`` (None: no total): forced outcomes, rounding, grade band,
    consequences and target points."""
    scheme = ctx.scheme
    forced_grade = None
    forced_consequences: list[str] = []
    result.pending = ctx.pending.get(unit.code, 0)
    for f, entry in _forced(ctx, unit):
        result.trail.append(entry)
        forced_consequences += list(f.consequences)
        if f.outcome == "zero" and total is not None:
            result.trail.append(TrailEntry(entry.rule, -total, "直接归零", (), (), "score set to zero (直接归零)",
                                           entry.clause))
            total = ZERO
        if f.grade is not None:
            forced_grade = f.grade
    graded = ctx.period.kind in scheme.graded_periods and bool(scheme.bands)
    if total is None:
        result.complete = False
        if forced_grade and graded:
            # A forced grade stands even where the points cannot be totalled (三门峡 第十六条: no points,
            # 弄虚作假 is 不合格 all the same).
            band = _band_named(scheme, forced_grade)
            result.grade, result.grade_wording = band.grade, band.wording
            result.consequences = forced_consequences + list(band.consequences)
        return
    result.consequences = list(scheme.consequences)
    q = Decimal(1).scaleb(-scheme.decimals)
    result.total = total.quantize(q, rounding=ROUND_HALF_UP)
    band = None
    if graded:
        band = _band_for(scheme, result.total)
        if forced_grade is not None:
            band = _band_named(scheme, forced_grade)
        if band is not None:
            result.grade, result.grade_wording = band.grade, band.wording
            result.consequences += forced_consequences + list(band.consequences)
    else:
        result.consequences += forced_consequences
    if any(c.ledger == "target" for c in scheme.categories) or any(b.target_deduction for b in scheme.bands):
        tp = unit.params.get("target_points", scheme.target_points)
        points = None if tp is None else to_decimal(tp)
        direct = sum((c.score or ZERO for c in result.categories if c.ledger == "target"), ZERO)
        grade_cut = None
        remaining = None
        if points is not None:
            grade_cut = (band.target_deduction or ZERO) * points if band is not None else ZERO
            # Direct deductions and the grade's share come off the target points, 扣完为止.
            remaining = max(points - grade_cut + direct, ZERO)
        elif graded or direct:
            result.consequences.append("目标分值未设置：无法折算扣减（在单位属性中设置 target_points）")
        result.target = {"points": points, "grade_deduction": grade_cut, "direct_deductions": direct,
                         "remaining": remaining}
