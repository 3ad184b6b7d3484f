"""A unit's categories and their items: rules → item cap → category floor and cap, lowest group, quarters."""

from __future__ import annotations

from collections.abc import Iterable

from scoring.context import Context
from scoring.inputs import ZERO, Event, Unit, to_decimal
from scoring.periods import Period
from scoring.results import CategoryResult, ItemResult, TrailEntry
from scoring.rules import score_per_event, score_relative, score_threshold, score_tiers
from scoring.scheme import (
    BONUS,
    DEDUCT,
    PENALTY,
    PER_EVENT,
    RELATIVE,
    THRESHOLD,
    TIERS,
    ZERO_ITEM,
    Category,
    Item,
    direction_sign,
    item_direction,
)
from scoring.unit_types import applies, type_spans
from scoring.wording import fmt, moves, type_note


def _score_item(ctx: Context, unit: Unit, cat: Category, item: Item, rng: Period,
                group: str | None) -> ItemResult:
    trail: list[TrailEntry] = []
    field = cat.group_by
    spans = type_spans(item.applies_to or cat.applies_to, unit, rng)
    if spans is not None:
        zh, en = type_note(ctx.scheme, item.applies_to or cat.applies_to, spans)
        trail.append(TrailEntry(f"type:{item.id}", ZERO, zh, (), (), en, item.clause))

    def events(kinds: Iterable[str]) -> list[Event]:
        found = [e for k in kinds for e in ctx.events.get(unit.code, k, rng)]
        if field is not None:
            found = [e for e in found if _group_of(e, field) == group]
        if spans is not None:
            found = [e for e in found if any(a <= e.on <= b for a, b in spans)]
        return found

    for rule in item.rules:
        if rule.type == PER_EVENT:
            score_per_event(ctx, unit, rule, cat, item, events(rule.kinds), trail)
        elif rule.type == THRESHOLD:
            trail.append(score_threshold(ctx, cat, item, rule, events(rule.kinds), events(rule.none_of)))
        elif rule.type == RELATIVE:
            trail.append(score_relative(ctx, unit, item, rule, rng))
        elif rule.type == TIERS:
            found = score_tiers(ctx, unit, cat, item, rule, rng)
            if found is not None:
                trail.append(found)
        elif rule.type == ZERO_ITEM:
            evs = events(rule.kinds)
            if evs:
                pts = None if item.points is None else -item.points
                trail.append(TrailEntry(rule.id, pts, "本项不得分", tuple(evs), (), "item scores nothing",
                                        rule.clause))
    sign = direction_sign(cat, item)
    for entry in ctx.entries_in(unit.code, item.id, rng):
        if entry.amount is not None:
            pts = sign * abs(to_decimal(entry.amount))
            z, e = moves(cat, item, pts)
            trail.append(TrailEntry("entry", pts, f"考核员认定：{z}" + (f"（{entry.note}）" if entry.note else ""),
                                    (), (entry,), f"assessor's entry: {e}" + (f" ({entry.note})" if entry.note else ""),
                                    item.clause))
        elif entry.count is not None:
            rule = next(r for r in item.rules if r.type == PER_EVENT)
            pts = None if rule.points is None else rule.points * entry.count
            each = "待认定" if rule.points is None else moves(cat, item, rule.points)[0]
            trail.append(TrailEntry(rule.id, pts, f"考核员录入 {entry.count} 次 × 每次{each}"
                                    + (f"（{entry.note}）" if entry.note else ""), (), (entry,),
                                    f"{entry.count} × {entry.note or 'assessor-recorded case'}", rule.clause))
    if ctx.scheme.structure_only:
        return ItemResult(item.id, item.name, None, None, trail)
    raw = sum((t.points for t in trail if t.points is not None), ZERO)
    delta = raw
    if item.points is not None:
        delta = min(raw, item.points) if item_direction(cat, item) == BONUS else max(raw, -item.points)
        if delta != raw:
            trail.append(TrailEntry(f"cap:{item.id}", delta - raw,
                                    f"本项分值 {fmt(item.points)} 分为限（{fmt(raw)} → {fmt(delta)}）", (), (),
                                    f"item limited to {fmt(item.points)} points ({fmt(raw)} → {fmt(delta)})",
                                    item.clause))
    return ItemResult(item.id, item.name, item.points, delta, trail)


def _group_of(ev: Event, field: str) -> str:
    value = ev.details.get(field)
    return str(value) if value not in (None, "") else (ev.subject or "")


def _score_category_once(ctx: Context, unit: Unit, cat: Category, rng: Period, label: str,
                         group: str | None) -> CategoryResult:
    items = [_score_item(ctx, unit, cat, item, rng, group) for item in cat.items if applies(item.applies_to, unit)]
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
        limit = "0" if cat.kind == DEDUCT and raw < 0 else fmt(cat.points or ZERO)
        trail.append(TrailEntry(f"cap:{cat.id}", score - raw,
                                f"{cat.name}以 {limit} 分为限（{fmt(raw)} → {fmt(score)}）", (), (),
                                f"{cat.name} limited to {limit} ({fmt(raw)} → {fmt(score)})", cat.clause))
    return CategoryResult(cat.id, cat.name, label, cat.kind, cat.points, start, score, items, trail,
                          cat.outside_total, cat.ledger, group)


def _score_category(ctx: Context, unit: Unit, cat: Category, rng: Period, label: str) -> CategoryResult:
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
    others = "、".join(f"{r.group} {fmt(r.score)} 分" for r in scored if r is not lowest and r.score is not None)
    others_en = ", ".join(f"{r.group}: {fmt(r.score)}" for r in scored if r is not lowest and r.score is not None)
    lowest.trail.insert(0, TrailEntry(f"min:{cat.id}", ZERO,
                                      f"{len(scored)} 个{cat.group_name or cat.group_by}分别打分，最低得分计入：{lowest.group}"
                                      + (f"（其余：{others}）" if others else ""), (), (),
                                      f"lowest of {len(scored)} by {cat.group_by} counts: {lowest.group}"
                                      + (f" (others: {others_en})" if others_en else ""), cat.clause))
    return lowest


def score_categories(ctx: Context, unit: Unit) -> list[CategoryResult]:
    """Every category that applies to ``unit`` in the run's period (a quarterly one once per quarter)."""
    out: list[CategoryResult] = []
    for cat in ctx.scheme.categories:
        if not applies(cat.applies_to, unit):
            continue
        if cat.period == "year" and ctx.period.kind != "year":
            continue  # a year-end category has nothing to say about part of a year
        if cat.period == "quarter":
            for q in ctx.period.quarters():
                if ctx.period.kind == "month":
                    q = ctx.period  # a month run shows the month's part of its quarter
                out.append(_score_category(ctx, unit, cat, q, f"{cat.name} {q.label}"))
        else:
            out.append(_score_category(ctx, unit, cat, ctx.period, cat.name))
    return out
