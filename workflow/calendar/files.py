"""Calendar data files: parse and validate national year files and regional overlay files (TOML).

A national year file transcribes one year's State Council notice (国务院办公厅关于XXXX年部分节假日安排的通知)::

    year = 2026
    source = "国务院办公厅关于2026年部分节假日安排的通知（2025年11月4日）"

    [[holidays]]
    name = "元旦"
    first = 2026-01-01          # first day off
    last = 2026-01-03           # last day off (inclusive; defaults to first)
    work = [2026-01-04]         # weekend make-up working days (调休上班) the notice names for it

A regional overlay file names a province's extra days off, as lunar-date rules and/or dated entries
(dated entries replace the rule of the same name in their year)::

    region = "gx"
    name = "广西壮族自治区"
    source = "..."

    [[rules]]
    name = "壮族三月三"
    lunar = [[3, 3], [3, 4]]    # lunar month, day
    since = 2014

Every problem is reported as a :class:`CalendarFileError` naming the file, the entry and the fault.
"""

from __future__ import annotations

import hashlib
import tomllib
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

from workflow.calendar.model import CalendarFileError

# The years the index covers; official data exists only for some of them (the rest are provisional).
MIN_YEAR = 2010
MAX_YEAR = 2040
# A notice's holiday runs at most 9 days in practice (春节 2026); anything longer is a typo.
MAX_HOLIDAY_SPAN = 15
# Notices may reach into the neighbouring year (元旦 2023: 2022-12-31 … 2023-01-02).
SPILL = timedelta(days=31)


@dataclass(frozen=True, slots=True)
class YearFile:
    """One national year file, validated."""

    year: int
    source: str
    days_off: list[tuple[date, str]]
    makeup_days: list[tuple[date, str]]
    digest: str
    origin: str


@dataclass(frozen=True, slots=True)
class LunarRule:
    """A regional holiday on fixed lunar dates, every year from ``since`` to ``until`` (inclusive)."""

    name: str
    lunar_days: list[tuple[int, int]]
    since: int = MIN_YEAR
    until: int = MAX_YEAR


@dataclass(frozen=True, slots=True)
class RegionFile:
    """One regional overlay file, validated."""

    code: str
    name: str
    source: str
    rules: list[LunarRule]
    days_off: list[tuple[date, str]] = field(default_factory=list)
    makeup_days: list[tuple[date, str]] = field(default_factory=list)
    digest: str = ""
    origin: str = ""


class _Checker:
    """Field access that reports the file and the entry on every failure."""

    def __init__(self, origin: str) -> None:
        self.origin = origin

    def fail(self, where: str, message: str, code: str, **params: object) -> CalendarFileError:
        """The error naming the file and the entry; ``code`` is the rest of ``calendar_file.<code>``."""
        prefix = f"{self.origin}: {where}: " if where else f"{self.origin}: "
        return CalendarFileError(prefix + message, code=f"calendar_file.{code}", where=where, **params)

    def keys(self, table: dict[str, Any], allowed: set[str], required: set[str], where: str) -> None:
        unknown = sorted(set(table) - allowed)
        if unknown:
            raise self.fail(where, f"unknown key(s) {', '.join(unknown)}; allowed: {', '.join(sorted(allowed))}",
                            "unknown_keys", keys=", ".join(unknown), allowed=", ".join(sorted(allowed)))
        missing = sorted(required - set(table))
        if missing:
            raise self.fail(where, f"missing key(s) {', '.join(missing)}", "missing_keys", keys=", ".join(missing))

    def text(self, table: dict[str, Any], key: str, where: str) -> str:
        value = table[key]
        if not isinstance(value, str) or not value.strip():
            raise self.fail(where, f"{key} must be a non-empty string", "not_text", key=key)
        return value.strip()

    def integer(self, table: dict[str, Any], key: str, where: str, lo: int, hi: int) -> int:
        value = table[key]
        if isinstance(value, bool) or not isinstance(value, int) or not lo <= value <= hi:
            raise self.fail(where, f"{key} must be an integer from {lo} to {hi}, not {value!r}", "not_integer",
                            key=key, low=lo, high=hi, value=repr(value))
        return value

    def day(self, value: Any, key: str, where: str) -> date:
        # TOML has its own date literal (2026-01-01, unquoted); a quoted string or a date-time is a mistake.
        if isinstance(value, datetime) or not isinstance(value, date):
            raise self.fail(where, f"{key} must be a TOML date like 2026-01-01 (unquoted), not {value!r}", "not_date",
                            key=key, value=repr(value))
        return value


