"""Legal wording with effective dates: which version of each clause was in force on a given day.

The wording lives in data (``letter_templates/legal/*.toml``), one entry per version of a clause
(remedy periods, the reconsideration-body rule, article numbers of the Regulations, fees). A letter
issued today cites today's law; a letter re-rendered for an old issue date cites the law of that
date. Letter templates declare the clause versions they were written for; :func:`check_written_for`
refuses a template whose declaration does not cover the version in force on the issue date, so a
template can never silently keep printing superseded law (a 3-month litigation window after 2015).

Pure: reads files, no web or database code.
"""

from __future__ import annotations

import tomllib
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from functools import lru_cache
from pathlib import Path
from types import MappingProxyType
from typing import Any

from workflow.errors import DomainError

LEGAL_DIR = Path(__file__).resolve().parent.parent / "letter_templates" / "legal"


class ClauseNotInForce(DomainError):
    """No version of a clause was in force on the day asked about (before its first version)."""

    def __init__(self, clause: str, day: date) -> None:
        super().__init__(f"no version of clause {clause!r} in force on {day.isoformat()}")
        self.clause = clause
        self.day = day


class ClauseOutOfDate(DomainError):
    """A template was written for other versions of a clause than the one in force on the issue date."""

    def __init__(self, template: str, clause: str, in_force: date, declared: Sequence[date], day: date) -> None:
        wanted = ", ".join(d.isoformat() for d in declared) or "none"
        super().__init__(
            f"template {template} was written for {clause} version(s) {wanted}, but on {day.isoformat()} "
            f"the version of {in_force.isoformat()} is in force: review the template's wording and "
            f"update its clauses header"
        )
        self.template = template
        self.clause = clause
        self.in_force = in_force
        self.declared = tuple(declared)
        self.day = day


@dataclass(frozen=True)
class Clause:
    """One version of one clause: in force from ``effective``; ``text`` is wording, ``values`` numbers."""

    name: str
    effective: date
    source: str
    text: Mapping[str, str] = field(default_factory=dict)
    values: Mapping[str, Any] = field(default_factory=dict)
    tables: Mapping[str, Mapping[str, str]] = field(default_factory=dict)

    @property
    def version(self) -> str:
        """The version label: the effective date in ISO form (what templates declare)."""
        return self.effective.isoformat()

    def wording(self, key: str, **fill: str) -> str:
        """The wording ``key`` with its ``{placeholders}`` filled; KeyError if a placeholder is unfilled."""
        return self.text[key].format(**fill)


@dataclass(frozen=True)
class LegalClauses:
    """Every clause as in force on ``day`` (``clauses["remedy"]`` or attribute access ``.remedy``)."""

    day: date
    clauses: Mapping[str, Clause]

    def __getattr__(self, name: str) -> Clause:
        try:
            return self.clauses[name]
        except KeyError:
            raise AttributeError(name) from None

    def versions(self) -> dict[str, str]:
        """``{clause: version}`` — stored with each issued letter so a reprint can say what law it cites."""
        return {name: clause.version for name, clause in self.clauses.items()}


def _as_date(value: Any, where: str) -> date:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        raise ValueError(f"{where}: effective must be a date, got {value!r}") from None


def _load_file(path: Path) -> dict[str, list[Clause]]:
    data = tomllib.loads(path.read_text(encoding="utf-8"))
    out: dict[str, list[Clause]] = {}
    for name, entries in data.items():
        if not isinstance(entries, list):
            raise ValueError(f"{path.name}: {name} must be an array of tables ([[{name}]])")
        for i, entry in enumerate(entries):
            where = f"{path.name} {name}[{i}]"
            tables = {k: {str(kk): str(vv) for kk, vv in v.items()} for k, v in entry.items()
                      if k not in ("effective", "source", "text", "values") and isinstance(v, dict)}
            out.setdefault(name, []).append(Clause(
                name=name,
                effective=_as_date(entry.get("effective"), where),
                source=str(entry.get("source", "")),
                text=MappingProxyType({str(k): str(v) for k, v in entry.get("text", {}).items()}),
                values=MappingProxyType(dict(entry.get("values", {}))),
                tables=MappingProxyType(tables),
            ))
    return out


@lru_cache(maxsize=8)
def load(directory: Path = LEGAL_DIR) -> Mapping[str, tuple[Clause, ...]]:
    """Every version of every clause in ``directory`` (all ``*.toml``), oldest first; cached per directory.

    Raises ValueError for two versions of one clause with the same effective date, so an edit
    that duplicates a version is caught when the data loads, not when a letter is printed.
    """
    merged: dict[str, list[Clause]] = {}
    for path in sorted(Path(directory).glob("*.toml")):
        for name, versions in _load_file(path).items():
            merged.setdefault(name, []).extend(versions)
    result: dict[str, tuple[Clause, ...]] = {}
    for name, versions in merged.items():
        versions.sort(key=lambda c: c.effective)
        dates = [c.effective for c in versions]
        if len(set(dates)) != len(dates):
            raise ValueError(f"clause {name!r} has two versions with the same effective date")
        result[name] = tuple(versions)
    return MappingProxyType(result)


def clause_on(name: str, day: date, *, directory: Path = LEGAL_DIR) -> Clause:
    """The version of clause ``name`` in force on ``day``; :class:`ClauseNotInForce` before the first."""
    versions = load(directory).get(name)
    if not versions:
        raise KeyError(f"unknown clause {name!r}")
    current = None
    for clause in versions:
        if clause.effective <= day:
            current = clause
    if current is None:
        raise ClauseNotInForce(name, day)
    return current


def clauses_on(day: date, *, directory: Path = LEGAL_DIR) -> LegalClauses:
    """Every clause as in force on ``day``; clauses without a version in force yet are left out."""
    found: dict[str, Clause] = {}
    for name in load(directory):
        try:
            found[name] = clause_on(name, day, directory=directory)
        except ClauseNotInForce:
            continue
    return LegalClauses(day=day, clauses=MappingProxyType(found))


def check_written_for(template: str, declared: Mapping[str, Sequence[date]], clauses: LegalClauses) -> None:
    """Refuse (``ClauseOutOfDate``) a template not written for the clause versions in force on the issue date.

    ``declared`` maps each clause the template uses to the versions (effective dates) whose wording
    it was reviewed against. A declared clause with no version in force on the day is refused too.
    """
    for name, versions in declared.items():
        clause = clauses.clauses.get(name)
        if clause is None:
            raise ClauseNotInForce(name, clauses.day)
        if clause.effective not in versions:
            raise ClauseOutOfDate(template, name, clause.effective, versions, clauses.day)


def reconsideration_bodies(*, agency_kind: str, clauses: LegalClauses) -> tuple[str, ...]:
    """Which bodies may hear a reconsideration of an act of an agency of ``agency_kind``, on ``clauses.day``.

    ``agency_kind`` is ``government`` (a people's government), ``department`` (a department of a
    local government) or ``vertical`` (vertically managed agencies, tax, state security). The answer
    uses the roles ``same_level_government``, ``higher_government``, ``higher_department``; the
    service maps them to the names configured for the agency.
    """
    rule = clauses.clauses.get("reconsideration_body")
    if rule is None:
        raise ClauseNotInForce("reconsideration_body", clauses.day)
    roles = rule.values.get(agency_kind)
    if roles is None:
        raise KeyError(f"unknown agency kind {agency_kind!r}; one of government, department, vertical")
    return tuple(roles)
