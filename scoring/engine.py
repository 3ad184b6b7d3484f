"""Scoring: a scheme, a period, units, events and manual entries → one result per unit with its trail.

Every trail line is written twice, in Chinese (``reason``: what a unit's head reads) and English
(``reason_en``), and carries the clause of the document it applies (``clause``).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from datetime import date, timedelta
from decimal import ROUND_FLOOR, ROUND_HALF_UP, Decimal

from scoring.inputs import Adjustment, Event, EventSet, ManualEntry, Unit, to_decimal
from scoring.periods import Period, parse_period
from scoring.results import CategoryResult, ComponentResult, ItemResult, TrailEntry, UnitResult
from scoring.scheme import (
    BONUS,
    DEDUCT,
    PENALTY,
    PER_EVENT,
    RELATIVE,
    THRESHOLD,
    TIERS,
    ZERO_ITEM,
    Band,
    Category,
    Forced,
    Item,
    Rule,
    Scheme,
)

ZERO = Decimal(0)


class EntryError(ValueError):
    """A manual entry or adjustment does not fit the scheme; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "target", zh: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.zh = zh or message   # the same in Chinese, for the desk


def _fmt(value: Decimal | None) -> str:
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def item_direction(cat: Category, item: Item) -> str:
    """Whether an item adds (bonus) or deducts: its own kind, else its category's."""
    return item.kind or cat.kind


def _sign(cat: Category, item: Item | None = None) -> Decimal:
    kind = item_direction(cat, item) if item is not None else cat.kind
    return Decimal(1) if kind == BONUS else Decimal(-1)


def amount_bound(rule: Rule | None, item: Item, cat: Category | None = None) -> Decimal | None:
    """The most an assessor's amount may be for one case on ``item``: the rule's ``max_amount``, else the
    item's points (the document's 分值), else its category's points, else unbounded."""
    if rule is not None and rule.max_amount is not None:
        return rule.max_amount
    if item.points is not None:
        return item.points
    return cat.points if cat is not None else None


def _owner(scheme: Scheme, item_id: str) -> tuple[Category, Item]:
    for cat in scheme.categories:
        for item in cat.items:
            if item.id == item_id:
                return cat, item
    raise KeyError(item_id)


def check_entry(scheme: Scheme, entry: ManualEntry) -> None:
    """Refuse an entry the scheme cannot use, saying why and naming the field (the service answers 422)."""
    given = [name for name in ("amount", "count", "value") if getattr(entry, name) is not None]
    if len(given) != 1:
        raise EntryError("give exactly one of amount, count, value", "amount")
    try:
        period = parse_period(entry.period)
    except ValueError as exc:
        raise EntryError(str(exc), "period") from None
    what = given[0]
    quarterly = {i.id for c in scheme.categories if c.period == "quarter" for i in c.items}
    quarterly |= {c.id for c in scheme.components if c.per == "quarter"}
    if period.kind not in scheme.periods and not (period.kind == "quarter" and entry.target in quarterly):
        raise EntryError(f"scheme {scheme.id} is not assessed by {period.kind}", "period")
    relative = scheme.relative_rules()
    if entry.target in scheme.by_item:
        cat, item = _owner(scheme, entry.target)
        allowed = {"points": "amount", "count": "count", "value": "value"}.get(item.entry)
        if allowed != what:
            zh = {"count": "按次数录入（文件规定了每次分值）", "amount": "录入分值", "value": "录入测评值"}.get(
                allowed or "", "不接受人工录入")
            raise EntryError(f"item {item.id} ({item.name}) takes {allowed or 'no entries'}, not {what}"
                             + ("" if allowed != "count" else ": the document prices each case, give the number "
                                "of cases"), what, f"本项（{item.name}）{zh}")
        if what == "amount" and entry.amount is not None:
            _check_amount(entry.amount, amount_bound(None, item, cat), item)
    elif entry.target in relative:
        if what != "value":
            raise EntryError(f"{entry.target} takes the official average as a value", what)
    elif any(c.id == entry.target for c in scheme.components):
        comp = next(c for c in scheme.components if c.id == entry.target)
        if comp.source != "entry" or what != "value":
            raise EntryError(f"component {comp.id} takes a value entry only when its source is entry", what)
        if comp.per == "quarter" and period.kind != "quarter":
            raise EntryError(f"component {comp.id} is entered per quarter (e.g. 2026Q1)", "period")
        if entry.value is not None and not (0 <= to_decimal(entry.value) <= scheme.scale):
            raise EntryError(f"a component score is between 0 and {_fmt(scheme.scale)}", "value")
    elif any(f.id == entry.target for f in scheme.forced):
        if what != "count":
            raise EntryError(f"forced outcome {entry.target} takes a count", what)
    else:
        raise EntryError(f"{entry.target!r} is not an item, component or forced outcome of {scheme.id}", "target")
    if what == "count" and (entry.count is None or entry.count < 0):
        raise EntryError("count must be zero or more", "count")


