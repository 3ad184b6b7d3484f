"""Reading a scheme's [[category]], [[category.item]] and [[category.item.rule]] tables, validated."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal
from typing import Any

from scoring.scheme import (
    BONUS,
    CATEGORY_KINDS,
    DEDUCT,
    PENALTY,
    PER_EVENT,
    RELATIVE,
    RULE_TYPES,
    THRESHOLD,
    TIERS,
    ZERO_ITEM,
    Category,
    Item,
    Rule,
    item_direction,
)
from scoring.toml_source import Source
from scoring.toml_table import Counter, Table
from scoring.vocabulary import Vocabulary

_CATEGORY_KEYS = {"id", "name", "kind", "points", "period", "outside_total", "ledger", "group_by", "applies_to",
                  "item", "clause", "component", "group_name"}
_ITEM_KEYS = {"id", "name", "points", "entry", "applies_to", "rule", "kind", "clause", "judgement"}
_RULE_KEYS = {"id", "type", "when", "points", "discretionary", "max_amount", "at_least", "none_of", "step",
              "clause", "tiers", "average_name"}


def _read_rule(src: Source, idx: int, data: Any, item: Item, cat: Category, structure_only: bool,
               taken: set[str]) -> Rule:
    t = Table(src, "category.item.rule", idx, data, _RULE_KEYS)
    rtype = t.str("type", PER_EVENT, choices=RULE_TYPES)
    rid = t.unique_id(taken, f"{item.id}#{idx}")
    if "clause" not in t.data:
        raise t.fail(None, f"rule {rid!r} needs 'clause': the document's own words it reads "
                           f"(e.g. clause = \"未在法定期限内答复的，一次扣5分\")")
    clause = t.str("clause")
    kinds = t.strs("when", required=rtype != TIERS)
    points = t.num("points")
    discretionary = t.bool("discretionary")
    tiers: list[tuple[Decimal, Decimal]] = []
    if rtype == TIERS:
        raw_tiers = t.data.get("tiers")
        if not isinstance(raw_tiers, list) or not raw_tiers:
            raise t.fail("tiers" if "tiers" in t.data else None,
                         f"tiers rule {rid!r} needs tiers = [{{ at_most = 5, points = 10 }}, …]")
        for tier in raw_tiers:
            if (not isinstance(tier, Mapping) or set(tier) != {"at_most", "points"}
                    or not all(isinstance(v, int | float) and not isinstance(v, bool) for v in tier.values())):
                raise t.fail("tiers", "each tier is { at_most = <number>, points = <number> }")
            tiers.append((Decimal(repr(tier["at_most"])), Decimal(repr(tier["points"]))))
        if [a for a, _ in tiers] != sorted(a for a, _ in tiers):
            raise t.fail("tiers", "tiers must be listed from the smallest at_most up")
    elif rtype == ZERO_ITEM:
        if item.points is None and not structure_only:
            raise t.fail("type", f"zero_item rule {rid!r} needs points on its item {item.id!r}")
    elif points is None and not structure_only and not discretionary:
        raise t.fail(None, f"rule {rid!r} needs 'points' (only a structure-only scheme, or a discretionary rule "
                           f"whose document leaves the amount to the assessor, may leave them out)")
    adds = item_direction(cat, item) == BONUS
    for value in [points, *(p for _, p in tiers)]:
        if value is None:
            continue
        if adds and value < 0:
            raise t.fail("points", f"rule {rid!r} adds points in {'item ' + item.id if item.kind else 'bonus category ' + cat.id!r}"
                                   f", not {value}")
        if not adds and value > 0:
            raise t.fail("points", f"rule {rid!r} in {cat.kind} category {cat.id!r} must deduct (points ≤ 0), "
                                   f"not {value}")
    step = t.num("step")
    if rtype == RELATIVE and (step is None or not (0 < step <= 1)):
        raise t.fail("step" if step is not None else None,
                     f"relative_to_average rule {rid!r} needs 0 < step ≤ 1 (a fraction of the average)")
    if rtype != THRESHOLD and ("at_least" in t.data or "none_of" in t.data):
        raise t.fail("at_least" if "at_least" in t.data else "none_of",
                     f"at_least/none_of only apply to threshold rules, not {rtype}")
    if rtype != RELATIVE and "average_name" in t.data:
        raise t.fail("average_name", f"average_name only applies to relative_to_average rules, not {rtype}")
    return Rule(
        id=rid, item=item.id, type=rtype, kinds=kinds, points=points,
        discretionary=discretionary, max_amount=t.num("max_amount", minimum=Decimal(0)),
        at_least=t.int("at_least", 1), none_of=t.strs("none_of"), step=step, clause=clause,
        tiers=tuple(tiers), line=t.line, average_name=t.opt_str("average_name") or "",
    )


def read_unit_types(table: Table, key: str, vocab: Vocabulary, *, required: bool = False) -> tuple[str, ...]:
    """A list of unit types, each one of the vocabulary's (an unknown type names the file and line)."""
    found = table.strs(key, required=required)
    for code in found:
        if code not in vocab.types:
            raise table.fail(key, f"unknown unit type {code!r} (known: {', '.join(sorted(vocab.types))}; "
                                  f"see {vocab.source or 'vocabulary.yaml'})")
    return found


