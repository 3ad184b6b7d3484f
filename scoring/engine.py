"""Scoring: a scheme, a period, units, events and manual entries → one result per unit with its trail."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from scoring.inputs import Event, EventSet, ManualEntry, Unit, to_decimal
from scoring.periods import Period, parse_period
from scoring.results import CategoryResult, ComponentResult, ItemResult, TrailEntry, UnitResult
from scoring.scheme import (
    BONUS,
    DEDUCT,
    PENALTY,
    PER_EVENT,
    RELATIVE,
    THRESHOLD,
    ZERO_ITEM,
    Band,
    Category,
    Item,
    Rule,
    Scheme,
)

ZERO = Decimal(0)


class EntryError(ValueError):
    """A manual entry does not fit the scheme (unknown target, wrong kind of figure, bad period)."""


def check_entry(scheme: Scheme, entry: ManualEntry) -> None:
    """Refuse an entry the scheme cannot use, saying why (the service answers 422 with this)."""
    given = [name for name in ("amount", "count", "value") if getattr(entry, name) is not None]
    if len(given) != 1:
        raise EntryError("give exactly one of amount, count, value")
    try:
        period = parse_period(entry.period)
    except ValueError as exc:
        raise EntryError(str(exc)) from None
    what = given[0]
    quarterly = {i.id for c in scheme.categories if c.period == "quarter" for i in c.items}
    quarterly |= {c.id for c in scheme.components if c.per == "quarter"}
    if period.kind not in scheme.periods and not (period.kind == "quarter" and entry.target in quarterly):
        raise EntryError(f"scheme {scheme.id} is not assessed by {period.kind}")
    if entry.target in scheme.by_item:
        item = scheme.by_item[entry.target]
        allowed = {"points": "amount", "count": "count", "value": "value"}.get(item.entry)
        if allowed != what:
            raise EntryError(f"item {item.id} takes {allowed or 'no entries'}, not {what}")
    elif any(c.id == entry.target for c in scheme.components):
        comp = next(c for c in scheme.components if c.id == entry.target)
        if comp.source != "entry" or what != "value":
            raise EntryError(f"component {comp.id} takes a value entry only when its source is entry")
        if comp.per == "quarter" and period.kind != "quarter":
            raise EntryError(f"component {comp.id} is entered per quarter (e.g. 2026Q1)")
    elif any(f.id == entry.target for f in scheme.forced):
        if what != "count":
            raise EntryError(f"forced outcome {entry.target} takes a count")
    else:
        raise EntryError(f"{entry.target!r} is not an item, component or forced outcome of {scheme.id}")
    if what == "count" and (entry.count is None or entry.count < 0):
        raise EntryError("count must be zero or more")
    if what == "amount" and entry.amount is not None and to_decimal(entry.amount) < 0:
        raise EntryError("amount is a magnitude (the category decides whether it adds or deducts)")


class _Context:
    """Everything one scoring run shares: events, entries by (unit, target), cached averages."""

    def __init__(self, scheme: Scheme, period: Period, units: Sequence[Unit], events: EventSet,
                 entries: Iterable[ManualEntry], averages: Mapping[str, float | Decimal] | None) -> None:
        self.scheme, self.period, self.units, self.events = scheme, period, units, events
        self.entries: dict[tuple[str, str], list[tuple[Period, ManualEntry]]] = {}
        seen: set[str] = set()
        for entry in entries:
            if entry.key:
                if entry.key in seen:
                    continue  # the same entry submitted twice counts once
                seen.add(entry.key)
            check_entry(scheme, entry)
            ep = parse_period(entry.period)
            if period.contains(ep):
                self.entries.setdefault((entry.unit, entry.target), []).append((ep, entry))
        self.given_averages = {k: to_decimal(v) for k, v in (averages or {}).items()}
        self._averages: dict[tuple[str, str], Decimal | None] = {}

    def entries_in(self, unit: str, target: str, rng: Period) -> list[ManualEntry]:
        found = self.entries.get((unit, target))
        if not found:
            return []
        return [e for p, e in found if rng.contains(p)]

    def metric(self, unit: str, item: Item, rule: Rule, rng: Period) -> tuple[Decimal | None, list[Event],
                                                                              list[ManualEntry]]:
        evs = [e for k in rule.kinds for e in self.events.get(unit, k, rng)]
        ents = [e for e in self.entries_in(unit, item.id, rng) if e.value is not None]
        if not evs and not ents:
            return None, evs, ents
        if ents:
            # An assessor's value replaces what events reported (the last entry wins).
            return to_decimal(ents[-1].value or 0), evs, ents
        return sum((to_decimal(e.amount) for e in evs if e.amount is not None), ZERO), evs, ents

    def average(self, item: Item, rule: Rule, rng: Period) -> Decimal | None:
        if rule.id in self.given_averages:
            return self.given_averages[rule.id]
        key = (rule.id, rng.label)
        if key not in self._averages:
            values = [v for u in self.units if _applies(item.applies_to, u)
                      for v in [self.metric(u.code, item, rule, rng)[0]] if v is not None]
            self._averages[key] = sum(values, ZERO) / len(values) if values else None
        return self._averages[key]


def _applies(types: tuple[str, ...], unit: Unit) -> bool:
    return not types or unit.type in types


def _fmt(value: Decimal) -> str:
    text = format(value.normalize(), "f")
    return text


def _sign(cat: Category) -> Decimal:
    return Decimal(1) if cat.kind == BONUS else Decimal(-1)


def _per_event(rule: Rule, cat: Category, evs: Iterable[Event], trail: list[TrailEntry]) -> None:
    fixed = rule.points
    reason = f"{_fmt(fixed)} per event" if fixed is not None else "listed (no points in this scheme)"
    if not rule.discretionary:
        # The common case, kept to one allocation per event: scoring 100,000 events must stay fast.
        rid = rule.id
        trail.extend([TrailEntry(rid, fixed, reason, (ev,)) for ev in evs])
        return
    for ev in evs:
        pts = fixed
        why = reason
        if ev.amount is not None:
            amount = abs(to_decimal(ev.amount))
            if rule.max_amount is not None and amount > rule.max_amount:
                amount = rule.max_amount
                why = f"assessor's amount, limited to {_fmt(rule.max_amount)}"
            else:
                why = "assessor's amount for this case (酌情)"
            pts = _sign(cat) * amount
        trail.append(TrailEntry(rule.id, pts, why, (ev,)))


def _score_item(ctx: _Context, unit: Unit, cat: Category, item: Item, rng: Period,
                group: str | None) -> ItemResult:
    trail: list[TrailEntry] = []
    field = cat.group_by

    def events(kinds: Iterable[str]) -> list[Event]:
        found = [e for k in kinds for e in ctx.events.get(unit.code, k, rng)]
        if field is not None:
            found = [e for e in found if _group_of(e, field) == group]
        return found

    for rule in item.rules:
        if rule.type == PER_EVENT:
            _per_event(rule, cat, events(rule.kinds), trail)
        elif rule.type == THRESHOLD:
            counted = events(rule.kinds)
            blocking = events(rule.none_of)
            met = len(counted) >= rule.at_least and not blocking
            if met:
                why = f"{len(counted)} ≥ {rule.at_least} ({', '.join(rule.kinds)})"
                if rule.none_of:
                    why += f" and no {', '.join(rule.none_of)}"
                trail.append(TrailEntry(rule.id, rule.points, why, tuple(counted)))
            else:
                why = f"not met: {len(counted)} of {rule.at_least} needed ({', '.join(rule.kinds)})"
                if blocking:
                    why += f"; {len(blocking)} × {', '.join(rule.none_of)}"
                trail.append(TrailEntry(rule.id, None if rule.points is None else ZERO, why, tuple(blocking)))
        elif rule.type == RELATIVE:
            trail.append(_relative(ctx, unit, item, rule, rng))
        elif rule.type == ZERO_ITEM:
            evs = events(rule.kinds)
            if evs:
                pts = None if item.points is None else -item.points
                trail.append(TrailEntry(rule.id, pts, "item scores nothing", tuple(evs)))
    for entry in ctx.entries_in(unit.code, item.id, rng):
        if entry.amount is not None:
            trail.append(TrailEntry("entry", _sign(cat) * abs(to_decimal(entry.amount)),
                                    entry.note or "assessor's entry", entries=(entry,)))
        elif entry.count is not None:
            rule = next(r for r in item.rules if r.type == PER_EVENT)
            pts = None if rule.points is None else rule.points * entry.count
            trail.append(TrailEntry(rule.id, pts, f"{entry.count} × {entry.note or 'assessor-recorded case'}",
                                    entries=(entry,)))
    if ctx.scheme.structure_only:
        return ItemResult(item.id, item.name, None, None, trail)
    raw = sum((t.points for t in trail if t.points is not None), ZERO)
    delta = raw
    if item.points is not None:
        delta = min(raw, item.points) if cat.kind == BONUS else max(raw, -item.points)
        if delta != raw:
            trail.append(TrailEntry(f"cap:{item.id}", delta - raw,
                                    f"item limited to {_fmt(item.points)} points ({_fmt(raw)} → {_fmt(delta)})"))
    return ItemResult(item.id, item.name, item.points, delta, trail)


def _relative(ctx: _Context, unit: Unit, item: Item, rule: Rule, rng: Period) -> TrailEntry:
    value, evs, ents = ctx.metric(unit.code, item, rule, rng)
    avg = ctx.average(item, rule, rng)
    if value is None:
        return TrailEntry(rule.id, ZERO, "no value reported: not compared, not in the average")
    if avg is None or avg <= 0 or value >= avg:
        return TrailEntry(rule.id, ZERO, f"value {_fmt(value)} not below the average {_fmt(avg or ZERO)}",
                          tuple(evs), tuple(ents))
    assert rule.step is not None and rule.points is not None
    shortfall = (avg - value) / avg
    steps = (shortfall / rule.step).to_integral_value(rounding=ROUND_FLOOR)
    pts = rule.points * steps
    return TrailEntry(rule.id, pts, f"value {_fmt(value)} is {_fmt(round(shortfall * 100, 2))}% below the average "
                                    f"{_fmt(round(avg, 4))}: {steps} full step(s) of {_fmt(rule.step * 100)}%",
                      tuple(evs), tuple(ents))


def _group_of(ev: Event, field: str) -> str:
    value = ev.details.get(field)
    return str(value) if value not in (None, "") else (ev.subject or "")


def _score_category_once(ctx: _Context, unit: Unit, cat: Category, rng: Period, label: str,
                         group: str | None) -> CategoryResult:
    items = [_score_item(ctx, unit, cat, item, rng, group) for item in cat.items if _applies(item.applies_to, unit)]
    if ctx.scheme.structure_only:
        return CategoryResult(cat.id, cat.name, label, cat.kind, cat.points, None, None, items,
                              outside_total=cat.outside_total, ledger=cat.ledger, group=group)
    start = cat.points if cat.kind == DEDUCT else ZERO
    assert start is not None
    raw = start + sum((i.delta for i in items if i.delta is not None), ZERO)
    score = raw
    trail: list[TrailEntry] = []
    if cat.kind == DEDUCT:
        score = min(max(raw, ZERO), start)
    elif cat.kind == BONUS:
        score = max(raw, ZERO) if cat.points is None else min(max(raw, ZERO), cat.points)
    elif cat.kind == PENALTY and cat.points is not None:
        score = max(raw, -cat.points)
    if score != raw:
        limit = "0" if cat.kind == DEDUCT and raw < 0 else _fmt(cat.points or ZERO)
        trail.append(TrailEntry(f"cap:{cat.id}", score - raw,
                                f"{cat.name} limited to {limit} ({_fmt(raw)} → {_fmt(score)})"))
    return CategoryResult(cat.id, cat.name, label, cat.kind, cat.points, start, score, items, trail,
                          cat.outside_total, cat.ledger, group)


def _score_category(ctx: _Context, unit: Unit, cat: Category, rng: Period, label: str) -> CategoryResult:
    if cat.group_by is None:
        return _score_category_once(ctx, unit, cat, rng, label, None)
    kinds = {k for item in cat.items for r in item.rules for k in (*r.kinds, *r.none_of)}
    groups = sorted({_group_of(e, cat.group_by) for k in kinds for e in ctx.events.get(unit.code, k, rng)})
    if not groups:
        return _score_category_once(ctx, unit, cat, rng, label, None)
    results = [_score_category_once(ctx, unit, cat, rng, label, g) for g in groups]
    scored = [r for r in results if r.score is not None]
    if not scored:
        return results[0]
    # Minimum of several (e.g. 最低得分计入): the lowest-scoring group counts; ties go to the first name.
    lowest = min(scored, key=lambda r: (r.score, r.group or ""))
    others = ", ".join(f"{r.group}: {_fmt(r.score)}" for r in scored if r is not lowest and r.score is not None)
    lowest.trail.insert(0, TrailEntry(f"min:{cat.id}", ZERO,
                                      f"lowest of {len(scored)} by {cat.group_by} counts: {lowest.group}"
                                      + (f" (others: {others})" if others else "")))
    return lowest


def _grade(scheme: Scheme, total: Decimal) -> Band | None:
    if scheme.band_rounding == "half_up":
        total = total.to_integral_value(rounding=ROUND_HALF_UP)
    elif scheme.band_rounding == "floor":
        total = total.to_integral_value(rounding=ROUND_FLOOR)
    for band in scheme.bands:
        if band.min is None or total > band.min or (band.min_inclusive and total == band.min):
            return band
    return None


def _forced(ctx: _Context, unit: Unit) -> list[tuple[str, TrailEntry, str | None]]:
    hits: list[tuple[str, TrailEntry, str | None]] = []
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
                hits.append((f.outcome, TrailEntry(f"forced:{f.id}", None, f.name, cause, tuple(ents)), f.grade))
        elif len(evs) + counted >= f.min_count:
            hits.append((f.outcome, TrailEntry(f"forced:{f.id}", None, f.name, tuple(evs), tuple(ents)), f.grade))
    return hits


def _categories(ctx: _Context, unit: Unit) -> list[CategoryResult]:
    out: list[CategoryResult] = []
    for cat in ctx.scheme.categories:
        if not _applies(cat.applies_to, unit):
            continue
        if cat.period == "year" and ctx.period.kind != "year":
            continue  # a year-end category has nothing to say about a single quarter
        if cat.period == "quarter":
            for q in ctx.period.quarters():
                out.append(_score_category(ctx, unit, cat, q, f"{cat.name} {q.label}"))
        else:
            out.append(_score_category(ctx, unit, cat, ctx.period, cat.name))
    return out


def _unmatched(ctx: _Context, unit: Unit) -> dict[str, int]:
    known = ctx.scheme.kinds() | set(ctx.scheme.ignore)
    found: dict[str, int] = {}
    for kind in ctx.events.kinds(unit.code):
        if kind not in known:
            n = len(ctx.events.get(unit.code, kind, ctx.period))
            if n:
                found[kind] = n
    return found


def _table_total(scheme: Scheme, result: UnitResult) -> Decimal | None:
    """The categories' total: inside categories clamped to the scale, then outside ones, never below 0."""
    if any(c.score is None for c in result.categories if c.ledger == "score"):
        return None
    inside = sum((c.score for c in result.categories
                  if c.ledger == "score" and not c.outside_total and c.score is not None), ZERO)
    total = min(max(inside, ZERO), scheme.scale)
    if total != inside:
        result.trail.append(TrailEntry("clamp:scale", total - inside,
                                       f"the table's total stays within 0–{_fmt(scheme.scale)} "
                                       f"({_fmt(inside)} → {_fmt(total)})"))
    outside = [c for c in result.categories if c.ledger == "score" and c.outside_total and c.score is not None]
    for c in outside:
        if c.score:
            result.trail.append(TrailEntry(f"outside:{c.id}", c.score, f"{c.name}: outside the table, added"))
        total += c.score or ZERO
    if total < 0:
        result.trail.append(TrailEntry("clamp:zero", -total, "a total is never below zero"))
        total = ZERO
    return total


