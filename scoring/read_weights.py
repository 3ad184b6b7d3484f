"""Reading a weighted scheme's [[component]] tables and its [subunits] groups, validated."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from scoring.read_categories import read_unit_types
from scoring.scheme import Category, Component, SubunitGroup
from scoring.toml_source import Source
from scoring.toml_table import Table
from scoring.vocabulary import Vocabulary

_COMPONENT_KEYS = {"id", "name", "weight", "source", "per", "subunits"}


def read_components(src: Source, root: Table, categories: tuple[Category, ...]) -> tuple[Component, ...]:
    """The [[component]] tables: weights adding up to 1, exactly one the categories' table, and every
    category that adjusts a component naming one with source = "entry"."""
    components: list[Component] = []
    for i, raw in enumerate(root.tables("component")):
        mt = Table(src, "component", i, raw, _COMPONENT_KEYS)
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
    return tuple(components)


def read_subunits(src: Source, data: dict[str, Any], vocab: Vocabulary,
                  components: tuple[Component, ...]) -> tuple[tuple[str, ...], tuple[SubunitGroup, ...]]:
    """The unit types [subunits] applies to and its weighted groups (required when a component aggregates)."""
    sub_types: tuple[str, ...] = ()
    groups: list[SubunitGroup] = []
    if "subunits" in data:
        ut = Table(src, "subunits", 0, data["subunits"], {"applies_to", "group"})
        sub_types = read_unit_types(ut, "applies_to", vocab, required=True)
        for i, raw in enumerate(ut.tables("group")):
            gtab = Table(src, "subunits.group", i, raw, {"name", "weight", "self", "type"})
            group = SubunitGroup(name=gtab.str("name"),
                                 weight=gtab.num("weight", required=True, minimum=Decimal(0)) or Decimal(0),
                                 self_=gtab.bool("self"), type=gtab.opt_str("type"))
            if group.type is not None:
                read_unit_types(gtab, "type", vocab)
            if group.self_ == (group.type is not None):
                raise gtab.fail(None, "a sub-unit group is either self = true or names a unit type")
            groups.append(group)
        if not groups:
            raise ut.fail(None, "[subunits] needs at least one [[subunits.group]]")
    if any(c.subunits for c in components) and not groups:
        raise src.fail("component", 0, "subunits", "a component aggregates sub-units but [subunits] is missing")
    return sub_types, tuple(groups)
