"""Assessment periods: a year (``2026``) or a quarter (``2026Q1``, also written ``2026-Q1``)."""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import date

_PERIOD = re.compile(r"^(\d{4})(?:-?[Qq]([1-4]))?$")


@dataclass(frozen=True, order=True)
class Period:
    """A closed date range with its label and kind (``year`` or ``quarter``)."""

    start: date
    end: date
    label: str
    kind: str

    def contains(self, other: Period) -> bool:
        """Whether ``other`` lies wholly inside this period."""
        return self.start <= other.start and other.end <= self.end

    def quarters(self) -> list[Period]:
        """The quarters making up this period (itself, for a quarter)."""
        if self.kind == "quarter":
            return [self]
        return [parse_period(f"{self.start.year}Q{q}") for q in range(1, 5)]


def parse_period(text: str) -> Period:
    """Parse ``2026`` or ``2026Q3``/``2026-Q3``; raises ``ValueError`` naming the accepted forms."""
    m = _PERIOD.match(text.strip())
    if not m:
        raise ValueError(f"period {text!r}: expected a year like 2026 or a quarter like 2026Q1")
    year = int(m.group(1))
    if m.group(2) is None:
        return Period(date(year, 1, 1), date(year, 12, 31), f"{year}", "year")
    q = int(m.group(2))
    first_month = 3 * q - 2
    last = date(year + 1, 1, 1) if q == 4 else date(year, first_month + 3, 1)
    return Period(date(year, first_month, 1), date.fromordinal(last.toordinal() - 1), f"{year}Q{q}", "quarter")