def _component_value(ctx: _Context, unit: Unit, comp_id: str, per: str) -> tuple[Decimal | None, list[TrailEntry]]:
    ents = ctx.entries_in(unit.code, comp_id, ctx.period)
    if per == "quarter":
        by_q: dict[str, ManualEntry] = {}
        for e in ents:
            by_q[e.period.replace("-", "").upper()] = e  # a later entry replaces an earlier one
        if not by_q:
            return None, []
        values = [to_decimal(e.value or 0) for e in by_q.values()]
        mean = sum(values, ZERO) / len(values)
        return mean, [TrailEntry(f"component:{comp_id}", mean,
                                 f"mean of {len(values)} quarter(s): {', '.join(sorted(by_q))}",
                                 entries=tuple(by_q[k] for k in sorted(by_q)))]
    if not ents:
        return None, []
    last = ents[-1]
    value = to_decimal(last.value or 0)
    return value, [TrailEntry(f"component:{comp_id}", value, last.note or "entered score", entries=(last,))]


def _finish(ctx: _Context, unit: Unit, result: UnitResult, total: Decimal | None) -> None:
    scheme = ctx.scheme
    hits = _forced(ctx, unit)
    forced_grade = None
    for outcome, entry, grade in hits:
        result.trail.append(entry)
        if outcome == "zero" and total is not None:
            result.trail.append(TrailEntry(entry.rule, -total, "score set to zero (直接归零)"))
            total = ZERO
        elif outcome == "grade":
            forced_grade = grade
    if total is None:
        result.complete = False
        if forced_grade and ctx.period.kind in scheme.graded_periods:
            # A forced grade stands even where the points cannot be totalled.
            result.grade = forced_grade
        return
    result.consequences = list(scheme.consequences)
    q = Decimal(1).scaleb(-scheme.decimals)
    result.total = total.quantize(q, rounding=ROUND_HALF_UP)
    band = None
    if ctx.period.kind in scheme.graded_periods and scheme.bands:
        band = _grade(scheme, result.total)
        if forced_grade is not None:
            band = next(b for b in scheme.bands if b.grade == forced_grade)
        if band is not None:
            result.grade, result.grade_wording = band.grade, band.wording
            result.consequences += list(band.consequences)
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
        result.target = {"points": points, "grade_deduction": grade_cut, "direct_deductions": direct,
                         "remaining": remaining}


