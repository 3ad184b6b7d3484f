"""Agencies (units): code, name, parent unit, letter prefix, remedy bodies, contact; import from TOML/YAML.

A file holds a list of agencies under ``agency`` (TOML ``[[agency]]`` tables) or ``agencies``
(either format), or, in YAML, a top-level list. Every error names the entry and the field.

What assessment schemes need of a unit — ``type``, ``level``, ``sum_parent`` (the unit its scores
are summed into, default the parent) and ``target_points`` (目标分值) — may be given on the entry (in
force since always) and changed from a date on in ``changes`` (``[[agency.changes]] from = 2026-07-01
type = "county_gov"``). Which types and levels exist is the scoring vocabulary's business; the
service checks them on import.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, Literal
from zoneinfo import ZoneInfo

import yaml

from workflow.errors import InvalidField


@dataclass(frozen=True)
class UnitAttributes:
    """Assessment attributes of a unit from ``valid_from`` on (None: since always); None fields are
    carried over from the attributes in force before."""

    valid_from: date | None
    type: str | None = None
    level: str | None = None
    sum_parent: str | None = None
    target_points: float | None = None


@dataclass(frozen=True)
class Agency:
    """One unit handling requests (or supervising those that do)."""

    code: str
    name: str
    parent_code: str | None
    letter_prefix: str
    reconsideration_body: str
    court: str
    contact: str
    region: str | None = None
    address: str = ""
    timezone: str = "Asia/Shanghai"
    # 垂直管理: reconsideration goes to the next-higher department, not the same-level government.
    vertically_managed: bool = False
    attributes: tuple[UnitAttributes, ...] = ()   # assessment attributes, oldest first


_CODE = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.\-]{0,39}")
_REQUIRED = ("code", "name", "letter_prefix", "reconsideration_body", "court", "contact")
_ATTRIBUTES = ("type", "level", "sum_parent", "target_points")
_KNOWN = {"code", "name", "parent_code", "parent", "address", "letter_prefix", "reconsideration_body", "court", "contact", "region",
          "timezone", "vertically_managed", *_ATTRIBUTES, "changes"}


def parse_attributes(where: str, raw: Mapping[str, Any], valid_from: date | None) -> UnitAttributes:
    """The assessment attributes in ``raw`` (type, level, sum_parent, target_points); InvalidField names
    ``where.field``."""
    for name in ("type", "level", "sum_parent"):
        value = raw.get(name)
        if value is not None and (not isinstance(value, str) or not value.strip()):
            raise InvalidField(f"{where}.{name}", "must be a code (text)", code="agency_file.attribute_not_code")
    target = raw.get("target_points")
    if target is not None and (isinstance(target, bool) or not isinstance(target, int | float) or target < 0):
        raise InvalidField(f"{where}.target_points", "must be a number, zero or more",
                           code="agency_file.target_not_number")
    return UnitAttributes(valid_from, raw.get("type"), raw.get("level"), raw.get("sum_parent"),
                          None if target is None else float(target))


def _changes(where: str, raw: Any) -> list[UnitAttributes]:
    if raw is None:
        return []
    if not isinstance(raw, list):
        raise InvalidField(f"{where}.changes", "must be a list of tables with 'from' and the attributes that change",
                           code="agency_file.changes_not_list")
    out: list[UnitAttributes] = []
    for j, change in enumerate(raw):
        at = f"{where}.changes[{j}]"
        if not isinstance(change, Mapping):
            raise InvalidField(at, "must be a table", code="agency_file.not_table")
        unknown = sorted(set(change) - {"from", *_ATTRIBUTES})
        if unknown:
            raise InvalidField(f"{at}.{unknown[0]}", "unknown field", code="agency_file.unknown_field")
        start = change.get("from")
        if isinstance(start, str):
            try:
                start = date.fromisoformat(start)
            except ValueError:
                raise InvalidField(f"{at}.from", "must be a date like 2026-07-01", code="date.malformed") from None
        if not isinstance(start, date):
            raise InvalidField(f"{at}.from", "required: the first day the change is in force (2026-07-01)",
                               code="agency_file.change_needs_date")
        if not any(k in change for k in _ATTRIBUTES):
            raise InvalidField(at, f"names nothing that changes ({', '.join(_ATTRIBUTES)})",
                               code="agency_file.change_empty")
        out.append(parse_attributes(at, change, start))
    days = [c.valid_from for c in out]
    if len(set(days)) != len(days):
        raise InvalidField(f"{where}.changes", "two changes from the same day", code="agency_file.changes_same_day")
    return sorted(out, key=lambda c: c.valid_from or date.min)


def _entries(text: str, fmt: str) -> list[Any]:
    try:
        if fmt == "toml":
            doc: Any = tomllib.loads(text)
        elif fmt in ("yaml", "yml"):
            doc = yaml.safe_load(text)
        else:
            raise InvalidField("format", f"must be toml or yaml, got {fmt!r}", code="file.format_unknown",
                               value=repr(fmt))
    except (tomllib.TOMLDecodeError, yaml.YAMLError) as exc:
        raise InvalidField("file", f"not valid {fmt}: {exc}", code="file.not_parseable", format=fmt.upper(),
                           detail=str(exc)) from None
    if isinstance(doc, list):
        return doc
    if isinstance(doc, Mapping):
        for key in ("agency", "agencies"):
            if isinstance(doc.get(key), list):
                return list(doc[key])
    raise InvalidField("file", "expected a list of agencies under 'agency' or 'agencies'",
                       code="agency_file.no_list")


def _agency(i: int, raw: Any) -> Agency:
    where = f"agency[{i}]"
    if not isinstance(raw, Mapping):
        raise InvalidField(where, "must be a table of fields", code="agency_file.not_table")
    code = raw.get("code")
    if isinstance(code, str) and code:
        where = f"agency[{i}]({code})"
    unknown = sorted(set(raw) - _KNOWN)
    if unknown:
        raise InvalidField(f"{where}.{unknown[0]}", "unknown field", code="agency_file.unknown_field")
    for name in _REQUIRED:
        value = raw.get(name)
        if not isinstance(value, str) or not value.strip():
            raise InvalidField(f"{where}.{name}", "required text", code="field.required")
    if not _CODE.fullmatch(raw["code"]):
        raise InvalidField(f"{where}.code", "letters, digits, '_', '.', '-' (at most 40)",
                           code="agency_file.code_format")
    if "parent" in raw and "parent_code" in raw:
        raise InvalidField(f"{where}.parent", "give parent or parent_code, not both",
                           code="agency_file.parent_twice")
    parent_key = "parent" if "parent" in raw else "parent_code"
    parent = raw.get(parent_key)
    if parent is not None and (not isinstance(parent, str) or not parent.strip()):
        raise InvalidField(f"{where}.{parent_key}", "must be an agency code", code="agency_file.parent_not_code")
    if parent == raw["code"]:
        raise InvalidField(f"{where}.{parent_key}", "an agency cannot be its own parent",
                           code="agency_file.own_parent")
    address = raw.get("address", "")
    if not isinstance(address, str):
        raise InvalidField(f"{where}.address", "must be text", code="field.not_text")
    tz = raw.get("timezone", "Asia/Shanghai")
    try:
        ZoneInfo(tz)
    except Exception:  # ZoneInfoNotFoundError, ValueError, TypeError for a malformed key
        raise InvalidField(f"{where}.timezone", f"unknown time zone {tz!r}", code="config.unknown_time_zone",
                           value=str(tz)) from None
    vertical = raw.get("vertically_managed", False)
    if not isinstance(vertical, bool):
        raise InvalidField(f"{where}.vertically_managed", "must be true or false", code="field.not_boolean")
    region = raw.get("region")
    if region is not None and not isinstance(region, str):
        raise InvalidField(f"{where}.region", "must be a region code", code="agency_file.region_not_code")
    attributes = []
    if any(k in raw for k in _ATTRIBUTES):
        attributes.append(parse_attributes(where, raw, None))
    attributes += _changes(where, raw.get("changes"))
    return Agency(code=raw["code"], name=raw["name"].strip(), parent_code=parent, letter_prefix=raw["letter_prefix"].strip(),
                  reconsideration_body=raw["reconsideration_body"].strip(), court=raw["court"].strip(),
                  contact=raw["contact"].strip(), region=region, address=address.strip(), timezone=tz, vertically_managed=vertical,
                  attributes=tuple(attributes))


def parse_agencies(text: str, fmt: Literal["toml", "yaml"] | str = "toml") -> list[Agency]:
    """Parse and validate an agency file; InvalidField names ``agency[i](code).field`` on the first problem.

    Codes must be unique, an agency may not be its own parent, and parents inside the file may not
    form a cycle. A parent code not in the file is allowed (it may already be in the database).
    """
    agencies = [_agency(i, raw) for i, raw in enumerate(_entries(text, fmt))]
    seen: dict[str, int] = {}
    for i, a in enumerate(agencies):
        if a.code in seen:
            raise InvalidField(f"agency[{i}]({a.code}).code", f"duplicate of agency[{seen[a.code]}]",
                               code="agency_file.duplicate", first=seen[a.code] + 1)
        seen[a.code] = i
    parents = {a.code: a.parent_code for a in agencies}
    for i, a in enumerate(agencies):
        chain, cur = {a.code}, a.parent_code
        while cur is not None and cur in parents:
            if cur in chain:
                raise InvalidField(f"agency[{i}]({a.code}).parent_code", "the parent chain loops back",
                                   code="agency_file.parent_loop")
            chain.add(cur)
            cur = parents[cur]
    return agencies
