"""Assessment periods: a year (``2026``), a half (``2026H1``), a quarter (``2026Q1``, also ``2026-Q1``)
or a month (``2026-07``, also ``2026M07``: 镇坪's 月度考核)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"^(\d{4})(?:-?(?:[Qq]([1-4])|[Hh]([12])|[Mm]?(0[1-9]|1[0-2])))?$")
KINDS = ("year", "half", "quarter", "month")
LABELS_ZH = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度"}


def _last_day(year: int, month: int) -> date:
    nxt = date(year + 1, 1, 1) if month == 12 else date(year, month + 1, 1)
    return date.fromordinal(nxt.toordinal() - 1)


@dataclass(frozen=True, order=True)
class Period:
    """A closed date range with its label and kind (``year``, ``half``, ``quarter`` or ``month``)."""

    start: date
    end: date
    label: str
    kind: str

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end

    def includes(self, day: date) -> bool:
        """Whether ``day`` falls inside this period."""
        return self.start <= day <= self.end

    def quarters(self) -> list[Period]:
        """The quarters making up this period (itself, for a quarter; the quarter holding a month)."""
        if self.kind == "quarter":
            return [self]
        if self.kind == "month":
            return [parse_period(f"{self.start.year}Q{(self.start.month - 1) // 3 + 1}")]
        first = (self.start.month - 1) // 3 + 1
        last = (self.end.month - 1) // 3 + 1
        return [parse_period(f"{self.start.year}Q{q}") for q in range(first, last + 1)]


# How a period kind (Period.kind) reads in Chinese, for refusals.
PERIOD_CN = {"year": "年度", "half": "半年", "quarter": "季度", "month": "月度"}


def parse_period(text: str) -> Period:
    """Parse ``2026``, ``2026H1``, ``2026Q3``/``2026-Q3`` or ``2026-07``/``2026M07``; raises ``ValueError``
    naming the accepted forms."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise ValueError(f"period {text!r}: expected a year like 2026, a half like 2026H1, a quarter like "
                         f"2026Q1 or a month like 2026-07")
    year = int(m.group(1))
    quarter, half, month = m.group(2), m.group(3), m.group(4)
    if quarter is not None:
        q = int(quarter)
        return Period(date(year, 3 * q - 2, 1), _last_day(year, 3 * q), f"{year}Q{q}", "quarter")
    if half is not None:
        h = int(half)
        return Period(date(year, 6 * h - 5, 1), _last_day(year, 6 * h), f"{year}H{h}", "half")
    if month is not None:
        mo = int(month)
        return Period(date(year, mo, 1), _last_day(year, mo), f"{year}-{mo:02d}", "month")
    return Period(date(year, 1, 1), date(year, 12, 31), f"{year}", "year")
