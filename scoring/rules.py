"""Each rule type's trail lines for one item: per_event, threshold, tiers and relative_to_average."""

from __future__ import annotations

from collections.abc import Iterable
from decimal import ROUND_FLOOR, Decimal

from scoring.context import Context, last_value
from scoring.entries import amount_bound
from scoring.inputs import ZERO, Event, Unit, to_decimal
from scoring.periods import Period
from scoring.results import TrailEntry
from scoring.scheme import BONUS, Category, Item, Rule, direction_sign, item_direction
from scoring.wording import fmt, kinds_zh, moves


def score_per_event(ctx: Context, unit: Unit, rule: Rule, cat: Category, item: Item, evs: Iterable[Event],
                    trail: list[TrailEntry]) -> None:
    """Append a trail line per event: the rule's points, or on a discretionary rule the event's amount,
    the assessor's adjustment or 0 while the amount is pending (counted in ``ctx.pending``)."""
    fixed = rule.points
    clause = rule.clause
    if not rule.discretionary:
        # The common case, kept to one allocation per event: scoring 100,000 events must stay fast.
        if fixed is None:
            zh, en = "列入本指标（本方案未设分值）", "listed (no points in this scheme)"
        else:
            z, e = moves(cat, item, fixed)
            zh, en = f"每次{z}", f"{e} per event"
        rid = rule.id
        trail.extend([TrailEntry(rid, fixed, zh, (ev,), (), en, clause) for ev in evs])
        return
    sign = direction_sign(cat, item)
    bound = amount_bound(rule, item, cat)
    adjust = ctx.adjust
    waiting = 0
    by_amount: dict[object, tuple[Decimal, str, str]] = {}
    if fixed is not None:
        z, e = moves(cat, item, fixed)
        default_zh, default_en = f"本方案默认每次{z}（考核员可酌情调整）", f"{e} per event by default (the assessor may adjust it)"
    pending_zh = "待考核员酌情确定分值（文件未规定每次分值），暂计 0 分"
    pending_en = "awaiting the assessor's amount (the document sets none); 0 for now"
    for ev in evs:
        adjs = adjust.get((ev.key, item.id)) if adjust else None
        if adjs:
            original = fixed if ev.amount is None else sign * abs(to_decimal(ev.amount))
            last = adjs[-1]
            pts = _case_points(sign, last.amount, bound)
            z, e = moves(cat, item, pts)
            was = "待认定" if original is None else moves(cat, item, original)[0]
            who = f"{last.author} " if last.author else ""
            zh = f"考核员酌情认定：{z}（原：{was}；{who}{last.at[:10]}：{last.note}）"
            en = f"assessor's amount: {e} (was {'pending' if original is None else fmt(original)}; " \
                 f"{last.author} {last.at[:10]}: {last.note})"
            trail.append(TrailEntry(rule.id, pts, zh, (ev,), (), en, clause, tuple(adjs), original))
            continue
        if ev.amount is not None:
            said = by_amount.get(ev.amount)
            if said is None:
                pts = _case_points(sign, ev.amount, bound)
                z, e = moves(cat, item, pts)
                # Amounts repeat (1, 2.5…): their wording is made once per rule and run.
                said = by_amount[ev.amount] = (pts, f"本案酌情：{z}", f"amount for this case: {e}")
            trail.append(TrailEntry(rule.id, said[0], said[1], (ev,), (), said[2], clause))
        elif fixed is not None:
            trail.append(TrailEntry(rule.id, fixed, default_zh, (ev,), (), default_en, clause))
        else:
            waiting += 1
            trail.append(TrailEntry(rule.id, ZERO, pending_zh, (ev,), (), pending_en, clause))
    if waiting:
        ctx.pending[unit.code] = ctx.pending.get(unit.code, 0) + waiting


def _case_points(sign: Decimal, amount: float | Decimal, bound: Decimal | None) -> Decimal:
    """One case's amount (an event's or an assessor's) as a magnitude within ``bound``, signed."""
    magnitude = abs(to_decimal(amount))
    return sign * (bound if bound is not None and magnitude > bound else magnitude)