def _parse_toml(data: bytes, origin: str) -> dict[str, Any]:
    try:
        return tomllib.loads(data.decode("utf-8"))
    except UnicodeDecodeError as exc:
        raise CalendarFileError(f"{origin}: not UTF-8 text ({exc.reason})", code="calendar_file.not_utf8") from exc
    except tomllib.TOMLDecodeError as exc:
        raise CalendarFileError(f"{origin}: not valid TOML: {exc}", code="calendar_file.not_toml",
                                detail=str(exc)) from exc


def _parse_holidays(check: _Checker, entries: Any, year: int | None, *, need_some: bool,
                    ) -> tuple[list[tuple[date, str]], list[tuple[date, str]]]:
    """Validate ``[[holidays]]`` entries; ``year`` bounds the dates (None: any supported year)."""
    if not isinstance(entries, list) or not all(isinstance(e, dict) for e in entries):
        raise check.fail("holidays", "must be an array of tables ([[holidays]])", "holidays_not_tables")
    if need_some and not entries:
        raise check.fail("holidays", "no holidays listed", "no_holidays")
    days_off: dict[date, str] = {}
    makeup: dict[date, str] = {}
    for i, entry in enumerate(entries):
        where = f"holidays[{i}]"
        check.keys(entry, {"name", "first", "last", "work"}, {"name", "first"}, where)
        name = check.text(entry, "name", where)
        where = f"holidays[{i}] ({name})"
        first = check.day(entry["first"], "first", where)
        last = check.day(entry.get("last", first), "last", where)
        lo, hi = ((date(year, 1, 1) - SPILL, date(year, 12, 31) + SPILL) if year is not None
                  else (date(MIN_YEAR, 1, 1), date(MAX_YEAR, 12, 31)))
        if last < first:
            raise check.fail(where, f"last {last} is before first {first}", "last_before_first", first=str(first),
                             last=str(last))
        if (last - first).days >= MAX_HOLIDAY_SPAN:
            raise check.fail(where, f"{first} … {last} is longer than {MAX_HOLIDAY_SPAN} days", "span_too_long",
                             first=str(first), last=str(last), days=MAX_HOLIDAY_SPAN)
        work = entry.get("work", [])
        if not isinstance(work, list):
            raise check.fail(where, "work must be an array of dates", "work_not_dates")
        for d in [first, last, *(check.day(w, "work", where) for w in work)]:
            if not lo <= d <= hi:
                raise check.fail(where, f"{d} is outside {lo} … {hi}", "outside_year", day=str(d), low=str(lo), high=str(hi))
        d = first
        while d <= last:
            if d in days_off:
                raise check.fail(where, f"{d} is already a day off ({days_off[d]})", "day_off_twice", day=str(d),
                                 other=days_off[d])
            days_off[d] = name
            d += timedelta(days=1)
        for w in work:
            if w.weekday() < 5:
                raise check.fail(where, f"make-up working day {w} is a weekday; only a Saturday or Sunday "
                                        "can be made a working day", "makeup_weekday", day=str(w))
            if w in makeup:
                raise check.fail(where, f"{w} is already a make-up working day ({makeup[w]})", "makeup_twice",
                                 day=str(w), other=makeup[w])
            makeup[w] = name
    clash = sorted(set(days_off) & set(makeup))
    if clash:
        raise check.fail("holidays", f"{clash[0]} is both a day off and a make-up working day", "off_and_makeup",
                         day=str(clash[0]))
    return sorted(days_off.items()), sorted(makeup.items())


def parse_year_file(data: bytes, origin: str) -> YearFile:
    """Parse and validate the bytes of a national year file (``origin`` names it in messages)."""
    check = _Checker(origin)
    doc = _parse_toml(data, origin)
    if "region" in doc:
        raise check.fail("", "this is a regional overlay file (it has `region`), not a national year file",
                         "region_not_year")
    check.keys(doc, {"year", "source", "holidays"}, {"year", "source", "holidays"}, "")
    year = check.integer(doc, "year", "year", MIN_YEAR, MAX_YEAR)
    source = check.text(doc, "source", "source")
    days_off, makeup = _parse_holidays(check, doc["holidays"], year, need_some=True)
    return YearFile(year=year, source=source, days_off=days_off, makeup_days=makeup,
                    digest=hashlib.sha256(data).hexdigest(), origin=origin)


