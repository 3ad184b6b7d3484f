"""Applying a points overlay (实施细则) to a structure-only scheme, and checking every rule gets its points."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal
from pathlib import Path
from typing import Any

from scoring.read_grading import GRADING_KEYS, read_bands
from scoring.scheme import BONUS, DEDUCT, TIERS, ZERO_ITEM, Scheme, item_direction, items_by_id
from scoring.toml_source import Source
from scoring.toml_table import Table

OVERLAY_KEYS = {"base", "id", "title", "example", "document"}


def apply_overlay(base: Scheme, path: Path, data: dict[str, Any], src: Source) -> Scheme:
    """Give a structure-only scheme its points from an overlay (实施细则) and check it is complete."""
    ot = Table(src, "overlay", 0, data["overlay"], OVERLAY_KEYS)
    pt = Table(src, "points", 0, data.get("points", {}), {"categories", "items", "rules"})
    Table(src, "", 0, data, {"overlay", "points", "grading"})
    sections = {}
    for name in ("categories", "items", "rules"):
        sec = Table(src, f"points.{name}", 0, pt.data.get(name, {}), set(pt.data.get(name, {})))
        for key in sec.data:
            sec.num(key, required=True)  # validates type, with the key's line
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
                adds = item_direction(cat, item) == BONUS
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
        gt = Table(src, "grading", 0, data["grading"], GRADING_KEYS)
        bands = read_bands(src, gt)
    categories = tuple(cats)
    return replace(
        base, id=ot.str("id"), title=ot.str("title"), overlay=str(path), example=ot.bool("example"),
        document=ot.data.get("document", base.document), categories=categories, bands=bands, source=path,
        structure_only=False, by_item=items_by_id(categories),
    )