def score_threshold(ctx: Context, cat: Category, item: Item, rule: Rule, counted: list[Event],
                    blocking: list[Event]) -> TrailEntry:
    """The threshold rule's one line: its points when ``counted`` reaches ``at_least`` and nothing is
    ``blocking``, else 0 and the actual reason."""
    scheme = ctx.scheme
    what = kinds_zh(scheme, rule.kinds)
    n, need = len(counted), rule.at_least
    if n >= need and not blocking:
        z, _ = moves(cat, item, rule.points or ZERO)
        zh = f"{what} {n} 件（需 {need} 件以上）"
        en = f"{n} ≥ {need} ({', '.join(rule.kinds)})"
        if rule.none_of:
            zh += f"，且无{kinds_zh(scheme, rule.none_of)}"
            en += f" and no {', '.join(rule.none_of)}"
        return TrailEntry(rule.id, rule.points, f"{zh}：{z}", tuple(counted), (), en, rule.clause)
    reasons_zh, reasons_en = [], []
    if n < need:
        reasons_zh.append(f"{what}需 {need} 件以上，实有 {n} 件")
        reasons_en.append(f"{n} of {need} needed ({', '.join(rule.kinds)})")
    else:
        reasons_zh.append(f"{what} {n} 件已达 {need} 件")
    if blocking:
        refs = "、".join(e.request_ref or e.subject or e.key for e in blocking[:5])
        reasons_zh.append(f"但有 {len(blocking)} 起{kinds_zh(scheme, rule.none_of)}（{refs}）")
        reasons_en.append(f"{len(blocking)} × {', '.join(rule.none_of)}")
    zh = "未加分：" + "，".join(reasons_zh) if item_direction(cat, item) == BONUS else "未适用：" + "，".join(reasons_zh)
    return TrailEntry(rule.id, None if rule.points is None else ZERO, zh, tuple(blocking), (),
                      "not met: " + "; ".join(reasons_en), rule.clause)


def score_tiers(ctx: Context, unit: Unit, cat: Category, item: Item, rule: Rule, rng: Period) -> TrailEntry | None:
    """The points of the first tier the unit's last value entry falls in (None: no value entered)."""
    ents = ctx.values_in(unit.code, item.id, rng)
    if not ents:
        return None
    value = last_value(ents)
    for at_most, pts in rule.tiers:
        if value <= at_most:
            z, e = moves(cat, item, pts)
            return TrailEntry(rule.id, pts, f"录入值 {fmt(value)}（{fmt(at_most)} 以内）：{z}", (), tuple(ents),
                              f"value {fmt(value)} within {fmt(at_most)}: {e}", rule.clause)
    return TrailEntry(rule.id, ZERO, f"录入值 {fmt(value)} 不在任何档次内：0 分", (), tuple(ents),
                      f"value {fmt(value)} reaches no tier", rule.clause)


def score_relative(ctx: Context, unit: Unit, item: Item, rule: Rule, rng: Period) -> TrailEntry:
    """The unit's value against the average (official, given or computed): points per full step below it."""
    value, evs, ents = ctx.metric(unit.code, item, rule, rng)
    avg, source = ctx.average(item, rule, rng)
    src_zh = {"official": f"考核办录入的{rule.average_name or '平均分'}", "given": "给定的平均分",
              "computed": "本方案所评单位的平均分"}[source]
    src_en = {"official": "official average entered by the office", "given": "given average",
              "computed": "mean of the units scored"}[source]
    if value is None:
        return TrailEntry(rule.id, ZERO, "未报得分：不比较，不计入平均", (), (),
                          "no value reported: not compared, not in the average", rule.clause)
    if avg is None or avg <= 0 or value >= avg:
        return TrailEntry(rule.id, ZERO, f"得分 {fmt(value)} 不低于{src_zh} {fmt(avg or ZERO)}：不扣分",
                          tuple(evs), tuple(ents),
                          f"value {fmt(value)} not below the {src_en} {fmt(avg or ZERO)}", rule.clause)
    assert rule.step is not None and rule.points is not None
    shortfall = (avg - value) / avg
    steps = (shortfall / rule.step).to_integral_value(rounding=ROUND_FLOOR)
    pts = rule.points * steps
    pct = fmt(round(shortfall * 100, 2))
    return TrailEntry(rule.id, pts, f"得分 {fmt(value)} 低于{src_zh} {fmt(round(avg, 4))} 的 {pct}%："
                                    f"满 {fmt(rule.step * 100)}% 计 {steps} 次，扣 {fmt(abs(pts))} 分",
                      tuple(evs), tuple(ents),
                      f"value {fmt(value)} is {pct}% below the {src_en} {fmt(round(avg, 4))}: "
                      f"{steps} full step(s) of {fmt(rule.step * 100)}%", rule.clause)
