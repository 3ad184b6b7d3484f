"""Statutory holidays (全国年节及纪念日放假办法) in force each year: the estimate for provisional years.

A year without an official schedule is estimated from the statutory days alone (LAW.md §4): no
weekend make-up working days can be guessed. Optionally (``data/estimate.toml``, off by default for
the applicant's sake) article 6 of the 办法 is applied too: a statutory day that falls on a Saturday
or Sunday is given back on the following working day ("适逢星期六、星期日，应当在工作日补假"),
labelled "…（补休）".
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

from lunardate import LunarDate
from workalendar.precomputed_astronomy import solar_term

# Qingming is the day the sun reaches 15° of ecliptic longitude, in Beijing time. workalendar ships
# precomputed solar terms for UTC+8 under "Asia/Hong_Kong" (identical to Beijing time since 1992).
QINGMING_DEGREES = 15
QINGMING_TZ = "Asia/Hong_Kong"


@dataclass(frozen=True, slots=True)
class Rules:
    """The statutory holidays one revision of the 办法 sets."""

    since: int
    title: str
    spring_eve: bool  # Spring Festival includes lunar New Year's Eve (除夕)
    spring_lunar_days: int  # lunar 1/1, 1/2, … up to this day
    labour_days: int  # May 1, May 2, …


RULES = (
    Rules(2008, "全国年节及纪念日放假办法（2007年修订，国务院令第513号）", True, 2, 1),
    Rules(2014, "全国年节及纪念日放假办法（2013年修订，国务院令第644号）", False, 3, 1),
    Rules(2025, "全国年节及纪念日放假办法（2024年修订，国务院令第795号）", True, 3, 2),
)


def rules_for(year: int) -> Rules:
    """The revision in force on 1 January of ``year``."""
    return [r for r in RULES if r.since <= year][-1]


def lunar(year: int, month: int, day: int) -> date:
    """The Gregorian date of a lunar date in the lunar year that starts in ``year``."""
    return LunarDate(year, month, day).toSolarDate()


def qingming(year: int) -> date:
    """清明 (solar term) in Beijing time."""
    return solar_term(year, QINGMING_DEGREES, QINGMING_TZ)


def statutory_holidays(year: int) -> list[tuple[str, list[date]]]:
    """Each statutory holiday of ``year`` with its days, in the order the 办法 lists them."""
    r = rules_for(year)
    new_year = lunar(year, 1, 1)
    spring = [new_year + timedelta(days=i) for i in range(-1 if r.spring_eve else 0, r.spring_lunar_days)]
    return [
        ("元旦", [date(year, 1, 1)]),
        ("春节", spring),
        ("清明节", [qingming(year)]),
        ("劳动节", [date(year, 5, 1 + i) for i in range(r.labour_days)]),
        ("端午节", [lunar(year, 5, 5)]),
        ("中秋节", [lunar(year, 8, 15)]),
        ("国庆节", [date(year, 10, 1 + i) for i in range(3)]),
    ]


def estimate_year(year: int, *, substitute_days: bool = False) -> list[tuple[date, str]]:
    """The estimated days off of ``year``: the statutory days, and with ``substitute_days`` the days
    (补休) article 6 of the 办法 gives back for statutory days on a weekend.

    Holidays that share a day (中秋 on 1 October) form one block; each statutory day that does not
    fall on a distinct weekday of the block is given back on the next free weekday after the block.
    """
    blocks: list[tuple[list[str], set[date], int]] = []  # holiday names, days, statutory day count
    for name, days in statutory_holidays(year):
        hit = next((i for i, block in enumerate(blocks) if block[1] & set(days)), None)
        if hit is None:
            blocks.append(([name], set(days), len(days)))
        else:
            names, b_days, count = blocks[hit]
            blocks[hit] = ([*names, name], b_days | set(days), count + len(days))
    off: dict[date, str] = {d: "、".join(names) for names, days, _ in blocks for d in days}
    if not substitute_days:
        return sorted(off.items())
    for names, days, count in blocks:
        owed = count - sum(1 for d in days if d.weekday() < 5)
        d = max(days)
        while owed > 0:
            d += timedelta(days=1)
            if d.weekday() < 5 and d not in off:
                off[d] = f"{'、'.join(names)}（补休）"
                owed -= 1
    return sorted(off.items())
