"""Gather the data one calendar uses: national year files (shipped, then installed), provisional
estimates for the other years, and a regional overlay; classify every day from them.

This is the single place that decides what a day is; the workalendar class and the fast index are
both built from :meth:`CalendarData.classify`.
"""

from __future__ import annotations

import hashlib
import tomllib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from workflow.calendar.files import (
    MAX_YEAR,
    MIN_YEAR,
    RegionFile,
    YearFile,
    load_region_file,
    load_year_file,
)
from workflow.calendar.model import CalendarError, SkipReason, UnknownRegion
from workflow.calendar.statutory import estimate_year, lunar, rules_for

DATA_DIR = Path(__file__).resolve().parent / "data"
NATIONAL_DIR = DATA_DIR / "national"
REGIONS_DIR = DATA_DIR / "regions"
# Bump when the code that turns data into days changes (statutory rules, classification), so the
# fingerprint of every calendar changes with it.
RULES_VERSION = "2"
MAKEUP_SUFFIX = "调休上班"


@dataclass(frozen=True, slots=True)
class DayClass:
    """What one day is: a working day or not, why not, and the name that goes with it."""

    working: bool
    reason: SkipReason | None
    label: str | None


WORKING = DayClass(True, None, None)
WEEKEND = DayClass(False, "weekend", None)


def year_files(extra_dirs: Sequence[Path]) -> dict[int, YearFile]:
    """The national year files in force: shipped ones, overridden by installed ones (later dirs win)."""
    found: dict[int, YearFile] = {}
    for folder in (NATIONAL_DIR, *extra_dirs):
        for path in sorted(Path(folder).glob("*.toml")):
            if path.stem.isdigit():
                parsed = load_year_file(path)
                found[parsed.year] = parsed
    return found


def region_paths(extra_dirs: Sequence[Path]) -> dict[str, Path]:
    """Every region code with the overlay file that provides it (installed ones override shipped ones)."""
    found: dict[str, Path] = {}
    for folder in (REGIONS_DIR, *(Path(d) / "regions" for d in extra_dirs)):
        for path in sorted(Path(folder).glob("*.toml")):
            found[path.stem] = path
    return found


@dataclass(frozen=True)
class CalendarData:
    """Everything one calendar (national + optional region) is made of, by day."""

    region: str | None
    region_file: RegionFile | None
    official: dict[int, YearFile]
    national_off: dict[date, str]
    national_makeup: dict[date, str]
    regional_off: dict[date, str]
    regional_makeup: dict[date, str]
    fingerprint: str

    def classify(self, d: date) -> DayClass:
        """Whether ``d`` is a working day and, if not, why; national holidays name a day first."""
        if d in self.national_off:
            return DayClass(False, "holiday", self.national_off[d])
        if d in self.regional_off:
            return DayClass(False, "regional", self.regional_off[d])
        makeup = self.regional_makeup.get(d) or self.national_makeup.get(d)
        if makeup is not None and d.weekday() >= 5:
            return DayClass(True, None, makeup + MAKEUP_SUFFIX)
        return WEEKEND if d.weekday() >= 5 else WORKING

    def is_official(self, year: int) -> bool:
        """Whether an official schedule of ``year`` is loaded."""
        return year in self.official

    def sources(self, year: int) -> list[str]:
        """The notices (or statutory rules) and the overlay that the days of ``year`` come from."""
        used = [f.source for y, f in sorted(self.official.items())
                if y == year or (y == year + 1 and any(d.year == year for d, _ in f.days_off + f.makeup_days))]
        if year not in self.official:
            used.insert(0, f"暂定（无官方安排）：按{rules_for(year).title}推算")
        if self.region_file is not None:
            used.append(self.region_file.source)
        return used


def _regional_days(region: RegionFile) -> tuple[dict[date, str], dict[date, str]]:
    """An overlay's days off (rules, replaced per year by dated entries of the same name) and make-up days."""
    dated = {(d.year, name) for d, name in region.days_off}
    off: dict[date, str] = dict(region.days_off)
    for rule in region.rules:
        for year in range(max(rule.since, MIN_YEAR), min(rule.until, MAX_YEAR) + 1):
            if (year, rule.name) not in dated:
                for month, day in rule.lunar_days:
                    off.setdefault(lunar(year, month, day), rule.name)
    return off, dict(region.makeup_days)


def estimate_settings() -> dict[str, bool]:
    """How provisional years are estimated (``data/estimate.toml``)."""
    with (DATA_DIR / "estimate.toml").open("rb") as fh:
        raw = tomllib.load(fh)
    value = raw.get("substitute_days", False)
    if not isinstance(value, bool):
        raise CalendarError(f"{DATA_DIR / 'estimate.toml'}: substitute_days must be true or false")
    return {"substitute_days": value}


def load_data(region: str | None, extra_dirs: Sequence[Path]) -> CalendarData:
    """Read, validate and merge every file a calendar for ``region`` needs."""
    official = year_files(extra_dirs)
    estimate = estimate_settings()
    national_off: dict[date, str] = {}
    for year in range(MIN_YEAR, MAX_YEAR + 1):
        if year not in official:
            national_off.update(estimate_year(year, substitute_days=estimate["substitute_days"]))
    national_makeup: dict[date, str] = {}
    for yf in official.values():
        # An official notice also decides the neighbouring days it names (元旦 across the new year),
        # even in a provisional year, so drop the estimate there.
        for d, _ in yf.makeup_days:
            national_off.pop(d, None)
        national_off.update(yf.days_off)
        national_makeup.update(yf.makeup_days)
    region_file = None
    regional_off: dict[date, str] = {}
    regional_makeup: dict[date, str] = {}
    if region:
        paths = region_paths(extra_dirs)
        if region not in paths:
            raise UnknownRegion(region, sorted(paths))
        region_file = load_region_file(paths[region])
        regional_off, regional_makeup = _regional_days(region_file)
    digest = hashlib.sha256(f"rules={RULES_VERSION};range={MIN_YEAR}-{MAX_YEAR};"
                            f"substitute={estimate['substitute_days']}".encode())
    for year, yf in sorted(official.items()):
        digest.update(f";year {year}={yf.digest}".encode())
    if region_file is not None:
        digest.update(f";region {region_file.code}={region_file.digest}".encode())
    return CalendarData(region=region or None, region_file=region_file, official=official,
                        national_off=national_off, national_makeup=national_makeup,
                        regional_off=regional_off, regional_makeup=regional_makeup,
                        fingerprint=digest.hexdigest()[:16])