def check_adjustment(scheme: Scheme, kind: str, item_id: str, amount: float | Decimal) -> Rule:
    """The discretionary rule of ``item_id`` that scores events of ``kind``; refuses (EntryError naming the
    field) an item that fixes its amount, an amount below zero or above the document's bound."""
    if item_id not in scheme.by_item:
        raise EntryError(f"{item_id!r} is not an item of {scheme.id}", "item")
    cat, item = _owner(scheme, item_id)
    rules = [r for r in item.rules if r.type == PER_EVENT and kind in r.kinds]
    if not rules:
        raise EntryError(f"item {item_id} ({item.name}) does not score events of kind {kind}", "item",
                         f"本项（{item.name}）不评此类事项")
    rule = rules[0]
    if not rule.discretionary:
        raise EntryError(f"item {item_id} fixes the amount ({rule.clause or _fmt(rule.points)}); only items the "
                         f"document leaves to judgement (酌情) take an assessor's amount", "item",
                         f"本项文件已规定分值（{rule.clause}），不能酌情调整")
    _check_amount(amount, amount_bound(rule, item, cat), item)
    return rule


def _check_amount(amount: float | Decimal, bound: Decimal | None, item: Item) -> None:
    """An assessor's amount is a magnitude within the document's bound (EntryError on field amount)."""
    value = to_decimal(amount)
    if value < 0:
        raise EntryError("amount is a magnitude (the item decides whether it adds or deducts)", "amount",
                         "分值请填正数（加分或扣分由项目决定）")
    if bound is not None and value > bound:
        raise EntryError(f"amount {_fmt(value)} is more than the {_fmt(bound)} points the document allows on "
                         f"item {item.id} ({item.name})", "amount",
                         f"分值 {_fmt(value)} 超过文件允许的 {_fmt(bound)} 分（{item.name}）")


