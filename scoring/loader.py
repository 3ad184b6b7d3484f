"""Reading scheme files (TOML): validation with file and line in every error, and points overlays."""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import replace
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from scoring.periods import KINDS as PERIOD_KINDS
from scoring.scheme import (
    BONUS,
    CATEGORY_KINDS,
    DEDUCT,
    PER_EVENT,
    RELATIVE,
    RULE_TYPES,
    THRESHOLD,
    TIERS,
    ZERO_ITEM,
    Band,
    Category,
    Component,
    Forced,
    Item,
    Rule,
    Scheme,
    SubunitGroup,
)
from scoring.vocabulary import Vocabulary, VocabularyError, vocabulary_for


class SchemeError(ValueError):
    """A scheme or overlay file is invalid: names the file, the line and what is wrong."""

    def __init__(self, path: Path | str, line: int, message: str) -> None:
        super().__init__(f"{path}:{line}: {message}")
        self.path = str(path)
        self.line = line
        self.message = message


_HEADER = re.compile(r"^\s*(\[\[?)\s*([^\]]+?)\s*\]\]?\s*(?:#.*)?$")
_TOML_LINE = re.compile(r"at line (\d+)")


class _Source:
    """The text of one file, with the line of every table header so errors can point at a line."""

    def __init__(self, path: Path, text: str) -> None:
        self.path = path
        self.lines = text.splitlines()
        self.headers: dict[str, list[int]] = {}
        for no, line in enumerate(self.lines, start=1):
            m = _HEADER.match(line)
            if m:
                self.headers.setdefault(m.group(2).replace(" ", ""), []).append(no)

    def table_line(self, table: str, index: int = 0) -> int:
        """The line of the ``index``-th ``[table]``/``[[table]]`` header (1 if it cannot be found)."""
        found = self.headers.get(table, [])
        return found[index] if index < len(found) else 1

    def key_line(self, table: str, index: int, key: str | None) -> int:
        """The line where ``key`` is set inside that table (the header line if not found)."""
        start = self.table_line(table, index) if table else 1
        if key is None:
            return start
        pattern = re.compile(rf"^\s*[\"']?{re.escape(key)}[\"']?\s*=")
        if not table:
            # Top-level keys are usually tables: point at their header.
            pattern = re.compile(rf"^\s*(?:\[\[?\s*{re.escape(key)}\s*[.\]]|[\"']?{re.escape(key)}[\"']?\s*=)")
        begin = start if table else 0
        for no in range(begin, len(self.lines)):
            text = self.lines[no]
            if table and no >= start and _HEADER.match(text):
                break
            if pattern.match(text):
                return no + 1
        return start

    def fail(self, table: str, index: int, key: str | None, message: str) -> SchemeError:
        """An error located at ``key`` of the ``index``-th ``table``."""
        return SchemeError(self.path, self.key_line(table, index, key), message)


def _parse(path: Path) -> tuple[dict[str, Any], _Source]:
    text = path.read_text(encoding="utf-8")
    src = _Source(path, text)
    try:
        data = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        m = _TOML_LINE.search(str(exc))
        raise SchemeError(path, int(m.group(1)) if m else 1, f"TOML syntax: {exc}") from None
    return data, src