def read_categories(src: Source, root: Table, structure_only: bool,
                    vocab: Vocabulary) -> tuple[Category, ...]:
    """Every [[category]] with its items and their rules (ids unique across the scheme; at least one)."""
    counter = Counter()
    cats: list[Category] = []
    ids: set[str] = set()
    rule_ids: set[str] = set()
    for raw_cat in root.tables("category"):
        ci = counter.next("category")
        ct = Table(src, "category", ci, raw_cat, _CATEGORY_KEYS)
        cid = ct.unique_id(ids)
        kind = ct.str("kind", DEDUCT, choices=CATEGORY_KINDS)
        points = ct.num("points", minimum=Decimal(0))
        if points is None and kind == DEDUCT and not structure_only:
            raise ct.fail(None, f"deduct category {cid!r} needs 'points' (its full marks)")
        cat = Category(
            id=cid, name=ct.str("name"), kind=kind, points=points, items=(),
            period=ct.str("period", "year", choices=("year", "quarter", "any")),
            outside_total=ct.bool("outside_total"),
            ledger=ct.str("ledger", "score", choices=("score", "target")),
            group_by=ct.opt_str("group_by"), applies_to=read_unit_types(ct, "applies_to", vocab),
            clause=ct.opt_str("clause") or "", component=ct.opt_str("component"), line=ct.line,
            group_name=ct.opt_str("group_name") or "",
        )
        if cat.group_name and cat.group_by is None:
            raise ct.fail("group_name", f"group_name names the groups of group_by; category {cid!r} has no group_by")
        items: list[Item] = []
        for raw_item in ct.tables("item"):
            ii = counter.next("category.item")
            it = Table(src, "category.item", ii, raw_item, _ITEM_KEYS)
            iid = it.unique_id(ids)
            ikind = it.str("kind", kind, choices=CATEGORY_KINDS)
            if ikind == BONUS and kind == PENALTY:
                raise it.fail("kind", f"a bonus item belongs in a deduct or bonus category, not {kind}")
            item = Item(id=iid, name=it.str("name"), points=it.num("points", minimum=Decimal(0)),
                        entry=it.str("entry", "points", choices=("points", "count", "value", "none")),
                        applies_to=read_unit_types(it, "applies_to", vocab), kind="" if ikind == kind else ikind,
                        clause=it.opt_str("clause") or "", judgement=it.bool("judgement"), line=it.line)
            rules = tuple(_read_rule(src, counter.next("category.item.rule"), raw_rule, item, cat,
                                     structure_only, rule_ids)
                          for raw_rule in it.tables("rule"))
            if item.entry == "count" and not any(r.type == PER_EVENT for r in rules):
                raise it.fail("entry", f"item {iid!r} takes counts but has no per_event rule to price them")
            if item.entry == "value" and not any(r.type in (RELATIVE, TIERS) for r in rules):
                raise it.fail("entry", f"item {iid!r} takes values but has no relative_to_average or tiers rule")
            if item.judgement and item.entry != "points":
                raise it.fail("judgement", f"item {iid!r} is left to the assessor's judgement: it takes amounts "
                                           f"(entry = \"points\"), not {item.entry}")
            items.append(replace(item, rules=rules))
        if not items:
            raise ct.fail(None, f"category {cid!r} has no items")
        cats.append(replace(cat, items=tuple(items)))
    if not cats:
        raise root.fail(None, "a scheme needs at least one [[category]]")
    return tuple(cats)