def score(scheme: Scheme, period: str | Period, units: Sequence[Unit], events: EventSet | Iterable[Event],
          entries: Iterable[ManualEntry] = (), *, averages: Mapping[str, float | Decimal] | None = None
          ) -> list[UnitResult]:
    """Score every unit in ``units`` for ``period`` (``2026``, ``2026Q1``) under ``scheme``.

    ``units`` is the whole population the scheme applies to (averages and sub-unit aggregation need
    it; filter the results, not the input). ``averages`` fixes the average of a relative-to-average
    rule (by rule id) instead of computing it over ``units``. Events and entries are counted once per
    key. Raises ``ValueError`` for a period kind the scheme does not assess and :class:`EntryError`
    for an entry that does not fit the scheme.
    """
    p = parse_period(period) if isinstance(period, str) else period
    if p.kind not in scheme.periods:
        raise ValueError(f"scheme {scheme.id} is assessed by {', '.join(scheme.periods)}, not by {p.kind}")
    index = events if isinstance(events, EventSet) else EventSet(events)
    ctx = _Context(scheme, p, units, index, entries, averages)
    results: list[UnitResult] = []
    for unit in units:
        result = UnitResult(scheme.id, unit.code, p.label, _categories(ctx, unit))
        result.unmatched = _unmatched(ctx, unit)
        results.append(result)
    if scheme.components:
        _compose(ctx, results)
        return results
    for unit, result in zip(units, results, strict=True):
        if scheme.structure_only:
            result.refusal = (f"{scheme.title}: structure only, no points overlay (实施细则) loaded — events are "
                              f"listed per indicator, no total is computed")
            _finish(ctx, unit, result, None)
            continue
        _finish(ctx, unit, result, _table_total(scheme, result))
    return results