class _Table:
    """One TOML table being read: typed getters that fail with the key's line; unknown keys refused."""

    def __init__(self, src: _Source, name: str, index: int, data: Any, allowed: set[str]) -> None:
        self.src, self.name, self.index = src, name, index
        if not isinstance(data, Mapping):
            raise src.fail(name, index, None, f"[{name}] must be a table")
        self.data = data
        for key in data:
            if key not in allowed:
                raise self.fail(key, f"unknown key {key!r} in [{name}] (allowed: {', '.join(sorted(allowed))})")

    @property
    def line(self) -> int:
        return self.src.table_line(self.name, self.index)

    def fail(self, key: str | None, message: str) -> SchemeError:
        return self.src.fail(self.name, self.index, key, message)

    def str(self, key: str, default: str | None = None, *, choices: tuple[str, ...] = ()) -> str:
        value = self.data.get(key, default)
        if value is None:
            raise self.fail(None, f"[{self.name}] needs {key!r}")
        if not isinstance(value, str) or not value:
            raise self.fail(key, f"{key!r} must be a non-empty string")
        if choices and value not in choices:
            raise self.fail(key, f"{key!r} is {value!r}; expected one of {', '.join(choices)}")
        return value

    def unique_id(self, taken: set[str], default: str | None = None) -> str:
        """The table's ``id``, refused if another table of the scheme already uses it."""
        value = self.str("id", default)
        if value in taken:
            raise self.fail("id", f"duplicate id {value!r}")
        taken.add(value)
        return value

    def opt_str(self, key: str) -> str | None:
        return self.str(key) if key in self.data else None

    def num(self, key: str, *, required: bool = False, minimum: Decimal | None = None) -> Decimal | None:
        if key not in self.data:
            if required:
                raise self.fail(None, f"[{self.name}] needs {key!r}")
            return None
        value = self.data[key]
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise self.fail(key, f"{key!r} must be a number, not {value!r}")
        try:
            dec = Decimal(repr(value)) if isinstance(value, float) else Decimal(value)
        except InvalidOperation:  # pragma: no cover - tomllib only yields finite or inf/nan floats
            raise self.fail(key, f"{key!r} is not a number") from None
        if not dec.is_finite():
            raise self.fail(key, f"{key!r} must be finite")
        if minimum is not None and dec < minimum:
            raise self.fail(key, f"{key!r} must be at least {minimum}, not {value}")
        return dec

    def int(self, key: str, default: int) -> int:
        value = self.data.get(key, default)
        if isinstance(value, bool) or not isinstance(value, int) or value < 0:
            raise self.fail(key, f"{key!r} must be a non-negative integer")
        return value

    def bool(self, key: str, default: bool = False) -> bool:
        value = self.data.get(key, default)
        if not isinstance(value, bool):
            raise self.fail(key, f"{key!r} must be true or false")
        return value

    def strs(self, key: str, *, required: bool = False) -> tuple[str, ...]:
        if key not in self.data:
            if required:
                raise self.fail(None, f"[{self.name}] needs {key!r}")
            return ()
        value = self.data[key]
        if isinstance(value, str):
            value = [value]
        if not isinstance(value, list) or not all(isinstance(v, str) and v for v in value):
            raise self.fail(key, f"{key!r} must be a string or a list of strings")
        if required and not value:
            raise self.fail(key, f"{key!r} must not be empty")
        return tuple(value)

    def tables(self, key: str) -> list[Any]:
        value = self.data.get(key, [])
        if not isinstance(value, list):
            raise self.fail(key, f"{key!r} must be an array of tables ([[{self.name}.{key}]])")
        return value


_SCHEME_KEYS = {"id", "title", "document", "issuer", "year", "scale", "decimals", "periods", "graded_periods",
                "structure_only", "target_points", "notes", "consequences"}
_CATEGORY_KEYS = {"id", "name", "kind", "points", "period", "outside_total", "ledger", "group_by", "applies_to",
                  "item", "clause", "component"}
_ITEM_KEYS = {"id", "name", "points", "entry", "applies_to", "rule", "kind", "clause", "judgement"}
_RULE_KEYS = {"id", "type", "when", "points", "discretionary", "max_amount", "at_least", "none_of", "step",
              "clause", "tiers"}
_BAND_KEYS = {"grade", "min", "min_inclusive", "wording", "consequences", "target_deduction"}
_FORCED_KEYS = {"id", "name", "when", "outcome", "grade", "min_count", "same_subject", "clause", "consequences"}
_COMPONENT_KEYS = {"id", "name", "weight", "source", "per", "subunits"}
_TOP_KEYS = {"scheme", "grading", "category", "forced", "component", "subunits", "events"}


class _Counter:
    """Running indexes of array-of-tables headers in document order (to find their lines)."""

    def __init__(self) -> None:
        self.n: dict[str, int] = {}

    def next(self, name: str) -> int:
        i = self.n.get(name, 0)
        self.n[name] = i + 1
        return i


def _read_rule(src: _Source, idx: int, data: Any, item: Item, cat: Category, structure_only: bool,
               taken: set[str]) -> Rule:
    t = _Table(src, "category.item.rule", idx, data, _RULE_KEYS)
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
    adds = (item.kind or cat.kind) == BONUS
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
    return Rule(
        id=rid, item=item.id, type=rtype, kinds=kinds, points=points,
        discretionary=discretionary, max_amount=t.num("max_amount", minimum=Decimal(0)),
        at_least=t.int("at_least", 1), none_of=t.strs("none_of"), step=step, clause=clause,
        tiers=tuple(tiers), line=t.line,
    )