class _Context:
    """Everything one scoring run shares: events, entries by (unit, target), adjustments, averages."""

    def __init__(self, scheme: Scheme, period: Period, units: Sequence[Unit], events: EventSet,
                 entries: Iterable[ManualEntry], averages: Mapping[str, float | Decimal] | None,
                 adjustments: Iterable[Adjustment] = ()) -> None:
        self.scheme, self.period, self.units, self.events = scheme, period, units, events
        self.entries: dict[tuple[str, str], list[tuple[Period, ManualEntry]]] = {}
        self.official: dict[str, list[tuple[Period, ManualEntry]]] = {}
        relative = scheme.relative_rules()
        seen: set[str] = set()
        for entry in entries:
            if entry.key:
                if entry.key in seen:
                    continue  # the same entry submitted twice counts once
                seen.add(entry.key)
            check_entry(scheme, entry)
            ep = parse_period(entry.period)
            if period.contains(ep) or (entry.target in relative and ep.contains(period)):
                if entry.target in relative:
                    # The office's official average (全市平均分) for that rule, whoever's unit it is filed under.
                    self.official.setdefault(entry.target, []).append((ep, entry))
                else:
                    self.entries.setdefault((entry.unit, entry.target), []).append((ep, entry))
        self.adjust: dict[tuple[str, str], list[Adjustment]] = {}
        for adj in adjustments:
            self.adjust.setdefault((adj.event_key, adj.item), []).append(adj)
        self.given_averages = {k: to_decimal(v) for k, v in (averages or {}).items()}
        self._averages: dict[tuple[str, str], Decimal | None] = {}
        self.pending: dict[str, int] = {}

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

    def average(self, item: Item, rule: Rule, rng: Period) -> tuple[Decimal | None, str]:
        """The average a relative rule compares with, and where it comes from (official / given / computed)."""
        if rule.id in self.official:
            fitting = [e for p, e in self.official[rule.id] if p.contains(rng) or rng.contains(p)]
            if fitting:
                return to_decimal(fitting[-1].value or 0), "official"
        if rule.id in self.given_averages:
            return self.given_averages[rule.id], "given"
        key = (rule.id, rng.label)
        if key not in self._averages:
            values = [v for u in self.units if _applies(item.applies_to, u)
                      for v in [self.metric(u.code, item, rule, rng)[0]] if v is not None]
            self._averages[key] = sum(values, ZERO) / len(values) if values else None
        return self._averages[key], "computed"


def _applies(types: tuple[str, ...], unit: Unit) -> bool:
    if not types:
        return True
    if unit.history:
        return any(t in types for _, t in unit.history)
    return unit.type in types


def _ranges(types: tuple[str, ...], unit: Unit, rng: Period) -> list[tuple[date, date]] | None:
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


def _type_note(scheme: Scheme, types: tuple[str, ...], spans: list[tuple[date, date]]) -> tuple[str, str]:
    names = "、".join(scheme.type_names.get(t, t) for t in types)
    days = "；".join(f"{a.isoformat()} 至 {b.isoformat()}" for a, b in spans)
    return (f"仅计单位类型为{names}期间（{days}）的事项",
            f"counted only while the unit was {', '.join(types)} ({'; '.join(f'{a}–{b}' for a, b in spans)})")


def _moves(cat: Category, item: Item, pts: Decimal) -> tuple[str, str]:
    """'扣 5 分' / '加 3 分' and the English, from a signed figure."""
    adds = item_direction(cat, item) == BONUS
    mag = _fmt(abs(pts))
    if pts == 0:
        return "0 分", "0 points"
    return (f"加 {mag} 分", f"+{mag}") if adds else (f"扣 {mag} 分", f"-{mag}")


