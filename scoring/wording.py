"""How the trail words figures: numbers, moves ('扣 5 分' / '-5'), event kinds and unit-type spans."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from decimal import Decimal

from scoring.scheme import BONUS, Category, Item, Scheme, item_direction


def fmt(value: Decimal | None) -> str:
    """A figure as the trail prints it: no trailing zeros, never "-0"; "—" for none."""
    if value is None:
        return "—"
    text = format(value.normalize(), "f")
    return "0" if text == "-0" else text


def type_note(scheme: Scheme, types: tuple[str, ...], spans: list[tuple[date, date]]) -> tuple[str, str]:
    """The trail note (Chinese, English) of an item counted only on the days the unit had ``types``."""
    names = "、".join(scheme.type_names.get(t, t) for t in types)
    days = "；".join(f"{a.isoformat()} 至 {b.isoformat()}" for a, b in spans)
    return (f"仅计单位类型为{names}期间（{days}）的事项",
            f"counted only while the unit was {', '.join(types)} ({'; '.join(f'{a}–{b}' for a, b in spans)})")


def moves(cat: Category, item: Item, pts: Decimal) -> tuple[str, str]:
    """'扣 5 分' / '加 3 分' and the English, from a signed figure."""
    adds = item_direction(cat, item) == BONUS
    mag = fmt(abs(pts))
    if pts == 0:
        return "0 分", "0 points"
    return (f"加 {mag} 分", f"+{mag}") if adds else (f"扣 {mag} 分", f"-{mag}")


def kinds_zh(scheme: Scheme, kinds: Iterable[str]) -> str:
    """Event kinds by their Chinese names, joined with 、."""
    return "、".join(scheme.kind_names.get(k, k) for k in kinds)