def _types(table: _Table, key: str, vocab: Vocabulary, *, required: bool = False) -> tuple[str, ...]:
    """A list of unit types, each one of the vocabulary's (an unknown type names the file and line)."""
    found = table.strs(key, required=required)
    for code in found:
        if code not in vocab.types:
            raise table.fail(key, f"unknown unit type {code!r} (known: {', '.join(sorted(vocab.types))}; "
                                  f"see {vocab.source or 'vocabulary.yaml'})")
    return found


def _read_categories(src: _Source, root: _Table, structure_only: bool,
                     vocab: Vocabulary) -> tuple[Category, ...]:
    counter = _Counter()
    cats: list[Category] = []
    ids: set[str] = set()
    rule_ids: set[str] = set()
    for raw_cat in root.tables("category"):
        ci = counter.next("category")
        ct = _Table(src, "category", ci, raw_cat, _CATEGORY_KEYS)
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
            group_by=ct.opt_str("group_by"), applies_to=_types(ct, "applies_to", vocab),
            clause=ct.opt_str("clause") or "", component=ct.opt_str("component"), line=ct.line,
        )
        items: list[Item] = []
        for raw_item in ct.tables("item"):
            ii = counter.next("category.item")
            it = _Table(src, "category.item", ii, raw_item, _ITEM_KEYS)
            iid = it.unique_id(ids)
            ikind = it.str("kind", kind, choices=CATEGORY_KINDS)
            if ikind == BONUS and kind != DEDUCT and kind != BONUS:
                raise it.fail("kind", f"a bonus item belongs in a deduct or bonus category, not {kind}")
            item = Item(id=iid, name=it.str("name"), points=it.num("points", minimum=Decimal(0)),
                        entry=it.str("entry", "points", choices=("points", "count", "value", "none")),
                        applies_to=_types(it, "applies_to", vocab), kind="" if ikind == kind else ikind,
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


def _read_bands(src: _Source, grading: _Table) -> tuple[Band, ...]:
    bands: list[Band] = []
    raw = grading.tables("band")
    for i, raw_band in enumerate(raw):
        bt = _Table(src, "grading.band", i, raw_band, _BAND_KEYS)
        band = Band(grade=bt.str("grade"), min=bt.num("min"), min_inclusive=bt.bool("min_inclusive", True),
                    wording=bt.data.get("wording", ""), consequences=bt.strs("consequences"),
                    target_deduction=bt.num("target_deduction", minimum=Decimal(0)), line=bt.line)
        if band.target_deduction is not None and band.target_deduction > 1:
            raise bt.fail("target_deduction", "target_deduction is a share of the target points (0 to 1)")
        last = i == len(raw) - 1
        if band.min is None and not last:
            raise bt.fail(None, f"band {band.grade!r} needs 'min' (only the lowest band may leave it out)")
        if bands and band.min is not None and bands[-1].min is not None and band.min >= bands[-1].min:
            raise bt.fail("min", f"bands must be listed from the highest down: {band.grade!r} min {band.min} "
                                 f"is not below {bands[-1].grade!r} min {bands[-1].min}")
        if band.grade in {b.grade for b in bands}:
            raise bt.fail("grade", f"duplicate grade {band.grade!r}")
        bands.append(band)
    return tuple(bands)


def _build(path: Path, data: dict[str, Any], src: _Source, vocab: Vocabulary) -> Scheme:
    root = _Table(src, "", 0, data, _TOP_KEYS)
    st = _Table(src, "scheme", 0, data.get("scheme", {}), _SCHEME_KEYS)
    structure_only = st.bool("structure_only")
    periods = st.strs("periods") or ("year",)
    for p in periods:
        if p not in PERIOD_KINDS:
            raise st.fail("periods", f"unknown period kind {p!r} ({', '.join(PERIOD_KINDS)})")
    graded = st.strs("graded_periods") or periods
    if not set(graded) <= set(periods):
        raise st.fail("graded_periods", "graded_periods must be a subset of periods")
    year = st.data.get("year")
    if not isinstance(year, int) or isinstance(year, bool):
        raise st.fail("year" if "year" in st.data else None, "[scheme] needs 'year' (an integer)")
    categories = _read_categories(src, root, structure_only, vocab)

    gt = _Table(src, "grading", 0, data.get("grading", {}), {"rounding", "band"})
    bands = _read_bands(src, gt)
    grades = {b.grade for b in bands}

    forced: list[Forced] = []
    for i, raw in enumerate(root.tables("forced")):
        ft = _Table(src, "forced", i, raw, _FORCED_KEYS)
        outcome = ft.str("outcome", choices=("zero", "grade"))
        grade = ft.opt_str("grade")
        if (outcome == "grade" or grade is not None) and grade not in grades:
            raise ft.fail("grade", f"forced grade {grade!r} is not one of the bands ({', '.join(sorted(grades))})")
        if "clause" not in ft.data:
            raise ft.fail(None, f"forced outcome {ft.data.get('id')!r} needs 'clause': the document's own words")
        forced.append(Forced(id=ft.str("id"), name=ft.str("name"), kinds=ft.strs("when", required=True),
                             outcome=outcome, grade=grade, min_count=max(1, ft.int("min_count", 1)),
                             same_subject=ft.bool("same_subject"), clause=ft.str("clause"),
                             consequences=ft.strs("consequences"), line=ft.line))

    components: list[Component] = []
    for i, raw in enumerate(root.tables("component")):
        mt = _Table(src, "component", i, raw, _COMPONENT_KEYS)
        components.append(Component(
            id=mt.str("id"), name=mt.str("name"), weight=mt.num("weight", required=True, minimum=Decimal(0)),
            source=mt.str("source", choices=("categories", "entry")),
            per=mt.str("per", "period", choices=("period", "quarter")), subunits=mt.bool("subunits"),
            line=mt.line))
    entry_components = {c.id for c in components if c.source == "entry"}
    for i, cat in enumerate(categories):
        if cat.component is not None and cat.component not in entry_components:
            raise src.fail("category", i, "component", f"category {cat.id!r} adjusts component {cat.component!r}, "
                                                       f"which is not a component with source = \"entry\"")
    if components:
        total = sum((c.weight for c in components), Decimal(0))
        if total != 1:
            raise src.fail("component", 0, "weight", f"component weights add up to {total}, not 1")
        if sum(c.source == "categories" for c in components) != 1:
            raise src.fail("component", 0, "source", "exactly one component must have source = \"categories\"")

    sub_types: tuple[str, ...] = ()
    groups: list[SubunitGroup] = []
    if "subunits" in data:
        ut = _Table(src, "subunits", 0, data["subunits"], {"applies_to", "group"})
        sub_types = _types(ut, "applies_to", vocab, required=True)
        for i, raw in enumerate(ut.tables("group")):
            gtab = _Table(src, "subunits.group", i, raw, {"name", "weight", "self", "type"})
            group = SubunitGroup(name=gtab.str("name"),
                                 weight=gtab.num("weight", required=True, minimum=Decimal(0)) or Decimal(0),
                                 self_=gtab.bool("self"), type=gtab.opt_str("type"))
            if group.type is not None:
                _types(gtab, "type", vocab)
            if group.self_ == (group.type is not None):
                raise gtab.fail(None, "a sub-unit group is either self = true or names a unit type")
            groups.append(group)
        if not groups:
            raise ut.fail(None, "[subunits] needs at least one [[subunits.group]]")
    if any(c.subunits for c in components) and not groups:
        raise src.fail("component", 0, "subunits", "a component aggregates sub-units but [subunits] is missing")

    et = _Table(src, "events", 0, data.get("events", {}), {"ignore", "labels"})
    labels = et.data.get("labels", {})
    if not isinstance(labels, Mapping) or not all(isinstance(v, str) for v in labels.values()):
        raise et.fail("labels", "[events.labels] maps event kinds to their Chinese names")
    scale = st.num("scale", required=True, minimum=Decimal(1)) or Decimal(100)
    return Scheme(
        id=st.str("id"), title=st.str("title"), document=st.str("document"), issuer=st.opt_str("issuer") or "",
        year=year, scale=scale, decimals=st.int("decimals", 2), periods=periods, graded_periods=graded,
        categories=categories, bands=bands,
        band_rounding=gt.str("rounding", "none", choices=("none", "half_up", "floor")),
        forced=tuple(forced), components=tuple(components), subunit_types=sub_types,
        subunit_groups=tuple(groups), target_points=st.num("target_points", minimum=Decimal(0)),
        ignore=et.strs("ignore"), structure_only=structure_only, source=path, notes=st.strs("notes"),
        consequences=st.strs("consequences"),
        by_item={item.id: item for cat in categories for item in cat.items},
        kind_names={**vocab.kinds, **labels}, type_names=dict(vocab.types),
    )


def _apply_overlay(base: Scheme, path: Path, data: dict[str, Any], src: _Source) -> Scheme:
    """Give a structure-only scheme its points from an overlay (实施细则) and check it is complete."""
    ot = _Table(src, "overlay", 0, data["overlay"], {"base", "id", "title", "example", "document"})
    pt = _Table(src, "points", 0, data.get("points", {}), {"categories", "items", "rules"})
    _Table(src, "", 0, data, {"overlay", "points", "grading"})
    sections = {}
    for name in ("categories", "items", "rules"):
        sec = _Table(src, f"points.{name}", 0, pt.data.get(name, {}), set(pt.data.get(name, {})))
        for key, value in sec.data.items():
            sec.num(key, required=True)  # validates type, with the key's line
            _ = value
        sections[name] = sec
    known = {"categories": {c.id for c in base.categories},
             "items": set(base.by_item),
             "rules": {r.id for c in base.categories for i in c.items for r in i.rules}}
    for name, sec in sections.items():
        for key in sec.data:
            if key not in known[name]:
                raise sec.fail(key, f"{name[:-1] if name != 'categories' else 'category'} {key!r} is not in "
                                    f"scheme {base.id!r}")

    def num(name: str, key: str, old: Decimal | None) -> Decimal | None:
        sec = sections[name]
        return sec.num(key) if key in sec.data else old

    cats = []
    for cat in base.categories:
        items = []
        for item in cat.items:
            rules = []
            for rule in item.rules:
                pts = num("rules", rule.id, rule.points)
                if rule.type not in (ZERO_ITEM, TIERS) and pts is None and not rule.discretionary:
                    raise sections["rules"].fail(None, f"overlay gives no points for rule {rule.id!r} "
                                                       f"(item {item.id!r}); every rule needs them")
                adds = (item.kind or cat.kind) == BONUS
                if pts is not None and ((adds and pts < 0) or (not adds and pts > 0)):
                    raise sections["rules"].fail(rule.id, f"rule {rule.id!r} in {cat.kind} category "
                                                          f"{cat.id!r} has the wrong sign: {pts}")
                rules.append(replace(rule, points=pts))
            items.append(replace(item, points=num("items", item.id, item.points), rules=tuple(rules)))
        points = num("categories", cat.id, cat.points)
        if points is None and cat.kind == DEDUCT:
            raise sections["categories"].fail(None, f"overlay gives no points for deduct category {cat.id!r}")
        cats.append(replace(cat, points=points, items=tuple(items)))
    bands = base.bands
    if "grading" in data:
        gt = _Table(src, "grading", 0, data["grading"], {"rounding", "band"})
        bands = _read_bands(src, gt)
    categories = tuple(cats)
    return replace(
        base, id=ot.str("id"), title=ot.str("title"), overlay=str(path), example=ot.bool("example"),
        document=ot.data.get("document", base.document), categories=categories, bands=bands, source=path,
        structure_only=False, by_item={i.id: i for c in categories for i in c.items},
    )


def load_scheme(path: Path | str) -> Scheme:
    """Load and validate one scheme file, or an overlay file together with the base scheme it names.

    Raises :class:`SchemeError` naming the file, the line and what is wrong.
    """
    path = Path(path)
    data, src = _parse(path)
    try:
        vocab = vocabulary_for(path)
    except VocabularyError as exc:
        raise SchemeError(path, 1, str(exc)) from None
    if "overlay" in data:
        base_name = _Table(src, "overlay", 0, data["overlay"],
                           {"base", "id", "title", "example", "document"}).str("base")
        base_path = path.with_name(f"{base_name}.toml")
        if not base_path.exists():
            raise src.fail("overlay", 0, "base", f"base scheme file {base_path.name} not found next to the overlay")
        base = load_scheme(base_path)
        if not base.structure_only:
            raise src.fail("overlay", 0, "base", f"base scheme {base.id!r} is not structure-only")
        return _apply_overlay(base, path, data, src)
    return _build(path, data, src, vocab)


def load_schemes(directory: Path | str) -> dict[str, Scheme]:
    """Every scheme and overlay file (``*.toml``) in ``directory``, by scheme id; ids must be unique."""
    found: dict[str, Scheme] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        scheme = load_scheme(path)
        if scheme.id in found:
            raise SchemeError(path, 1, f"scheme id {scheme.id!r} already used by {found[scheme.id].source}")
        found[scheme.id] = scheme
    return found
