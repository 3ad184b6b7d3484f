"""Checking an assessor's manual entry or adjustment against a scheme (EntryError names the field)."""

from __future__ import annotations

from decimal import Decimal

from scoring.inputs import ManualEntry, to_decimal
from scoring.periods import PERIOD_CN, parse_period
from scoring.scheme import PER_EVENT, Category, Item, Rule, Scheme
from scoring.wording import fmt


class EntryError(ValueError):
    """A manual entry or adjustment does not fit the scheme; ``field`` names the offending field."""

    def __init__(self, message: str, field: str = "target", zh: str = "") -> None:
        super().__init__(message)
        self.field = field
        self.zh = zh or message   # the same in Chinese, for the desk


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
        raise EntryError("give exactly one of amount, count, value", "amount", "分值、次数、测评值三者只填一项")
    try:
        period = parse_period(entry.period)
    except ValueError as exc:
        raise EntryError(str(exc), "period", f"考核期间“{entry.period}”格式不正确，应写作 2026、2026H1、2026Q1 或 2026-07") from None
    what = given[0]
    quarterly = {i.id for c in scheme.categories if c.period == "quarter" for i in c.items}
    quarterly |= {c.id for c in scheme.components if c.per == "quarter"}
    if period.kind not in scheme.periods and not (period.kind == "quarter" and entry.target in quarterly):
        raise EntryError(f"scheme {scheme.id} is not assessed by {period.kind}", "period",
                         f"考核方案 {scheme.id} 不按{PERIOD_CN.get(period.kind, period.kind)}考核")
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
            raise EntryError(f"{entry.target} takes the official average as a value", what, f"{entry.target} 请录入官方公布的平均值（测评值）")
    elif (comp := next((c for c in scheme.components if c.id == entry.target), None)) is not None:
        if comp.source != "entry" or what != "value":
            raise EntryError(f"component {comp.id} takes a value entry only when its source is entry", what,
                             f"评分组成 {comp.id} 不接受人工录入，或只能录入测评值")
        if comp.per == "quarter" and period.kind != "quarter":
            raise EntryError(f"component {comp.id} is entered per quarter (e.g. 2026Q1)", "period",
                             f"评分组成 {comp.id} 按季度录入（如 2026Q1）")
        if entry.value is not None and not (0 <= to_decimal(entry.value) <= scheme.scale):
            raise EntryError(f"a component score is between 0 and {fmt(scheme.scale)}", "value",
                             f"评分组成的得分应在 0 至 {fmt(scheme.scale)} 分之间")
    elif any(f.id == entry.target for f in scheme.forced):
        if what != "count":
            raise EntryError(f"forced outcome {entry.target} takes a count", what, f"{entry.target} 请录入发生次数")
    else:
        raise EntryError(f"{entry.target!r} is not an item, component or forced outcome of {scheme.id}", "target",
                         f"考核方案 {scheme.id} 中没有“{entry.target}”这一项")
    if what == "count" and (entry.count is None or entry.count < 0):
        raise EntryError("count must be zero or more", "count", "次数不能为负数")


def check_adjustment(scheme: Scheme, kind: str, item_id: str, amount: float | Decimal) -> Rule:
    """The discretionary rule of ``item_id`` that scores events of ``kind``; refuses (EntryError naming the
    field) an item that fixes its amount, an amount below zero or above the document's bound."""
    if item_id not in scheme.by_item:
        raise EntryError(f"{item_id!r} is not an item of {scheme.id}", "item", f"考核方案 {scheme.id} 中没有“{item_id}”这一项")
    cat, item = _owner(scheme, item_id)
    rules = [r for r in item.rules if r.type == PER_EVENT and kind in r.kinds]
    if not rules:
        raise EntryError(f"item {item_id} ({item.name}) does not score events of kind {kind}", "item",
                         f"本项（{item.name}）不评此类事项")
    rule = rules[0]
    if not rule.discretionary:
        raise EntryError(f"item {item_id} fixes the amount ({rule.clause or fmt(rule.points)}); only items the "
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
        raise EntryError(f"amount {fmt(value)} is more than the {fmt(bound)} points the document allows on "
                         f"item {item.id} ({item.name})", "amount",
                         f"分值 {fmt(value)} 超过文件允许的 {fmt(bound)} 分（{item.name}）")