def _per_event(ctx: _Context, unit: Unit, rule: Rule, cat: Category, item: Item, evs: Iterable[Event],
               trail: list[TrailEntry]) -> None:
    fixed = rule.points
    clause = rule.clause
    if not rule.discretionary:
        # The common case, kept to one allocation per event: scoring 100,000 events must stay fast.
        if fixed is None:
            zh, en = "列入本指标（本方案未设分值）", "listed (no points in this scheme)"
        else:
            z, e = _moves(cat, item, fixed)
            zh, en = f"每次{z}", f"{e} per event"
        rid = rule.id
        trail.extend([TrailEntry(rid, fixed, zh, (ev,), (), en, clause) for ev in evs])
        return
    sign = _sign(cat, item)
    bound = amount_bound(rule, item, cat)
    adjust = ctx.adjust
    waiting = 0
    by_amount: dict[object, tuple[Decimal, str, str]] = {}
    if fixed is not None:
        z, e = _moves(cat, item, fixed)
        default_zh, default_en = f"本方案默认每次{z}（考核员可酌情调整）", f"{e} per event by default (the assessor may adjust it)"
    pending_zh = "待考核员酌情确定分值（文件未规定每次分值），暂计 0 分"
    pending_en = "awaiting the assessor's amount (the document sets none); 0 for now"
    for ev in evs:
        adjs = adjust.get((ev.key, item.id)) if adjust else None
        original = fixed
        if ev.amount is not None:
            original = sign * abs(to_decimal(ev.amount))
        if adjs:
            last = adjs[-1]
            amount = abs(to_decimal(last.amount))
            if bound is not None and amount > bound:
                amount = bound
            pts = sign * amount
            z, e = _moves(cat, item, pts)
            was = "待认定" if original is None else _moves(cat, item, original)[0]
            who = f"{last.author} " if last.author else ""
            zh = f"考核员酌情认定：{z}（原：{was}；{who}{last.at[:10]}：{last.note}）"
            en = f"assessor's amount: {e} (was {'pending' if original is None else _fmt(original)}; " \
                 f"{last.author} {last.at[:10]}: {last.note})"
            trail.append(TrailEntry(rule.id, pts, zh, (ev,), (), en, clause, tuple(adjs), original))
            continue
        if ev.amount is not None:
            said = by_amount.get(ev.amount)
            if said is None:
                amount = abs(to_decimal(ev.amount))
                if bound is not None and amount > bound:
                    amount = bound
                pts = sign * amount
                z, e = _moves(cat, item, pts)
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


def _kinds_zh(scheme: Scheme, kinds: Iterable[str]) -> str:
    return "、".join(scheme.kind_names.get(k, k) for k in kinds)


def _threshold(ctx: _Context, cat: Category, item: Item, rule: Rule, counted: list[Event],
               blocking: list[Event]) -> TrailEntry:
    scheme = ctx.scheme
    what = _kinds_zh(scheme, rule.kinds)
    n, need = len(counted), rule.at_least
    if n >= need and not blocking:
        z, _ = _moves(cat, item, rule.points or ZERO)
        zh = f"{what} {n} 件（需 {need} 件以上）"
        en = f"{n} ≥ {need} ({', '.join(rule.kinds)})"
        if rule.none_of:
            zh += f"，且无{_kinds_zh(scheme, rule.none_of)}"
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
        reasons_zh.append(f"但有 {len(blocking)} 起{_kinds_zh(scheme, rule.none_of)}（{refs}）")
        reasons_en.append(f"{len(blocking)} × {', '.join(rule.none_of)}")
    zh = "未加分：" + "，".join(reasons_zh) if item_direction(cat, item) == BONUS else "未适用：" + "，".join(reasons_zh)
    return TrailEntry(rule.id, None if rule.points is None else ZERO, zh, tuple(blocking), (),
                      "not met: " + "; ".join(reasons_en), rule.clause)


def _score_item(ctx: _Context, unit: Unit, cat: Category, item: Item, rng: Period,
                group: str | None) -> ItemResult:
    trail: list[TrailEntry] = []
    field = cat.group_by
    spans = _ranges(item.applies_to or cat.applies_to, unit, rng)
    if spans is not None:
        zh, en = _type_note(ctx.scheme, item.applies_to or cat.applies_to, spans)
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
            _per_event(ctx, unit, rule, cat, item, events(rule.kinds), trail)
        elif rule.type == THRESHOLD:
            trail.append(_threshold(ctx, cat, item, rule, events(rule.kinds), events(rule.none_of)))
        elif rule.type == RELATIVE:
            trail.append(_relative(ctx, unit, item, rule, rng))
        elif rule.type == TIERS:
            found = _tiers(ctx, unit, cat, item, rule, rng)
            if found is not None:
                trail.append(found)
        elif rule.type == ZERO_ITEM:
            evs = events(rule.kinds)
            if evs:
                pts = None if item.points is None else -item.points
                trail.append(TrailEntry(rule.id, pts, "本项不得分", tuple(evs), (), "item scores nothing",
                                        rule.clause))
    sign = _sign(cat, item)
    for entry in ctx.entries_in(unit.code, item.id, rng):
        if entry.amount is not None:
            pts = sign * abs(to_decimal(entry.amount))
            z, e = _moves(cat, item, pts)
            trail.append(TrailEntry("entry", pts, f"考核员认定：{z}" + (f"（{entry.note}）" if entry.note else ""),
                                    (), (entry,), f"assessor's entry: {e}" + (f" ({entry.note})" if entry.note else ""),
                                    item.clause))
        elif entry.count is not None:
            rule = next(r for r in item.rules if r.type == PER_EVENT)
            pts = None if rule.points is None else rule.points * entry.count
            each = "待认定" if rule.points is None else _moves(cat, item, rule.points)[0]
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
                                    f"本项分值 {_fmt(item.points)} 分为限（{_fmt(raw)} → {_fmt(delta)}）", (), (),
                                    f"item limited to {_fmt(item.points)} points ({_fmt(raw)} → {_fmt(delta)})",
                                    item.clause))
    return ItemResult(item.id, item.name, item.points, delta, trail)


