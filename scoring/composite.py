"""Weighted schemes: component scores (table, entered, attached categories), sub-unit aggregation, the total."""

from __future__ import annotations

from collections.abc import Mapping
from decimal import Decimal

from scoring.context import Context
from scoring.grading import add_outside, finish, table_total
from scoring.inputs import ZERO, ManualEntry, Unit, to_decimal
from scoring.results import ComponentResult, TrailEntry, UnitResult
from scoring.scheme import Scheme
from scoring.wording import fmt


def compose(ctx: Context, results: list[UnitResult]) -> None:
    """Weighted components, with weighted sub-unit aggregation for the unit types that have it; categories
    outside the table (a bonus 在年度考评中予以加分) are added to the weighted total."""
    scheme = ctx.scheme
    own: dict[str, dict[str, tuple[Decimal | None, list[TrailEntry]]]] = {}
    for unit, result in zip(ctx.units, results, strict=True):
        values: dict[str, tuple[Decimal | None, list[TrailEntry]]] = {}
        for comp in scheme.components:
            if comp.source == "categories":
                table = table_total(scheme, result, outside=False)
                values[comp.id] = (table, [TrailEntry(f"component:{comp.id}", table, "指标表得分", (), (),
                                                      "the indicator table's total")]
                                   if table is not None else [])
            else:
                values[comp.id] = _component_value(ctx, unit, comp.id, comp.per)
                values[comp.id] = _attach(scheme, comp.id, result, *values[comp.id])
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
                v = fmt(round(value or ZERO, 4))
                result.trail.append(TrailEntry(f"weight:{comp.id}", weighted,
                                               f"{comp.name} {v} 分 × 权重 {fmt(comp.weight * 100)}%", (), (),
                                               f"{comp.name} {v} × {fmt(comp.weight)}"))
        if missing:
            result.refusal = f"尚无以下环节的得分：{'、'.join(missing)}"
            result.refusal_en = f"no score yet for: {', '.join(missing)}"
            finish(ctx, unit, result, None)
        else:
            finish(ctx, unit, result, add_outside(result, total))


def _attach(scheme: Scheme, comp_id: str, result: UnitResult, value: Decimal | None,
            trail: list[TrailEntry]) -> tuple[Decimal | None, list[TrailEntry]]:
    """An entered component score adjusted by the categories attached to it (within 0..scale)."""
    attached = {c.id for c in scheme.categories if c.component == comp_id}
    for cat in result.categories:
        if cat.id not in attached or not cat.score:
            continue
        if value is None:
            trail.append(TrailEntry(f"attached:{cat.id}", None, f"{cat.name} {fmt(cat.score)} 分：待录入本环节得分后计入",
                                    (), (), f"{cat.name} {fmt(cat.score)}: applied once the score is entered"))
            continue
        new = min(max(value + cat.score, ZERO), scheme.scale)
        trail.append(TrailEntry(f"attached:{cat.id}", new - value, f"{cat.name}：{fmt(value)} → {fmt(new)}",
                                (), (), f"{cat.name}: {fmt(value)} → {fmt(new)}"))
        value = new
    return value, trail


def _aggregate(scheme: Scheme, unit: Unit, comp_id: str, own_value: Decimal | None, trail: list[TrailEntry],
               kids: list[Unit], own: Mapping[str, Mapping[str, tuple[Decimal | None, list[TrailEntry]]]]
               ) -> tuple[Decimal | None, list[TrailEntry]]:
    parts: list[tuple[Decimal, Decimal, str, str]] = []
    for group in scheme.subunit_groups:
        if group.self_:
            if own_value is not None:
                v = fmt(round(own_value, 4))
                parts.append((group.weight, own_value, f"{group.name} {v}", f"{group.name} {v}"))
            continue
        vals = [own[k.code][comp_id][0] for k in kids if k.type == group.type]
        present = [v for v in vals if v is not None]
        if present:
            mean = sum(present, ZERO) / len(present)
            m = fmt(round(mean, 4))
            parts.append((group.weight, mean, f"{group.name} {len(present)} 个单位平均 {m}",
                          f"{group.name} mean of {len(present)} = {m}"))
    if not parts:
        return None, trail
    weight = sum((w for w, _, _, _ in parts), ZERO)
    value = sum((w * v for w, v, _, _ in parts), ZERO) / weight
    ratio = ":".join(fmt(w) for w, _, _, _ in parts)
    partial = len(parts) != len(scheme.subunit_groups)
    trail.append(TrailEntry(f"subunits:{comp_id}", value,
                            f"按 {ratio} 的比例汇总：" + "；".join(t for _, _, t, _ in parts)
                            + ("（无得分的组不计，权重按比例重算）" if partial else ""), (), (),
                            f"sub-units weighted {ratio}: " + "; ".join(t for _, _, _, t in parts)
                            + (" (groups without scores left out, weights renormalised)" if partial else "")))
    return value, trail


def _component_value(ctx: Context, unit: Unit, comp_id: str, per: str) -> tuple[Decimal | None, list[TrailEntry]]:
    ents = ctx.entries_in(unit.code, comp_id, ctx.period)
    if per == "quarter":
        by_q: dict[str, ManualEntry] = {}
        for e in ents:
            by_q[e.period.replace("-", "").upper()] = e  # a later entry replaces an earlier one
        if not by_q:
            return None, []
        values = [to_decimal(e.value or 0) for e in by_q.values()]
        mean = sum(values, ZERO) / len(values)
        quarters = ", ".join(sorted(by_q))
        return mean, [TrailEntry(f"component:{comp_id}", mean, f"{len(values)} 个季度（{quarters}）录入得分的平均",
                                 (), tuple(by_q[k] for k in sorted(by_q)),
                                 f"mean of {len(values)} quarter(s): {quarters}")]
    if not ents:
        return None, []
    last = ents[-1]
    value = to_decimal(last.value or 0)
    return value, [TrailEntry(f"component:{comp_id}", value, last.note or "录入得分", (), (last,),
                              last.note or "entered score")]
