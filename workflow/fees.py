"""Information processing fees (信息处理费) under 国办函〔2020〕109号: per item (按件) or per page (按量).

One method per request, never both. 按件: the applicant's n-th request to this agency in the natural
month of its receipt decides the fee of this request (1–10 free, 11–30 100 元, then +100 元 per further
band of 10). 按量: the pages of this request, each band at its own rate (≤30 free, 31–100 10 元/页,
101–200 20 元/页, 201+ 40 元/页). The numbers are data (``workflow/fee_rules.toml``); the reading is in
docs/fees.md. Every quote carries its arithmetic, line by line, for the fee notice.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from functools import cache
from pathlib import Path
from typing import Any

from workflow.errors import InvalidField

RULES_PATH = Path(__file__).with_name("fee_rules.toml")
METHODS = {"per_item": "按件计收", "per_volume": "按量计收"}


@cache
def rules(path: Path = RULES_PATH) -> Mapping[str, Any]:
    """The fee rules (thresholds, rates, payment text, per-unit switches)."""
    with path.open("rb") as fh:
        return tomllib.load(fh)


@dataclass(frozen=True)
class FeeBand:
    """One band of the arithmetic as the fee notice prints it: ``units`` × ``rate`` = ``subtotal``."""

    label: str                 # 第31–100页 / 本月第13件申请
    units: int
    unit: str                  # 页 / 件
    rate: int                  # yuan per unit (0: free)
    subtotal: int


@dataclass(frozen=True)
class FeeQuote:
    """A computed fee: the method, what was counted, the arithmetic and the total (before any reduction)."""

    method: str
    count: int                 # the request's ordinal in the month (按件) or its pages (按量)
    lines: tuple[str, ...]     # the arithmetic, one band per line
    total: Decimal
    bands: tuple[FeeBand, ...] = ()

    @property
    def label(self) -> str:
        """按件计收 / 按量计收."""
        return METHODS[self.method]

    def notice_facts(self) -> dict[str, Any]:
        """What the fee notice prints of this quote: method, count, total and the bands (fee_lines)."""
        return {"fee_method": self.method, "count": self.count, "total_yuan": str(self.total),
                "fee_lines": [{"label": b.label, "units": b.units, "unit": b.unit, "rate": b.rate,
                               "subtotal": b.subtotal} for b in self.bands]}


def per_item_rate(nth: int, r: Mapping[str, Any] | None = None) -> int:
    """The fee (yuan) of the applicant's ``nth`` request in a natural month."""
    r = r or rules()["per_item"]
    if nth <= r["free_up_to"]:
        return 0
    if nth <= r["first_band_to"]:
        return int(r["first_band_rate"])
    bands_above = (nth - r["first_band_to"] - 1) // r["band_size"] + 1
    return int(r["first_band_rate"] + bands_above * r["band_step"])


def per_item(nth: int) -> FeeQuote:
    """The 按件 quote of a request that is the applicant's ``nth`` of the month."""
    if isinstance(nth, bool) or not isinstance(nth, int) or nth < 1:
        raise InvalidField("monthly_count", "must be a whole number ≥ 1", code="fee.count_invalid")
    rate = per_item_rate(nth)
    free = rules()["per_item"]["free_up_to"]
    if rate == 0:
        line = f"本月第{nth}件，{free}件以内（含）不收费：0元"
    else:
        line = f"本月第{nth}件，适用每件{rate}元：1件 × {rate}元 = {rate}元"
    return FeeQuote("per_item", nth, (line,), Decimal(rate), (FeeBand(f"本月第{nth}件申请", 1, "件", rate, rate),))


def per_volume(pages: int) -> FeeQuote:
    """The 按量 quote of a request of ``pages`` pages: each band's pages at its own rate."""
    if isinstance(pages, bool) or not isinstance(pages, int) or pages < 1:
        raise InvalidField("pages", "must be a whole number of pages ≥ 1", code="fee.pages_invalid")
    lines: list[str] = []
    bands: list[FeeBand] = []
    total = 0
    low = 0
    for tier in rules()["per_volume"]["tiers"]:
        high = tier.get("up_to")
        top = pages if high is None else min(pages, int(high))
        if top <= low:
            break
        n = top - low
        rate = int(tier["rate"])
        span = f"第{low + 1}–{top}页" if n > 1 else f"第{top}页"
        lines.append(f"{span}共{n}页 × {rate}元 = {n * rate}元" if rate else f"{span}共{n}页不收费")
        bands.append(FeeBand(span, n, "页", rate, n * rate))
        total += n * rate
        low = top
    lines.append(f"合计：{total}元")
    return FeeQuote("per_volume", pages, tuple(lines), Decimal(total), tuple(bands))


def quote(method: Any, *, monthly_count: Any = None, pages: Any = None) -> FeeQuote:
    """The quote for ``method`` from the count (按件, supplied from the records) or the pages (按量)."""
    if method == "per_item":
        if pages not in (None, ""):
            raise InvalidField("pages", "only with per_volume: one method per request, never both",
                               code="fee.one_method")
        return per_item(_whole(monthly_count, "monthly_count"))
    if method == "per_volume":
        return per_volume(_whole(pages, "pages"))
    raise InvalidField("fee_method", f"must be one of {', '.join(METHODS)}", code="field.not_a_choice",
                       options=", ".join(METHODS), value=repr(method))


def enabled_methods(unit: str) -> Sequence[str]:
    """The fee methods a unit has enabled (``[units]`` in the rules; both by default)."""
    return tuple(rules().get("units", {}).get(unit, tuple(METHODS)))


def check_enabled(method: str, unit: str) -> None:
    """422 when ``unit`` has not enabled ``method``."""
    enabled = enabled_methods(unit)
    if method not in enabled:
        raise InvalidField("fee_method", f"{method} is not enabled for unit {unit} (enabled: {', '.join(enabled)})",
                           code="fee.method_not_enabled", method=METHODS.get(method, method),
                           enabled="、".join(METHODS.get(m, m) for m in enabled))


def _whole(value: Any, name: str) -> int:
    if isinstance(value, bool):
        raise InvalidField(name, "must be a whole number", code="number.not_whole", low=1, high="…")
    try:
        return int(str(value))
    except (TypeError, ValueError):
        raise InvalidField(name, "must be a whole number", code="number.not_whole", low=1, high="…") from None