def _tiers(ctx: _Context, unit: Unit, cat: Category, item: Item, rule: Rule, rng: Period) -> TrailEntry | None:
    ents = [e for e in ctx.entries_in(unit.code, item.id, rng) if e.value is not None]
    if not ents:
        return None
    value = to_decimal(ents[-1].value or 0)
    for at_most, pts in rule.tiers:
        if value <= at_most:
            z, e = _moves(cat, item, pts)
            return TrailEntry(rule.id, pts, f"录入值 {_fmt(value)}（{_fmt(at_most)} 以内）：{z}", (), tuple(ents),
                              f"value {_fmt(value)} within {_fmt(at_most)}: {e}", rule.clause)
    return TrailEntry(rule.id, ZERO, f"录入值 {_fmt(value)} 不在任何档次内：0 分", (), tuple(ents),
                      f"value {_fmt(value)} reaches no tier", rule.clause)


def _relative(ctx: _Context, unit: Unit, item: Item, rule: Rule, rng: Period) -> TrailEntry:
    value, evs, ents = ctx.metric(unit.code, item, rule, rng)
    avg, source = ctx.average(item, rule, rng)
    src_zh = {"official": "考核办录入的全市平均分", "given": "给定的平均分", "computed": "本方案所评单位的平均分"}[source]
    src_en = {"official": "official average entered by the office", "given": "given average",
              "computed": "mean of the units scored"}[source]
    if value is None:
        return TrailEntry(rule.id, ZERO, "未报得分：不比较，不计入平均", (), (),
                          "no value reported: not compared, not in the average", rule.clause)
    if avg is None or avg <= 0 or value >= avg:
        return TrailEntry(rule.id, ZERO, f"得分 {_fmt(value)} 不低于{src_zh} {_fmt(avg or ZERO)}：不扣分",
                          tuple(evs), tuple(ents),
                          f"value {_fmt(value)} not below the {src_en} {_fmt(avg or ZERO)}", rule.clause)
    assert rule.step is not None and rule.points is not None
    shortfall = (avg - value) / avg
    steps = (shortfall / rule.step).to_integral_value(rounding=ROUND_FLOOR)
    pts = rule.points * steps
    pct = _fmt(round(shortfall * 100, 2))
    return TrailEntry(rule.id, pts, f"得分 {_fmt(value)} 低于{src_zh} {_fmt(round(avg, 4))} 的 {pct}%："
                                    f"满 {_fmt(rule.step * 100)}% 计 {steps} 次，扣 {_fmt(abs(pts))} 分",
                      tuple(evs), tuple(ents),
                      f"value {_fmt(value)} is {pct}% below the {src_en} {_fmt(round(avg, 4))}: "
                      f"{steps} full step(s) of {_fmt(rule.step * 100)}%", rule.clause)


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
                                f"{cat.name}以 {limit} 分为限（{_fmt(raw)} → {_fmt(score)}）", (), (),
                                f"{cat.name} limited to {limit} ({_fmt(raw)} → {_fmt(score)})", cat.clause))
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
    others = "、".join(f"{r.group} {_fmt(r.score)} 分" for r in scored if r is not lowest and r.score is not None)
    others_en = ", ".join(f"{r.group}: {_fmt(r.score)}" for r in scored if r is not lowest and r.score is not None)
    lowest.trail.insert(0, TrailEntry(f"min:{cat.id}", ZERO,
                                      f"{len(scored)} 个账号分别打分，最低得分计入：{lowest.group}"
                                      + (f"（其余：{others}）" if others else ""), (), (),
                                      f"lowest of {len(scored)} by {cat.group_by} counts: {lowest.group}"
                                      + (f" (others: {others_en})" if others_en else ""), cat.clause))
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