def _parse_rule(check: _Checker, entry: Any, i: int) -> LunarRule:
    where = f"rules[{i}]"
    if not isinstance(entry, dict):
        raise check.fail(where, "must be a table ([[rules]])", "rule_not_table")
    check.keys(entry, {"name", "lunar", "since", "until"}, {"name", "lunar"}, where)
    name = check.text(entry, "name", where)
    lunar = entry["lunar"]
    ok = isinstance(lunar, list) and lunar and all(
        isinstance(p, list) and len(p) == 2 and all(isinstance(x, int) and not isinstance(x, bool) for x in p)
        and 1 <= p[0] <= 12 and 1 <= p[1] <= 30 for p in lunar)
    if not ok:
        raise check.fail(f"{where} ({name})", "lunar must be a list of [month, day] pairs, e.g. [[3, 3], [3, 4]]",
                         "lunar_pairs")
    since = check.integer(entry, "since", where, MIN_YEAR, MAX_YEAR) if "since" in entry else MIN_YEAR
    until = check.integer(entry, "until", where, MIN_YEAR, MAX_YEAR) if "until" in entry else MAX_YEAR
    return LunarRule(name=name, lunar_days=[(m, d) for m, d in lunar], since=since, until=until)


def parse_region_file(data: bytes, origin: str) -> RegionFile:
    """Parse and validate the bytes of a regional overlay file."""
    check = _Checker(origin)
    doc = _parse_toml(data, origin)
    check.keys(doc, {"region", "name", "source", "rules", "holidays"}, {"region", "name", "source"}, "")
    code = check.text(doc, "region", "region")
    if not (code.isascii() and code.isalnum() and code == code.lower() and len(code) <= 16):
        raise check.fail("region", f"region code must be lower-case letters/digits (e.g. gx), not {code!r}",
                         "region_code", value=code)
    rules_raw = doc.get("rules", [])
    if not isinstance(rules_raw, list):
        raise check.fail("rules", "must be an array of tables ([[rules]])", "rules_not_tables")
    rules = [_parse_rule(check, entry, i) for i, entry in enumerate(rules_raw)]
    days_off, makeup = _parse_holidays(check, doc.get("holidays", []), None, need_some=False)
    if not rules and not days_off:
        raise check.fail("", "an overlay needs at least one [[rules]] or [[holidays]] entry", "overlay_empty")
    return RegionFile(code=code, name=check.text(doc, "name", "name"), source=check.text(doc, "source", "source"),
                      rules=rules, days_off=days_off, makeup_days=makeup,
                      digest=hashlib.sha256(data).hexdigest(), origin=origin)


def load_year_file(path: Path) -> YearFile:
    """Read and validate a national year file; a file named ``YYYY.toml`` must hold that year."""
    parsed = parse_year_file(_read(path), str(path))
    if path.stem.isdigit() and int(path.stem) != parsed.year:
        raise CalendarFileError(f"{path}: the file is named for {path.stem} but holds year {parsed.year}",
                                code="calendar_file.year_name", name=path.name, year=parsed.year)
    return parsed


def load_region_file(path: Path) -> RegionFile:
    """Read and validate a regional overlay file; a file named ``<code>.toml`` must hold that code."""
    parsed = parse_region_file(_read(path), str(path))
    if path.stem != parsed.code:
        raise CalendarFileError(f"{path}: the file is named {path.name} but holds region {parsed.code!r}",
                                code="calendar_file.region_name", name=path.name, region=parsed.code)
    return parsed


def _read(path: Path) -> bytes:
    try:
        return path.read_bytes()
    except OSError as exc:
        raise CalendarFileError(f"{path}: cannot read: {exc.strerror or exc}", code="calendar_file.unreadable",
                                detail=str(exc.strerror or exc)) from exc


def is_region_document(data: bytes) -> bool:
    """Whether the bytes look like a regional overlay (they have a top-level ``region`` key)."""
    try:
        return "region" in tomllib.loads(data.decode("utf-8"))
    except (UnicodeDecodeError, tomllib.TOMLDecodeError):
        return False
