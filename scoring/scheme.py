"""The in-memory form of a scheme file (see docs/scoring.md for the TOML format)."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from pathlib import Path

# Rule types an item may carry.
PER_EVENT = "per_event"          # every event of the kinds: ±points (discretionary: the event's amount)
THRESHOLD = "threshold"          # at least N events of the kinds (and none of others): ±points once
RELATIVE = "relative_to_average"  # unit's metric below the population average: points per full step
ZERO_ITEM = "zero_item"          # any event of the kinds: the item loses all its points
TIERS = "tiers"                  # an assessor's value (a rank): the points of the first tier it falls in
RULE_TYPES = (PER_EVENT, THRESHOLD, RELATIVE, ZERO_ITEM, TIERS)

# Category kinds: where the category starts and which way its items move it.
DEDUCT = "deduct"    # starts at its points; items deduct; never below zero
BONUS = "bonus"      # starts at zero; items add; never above its points (if any)
PENALTY = "penalty"  # starts at zero; items deduct; never below minus its points (if any)
CATEGORY_KINDS = (DEDUCT, BONUS, PENALTY)


@dataclass(frozen=True)
class Rule:
    """How events (and manual entries) become points on one item."""

    id: str
    item: str
    type: str
    kinds: tuple[str, ...]
    points: Decimal | None          # signed; None only in a structure-only scheme without overlay
    discretionary: bool = False     # an event's or entry's amount replaces ``points`` (酌情)
    max_amount: Decimal | None = None
    at_least: int = 1               # threshold
    none_of: tuple[str, ...] = ()   # threshold: no event of these kinds in the period
    step: Decimal | None = None     # relative_to_average: fraction of the average per step
    clause: str = ""                # the document's own words this rule reads (required in files)
    tiers: tuple[tuple[Decimal, Decimal], ...] = ()   # tiers: (at most this value, points)
    line: int = 0
    average_name: str = ""          # relative_to_average: the document's name for the average (全市平均分)


@dataclass(frozen=True)
class Item:
    """A scored line of the table (考核项目/指标)."""

    id: str
    name: str
    points: Decimal | None           # the most the item can lose (deduct/penalty) or gain (bonus)
    rules: tuple[Rule, ...] = ()
    entry: str = "points"            # what manual entries carry: points | count | value | none
    applies_to: tuple[str, ...] = ()
    kind: str = ""                   # "" = the category's direction; bonus: adds inside a deduct category
    clause: str = ""
    judgement: bool = False          # the document leaves the amount to the assessor (酌情)
    line: int = 0


@dataclass(frozen=True)
class Category:
    """A group of items with its own points and floor (考核项目大类)."""

    id: str
    name: str
    kind: str
    points: Decimal | None
    items: tuple[Item, ...]
    period: str = "year"             # year: year runs only; quarter: one instance per quarter; any: the run's period
    outside_total: bool = False      # 不在总分内，但得分可计入（减）总分
    ledger: str = "score"            # score | target (deducts from the unit's annual target points)
    group_by: str | None = None      # detail field: score each group separately, keep the lowest
    group_name: str = ""             # the document's word for one group (账号); default: the field's name
    applies_to: tuple[str, ...] = ()
    clause: str = ""
    component: str | None = None     # an entry component whose entered score this category adjusts
    line: int = 0


@dataclass(frozen=True)
class Band:
    """A grade band: a score at or above ``min`` (or strictly above, if not inclusive) gets ``grade``."""

    grade: str
    min: Decimal | None
    min_inclusive: bool = True
    wording: str = ""
    consequences: tuple[str, ...] = ()
    target_deduction: Decimal | None = None   # share of the unit's annual target points taken away
    line: int = 0


@dataclass(frozen=True)
class Forced:
    """A forced outcome: total set to zero, or the grade set, when its events or entries occur."""

    id: str
    name: str
    kinds: tuple[str, ...]
    outcome: str                     # zero | grade (zero with a grade: both, 归零 and 不合格)
    grade: str | None = None
    min_count: int = 1
    same_subject: bool = False       # count per subject ("the same problem notified twice")
    clause: str = ""
    consequences: tuple[str, ...] = ()   # what the document attaches to it besides the outcome
    line: int = 0


@dataclass(frozen=True)
class SubunitGroup:
    """One share of a weighted sub-unit aggregation (本级 / 县区直单位 / 乡镇（街道）)."""

    name: str
    weight: Decimal
    self_: bool = False
    type: str | None = None


@dataclass(frozen=True)
class Component:
    """A weighted part of a composite score (测评环节)."""

    id: str
    name: str
    weight: Decimal
    source: str                      # categories | entry
    per: str = "period"              # period | quarter (entries per quarter, averaged)
    subunits: bool = False           # aggregate sub-units with the scheme's [subunits] weights
    line: int = 0


@dataclass(frozen=True)
class Scheme:
    """One assessment scheme, validated."""

    id: str
    title: str
    document: str
    issuer: str
    year: int
    scale: Decimal
    decimals: int
    periods: tuple[str, ...]
    graded_periods: tuple[str, ...]
    categories: tuple[Category, ...]
    bands: tuple[Band, ...]
    band_rounding: str               # none | half_up (to an integer before banding)
    forced: tuple[Forced, ...] = ()
    components: tuple[Component, ...] = ()
    subunit_types: tuple[str, ...] = ()
    subunit_groups: tuple[SubunitGroup, ...] = ()
    target_points: Decimal | None = None
    ignore: tuple[str, ...] = ()     # kinds the scheme knowingly does not score
    structure_only: bool = False     # no points: list events per indicator, refuse totals
    overlay: str | None = None       # the points overlay applied, if any
    example: bool = False            # an illustrative overlay, not an official 细则
    source: Path | None = None
    notes: tuple[str, ...] = ()
    consequences: tuple[str, ...] = ()  # what every result of the scheme is used for (结果运用)
    kind_names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    type_names: dict[str, str] = field(default_factory=dict, compare=False, repr=False)
    by_item: dict[str, Item] = field(default_factory=dict, compare=False, repr=False)

    def rules(self) -> list[tuple[Category, Item, Rule]]:
        """Every rule with its item and category, in file order."""
        return [(c, i, r) for c in self.categories for i in c.items for r in i.rules]

    def relative_rules(self) -> frozenset[str]:
        """Ids of the relative-to-average rules (their official averages are entered on these ids)."""
        # Looked up once per scheme object, not once per entry (scoring 500 units' entries must stay fast);
        # kept on the object itself (not a field: equality, repr and replace() ignore it).
        found = self.__dict__.get("_relative_ids")
        if found is None:
            found = frozenset(r.id for _, _, r in self.rules() if r.type == RELATIVE)
            object.__setattr__(self, "_relative_ids", found)
        return found

    def kinds(self) -> set[str]:
        """Every event kind a rule or forced outcome of the scheme reacts to."""
        found: set[str] = set()
        for _, _, rule in self.rules():
            found.update(rule.kinds)
            found.update(rule.none_of)
        for f in self.forced:
            found.update(f.kinds)
        return found


def item_direction(cat: Category, item: Item) -> str:
    """Whether an item adds (bonus) or deducts: its own kind, else its category's."""
    return item.kind or cat.kind


def items_by_id(categories: tuple[Category, ...]) -> dict[str, Item]:
    """Every item of ``categories`` by its id (a scheme's ``by_item``)."""
    return {item.id: item for cat in categories for item in cat.items}


def direction_sign(cat: Category, item: Item) -> Decimal:
    """+1 for an item that adds, -1 for one that deducts: the sign of an assessor's magnitude."""
    return Decimal(1) if item_direction(cat, item) == BONUS else Decimal(-1)