def _compose(ctx: _Context, results: list[UnitResult]) -> None:
    """Weighted components, with weighted sub-unit aggregation for the unit types that have it."""
    scheme = ctx.scheme
    own: dict[str, dict[str, tuple[Decimal | None, list[TrailEntry]]]] = {}
    for unit, result in zip(ctx.units, results, strict=True):
        values: dict[str, tuple[Decimal | None, list[TrailEntry]]] = {}
        for comp in scheme.components:
            if comp.source == "categories":
                table = _table_total(scheme, result)
                values[comp.id] = (table, [TrailEntry(f"component:{comp.id}", table, "the indicator table's total")]
                                   if table is not None else [])
            else:
                values[comp.id] = _component_value(ctx, unit, comp.id, comp.per)
        own[unit.code] = values
    children: dict[str, list[Unit]] = {}
    for unit in ctx.units:
        if unit.parent:
            children.setdefault(unit.parent, []).append(unit)
    for unit, result in zip(ctx.units, results, strict=True):
        missing = []
        total = ZERO
        for comp in scheme.components:
            value, trail = own[unit.code][comp.id]
            trail = list(trail)
            if comp.subunits and unit.type in scheme.subunit_types:
                value, trail = _aggregate(scheme, unit, comp.id, value, trail, children.get(unit.code, []), own)
            weighted = None if value is None else value * comp.weight
            result.components.append(ComponentResult(comp.id, comp.name, comp.weight, value, weighted, trail))
            if weighted is None:
                missing.append(comp.name)
            else:
                total += weighted
                result.trail.append(TrailEntry(f"weight:{comp.id}", weighted,
                                               f"{comp.name} {_fmt(round(value or ZERO, 4))} × {_fmt(comp.weight)}"))
        if missing:
            result.refusal = f"no score yet for: {', '.join(missing)}"
            _finish(ctx, unit, result, None)
        else:
            _finish(ctx, unit, result, total)