def _forced(ctx: _Context, unit: Unit) -> list[tuple[Forced, TrailEntry]]:
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


def _categories(ctx: _Context, unit: Unit) -> list[CategoryResult]:
    out: list[CategoryResult] = []
    for cat in ctx.scheme.categories:
        if not _applies(cat.applies_to, unit):
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


def _unmatched(ctx: _Context, unit: Unit) -> dict[str, int]:
    known = ctx.scheme.kinds() | set(ctx.scheme.ignore)
    found: dict[str, int] = {}
    for kind in ctx.events.kinds(unit.code):
        if kind not in known:
            n = len(ctx.events.get(unit.code, kind, ctx.period))
            if n:
                found[kind] = n
    return found


def _table_total(scheme: Scheme, result: UnitResult, *, outside: bool = True) -> Decimal | None:
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
                                       f"百分制：表内得分以 0–{_fmt(scheme.scale)} 分为限（{_fmt(inside)} → {_fmt(total)}）",
                                       (), (), f"the table's total stays within 0–{_fmt(scheme.scale)} "
                                       f"({_fmt(inside)} → {_fmt(total)})"))
    if outside:
        total = _add_outside(result, total)
    return total


def _add_outside(result: UnitResult, total: Decimal) -> Decimal:
    for c in result.categories:
        if c.ledger == "score" and c.outside_total and c.score:
            result.trail.append(TrailEntry(f"outside:{c.id}", c.score, f"{c.name}：不在总分内，得分计入（减）总分",
                                           (), (), f"{c.name}: outside the table, added"))
            total += c.score
    if total < 0:
        result.trail.append(TrailEntry("clamp:zero", -total, "总分不低于 0 分", (), (), "a total is never below zero"))
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


def _finish(ctx: _Context, unit: Unit, result: UnitResult, total: Decimal | None) -> None:
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
            band = next(b for b in scheme.bands if b.grade == forced_grade)
            result.grade, result.grade_wording = band.grade, band.wording
            result.consequences = forced_consequences + list(band.consequences)
        return
    result.consequences = list(scheme.consequences)
    q = Decimal(1).scaleb(-scheme.decimals)
    result.total = total.quantize(q, rounding=ROUND_HALF_UP)
    band = None
    if graded:
        band = _grade(scheme, result.total)
        if forced_grade is not None:
            band = next(b for b in scheme.bands if b.grade == forced_grade)
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
    ctx = _Context(scheme, p, units, index, entries, averages, adjustments)
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
            result.refusal = (f"{scheme.title}：文件只规定指标、未定分值，尚未加载实施细则（分值叠加文件），"
                              f"只列出各指标下的事项，不计算总分")
            result.refusal_en = (f"{scheme.title}: structure only, no points overlay (实施细则) loaded — events are "
                                 f"listed per indicator, no total is computed")
            _finish(ctx, unit, result, None)
            continue
        _finish(ctx, unit, result, _table_total(scheme, result))
    return results