def _aggregate(scheme: Scheme, unit: Unit, comp_id: str, own_value: Decimal | None, trail: list[TrailEntry],
               kids: list[Unit], own: Mapping[str, Mapping[str, tuple[Decimal | None, list[TrailEntry]]]]
               ) -> tuple[Decimal | None, list[TrailEntry]]:
    parts: list[tuple[Decimal, Decimal, str]] = []
    for group in scheme.subunit_groups:
        if group.self_:
            if own_value is not None:
                parts.append((group.weight, own_value, f"{group.name} {_fmt(round(own_value, 4))}"))
            continue
        vals = [own[k.code][comp_id][0] for k in kids if k.type == group.type]
        present = [v for v in vals if v is not None]
        if present:
            mean = sum(present, ZERO) / len(present)
            parts.append((group.weight, mean, f"{group.name} mean of {len(present)} = {_fmt(round(mean, 4))}"))
    if not parts:
        return None, trail
    weight = sum((w for w, _, _ in parts), ZERO)
    value = sum((w * v for w, v, _ in parts), ZERO) / weight
    ratio = ":".join(_fmt(w) for w, _, _ in parts)
    trail.append(TrailEntry(f"subunits:{comp_id}", value,
                            f"sub-units weighted {ratio}: " + "; ".join(t for _, _, t in parts)
                            + ("" if len(parts) == len(scheme.subunit_groups) else
                               " (groups without scores left out, weights renormalised)")))
    return value, trail