def _compose(ctx: _Context, results: list[UnitResult]) -> None:
    """Weighted components, with weighted sub-unit aggregation for the unit types that have it; categories
    outside the table (a bonus 在年度考评中予以加分) are added to the weighted total."""
    scheme = ctx.scheme
    own: dict[str, dict[str, tuple[Decimal | None, list[TrailEntry]]]] = {}
    for unit, result in zip(ctx.units, results, strict=True):
        values: dict[str, tuple[Decimal | None, list[TrailEntry]]] = {}
        for comp in scheme.components:
            if comp.source == "categories":
                table = _table_total(scheme, result, outside=False)
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
                v = _fmt(round(value or ZERO, 4))
                result.trail.append(TrailEntry(f"weight:{comp.id}", weighted,
                                               f"{comp.name} {v} 分 × 权重 {_fmt(comp.weight * 100)}%", (), (),
                                               f"{comp.name} {v} × {_fmt(comp.weight)}"))
        if missing:
            result.refusal = f"尚无以下环节的得分：{'、'.join(missing)}"
            result.refusal_en = f"no score yet for: {', '.join(missing)}"
            _finish(ctx, unit, result, None)
        else:
            _finish(ctx, unit, result, _add_outside(result, total))


def _attach(scheme: Scheme, comp_id: str, result: UnitResult, value: Decimal | None,
            trail: list[TrailEntry]) -> tuple[Decimal | None, list[TrailEntry]]:
    """An entered component score adjusted by the categories attached to it (within 0..scale)."""
    for cat in result.categories:
        if cat.id not in {c.id for c in scheme.categories if c.component == comp_id} or not cat.score:
            continue
        if value is None:
            trail.append(TrailEntry(f"attached:{cat.id}", None, f"{cat.name} {_fmt(cat.score)} 分：待录入本环节得分后计入",
                                    (), (), f"{cat.name} {_fmt(cat.score)}: applied once the score is entered"))
            continue
        new = min(max(value + cat.score, ZERO), scheme.scale)
        trail.append(TrailEntry(f"attached:{cat.id}", new - value, f"{cat.name}：{_fmt(value)} → {_fmt(new)}",
                                (), (), f"{cat.name}: {_fmt(value)} → {_fmt(new)}"))
        value = new
    return value, trail


def _aggregate(scheme: Scheme, unit: Unit, comp_id: str, own_value: Decimal | None, trail: list[TrailEntry],
               kids: list[Unit], own: Mapping[str, Mapping[str, tuple[Decimal | None, list[TrailEntry]]]]
               ) -> tuple[Decimal | None, list[TrailEntry]]:
    parts: list[tuple[Decimal, Decimal, str, str]] = []
    for group in scheme.subunit_groups:
        if group.self_:
            if own_value is not None:
                v = _fmt(round(own_value, 4))
                parts.append((group.weight, own_value, f"{group.name} {v}", f"{group.name} {v}"))
            continue
        vals = [own[k.code][comp_id][0] for k in kids if k.type == group.type]
        present = [v for v in vals if v is not None]
        if present:
            mean = sum(present, ZERO) / len(present)
            m = _fmt(round(mean, 4))
            parts.append((group.weight, mean, f"{group.name} {len(present)} 个单位平均 {m}",
                          f"{group.name} mean of {len(present)} = {m}"))
    if not parts:
        return None, trail
    weight = sum((w for w, _, _, _ in parts), ZERO)
    value = sum((w * v for w, v, _, _ in parts), ZERO) / weight
    ratio = ":".join(_fmt(w) for w, _, _, _ in parts)
    partial = len(parts) != len(scheme.subunit_groups)
    trail.append(TrailEntry(f"subunits:{comp_id}", value,
                            f"按 {ratio} 的比例汇总：" + "；".join(t for _, _, t, _ in parts)
                            + ("（无得分的组不计，权重按比例重算）" if partial else ""), (), (),
                            f"sub-units weighted {ratio}: " + "; ".join(t for _, _, _, t in parts)
                            + (" (groups without scores left out, weights renormalised)" if partial else "")))
    return value, trail
