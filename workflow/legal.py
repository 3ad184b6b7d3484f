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

import re
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


# ---------------------------------------------------------------------------------------------
# Does the configured reconsideration body fit the rule? (LAW.md §6 item 8)
# ---------------------------------------------------------------------------------------------

ROLE_LABELS: dict[str, str] = {
    "same_level_government": "本级人民政府",
    "higher_government": "上一级人民政府",
    "higher_department": "上一级主管部门",
}
# What each role of the rule is, as far as a name can show it.
_ROLE_CATEGORY = {"same_level_government": "government", "higher_government": "government",
                  "higher_department": "department"}
# Only the end of a name is read (an optional parenthetical note after it is allowed). A 人民政府办公室
# ends in 办公室, so it is a department, not the government it serves; anything else is "unknown" and
# never makes a defect: a name the rule cannot place is left to a person.
_NOTE = r"(?:[（(][^）)]*[）)])?"
_GOVERNMENT = re.compile(rf"(?:.+人民政府|国务院){_NOTE}")
_DEPARTMENT = re.compile(rf".+(?:局|厅|委员会|委|部|署|办公室|办公厅){_NOTE}")


@dataclass(frozen=True)
class BodyCheck:
    """The configured reconsideration body against the rule in force.

    ``verdict``: ``ok``; ``wrong`` (clearly contrary to the rule: a defect of the remedy notice); or
    ``unsure`` (the name cannot be placed, or it names the agency itself: worth a warning, no defect).
    ``expected`` lists the roles of :func:`reconsideration_bodies` the body should have.
    """

    verdict: str
    expected: tuple[str, ...]
    message: str

    @property
    def wrong(self) -> bool:
        """Whether the body is clearly wrong (a defect)."""
        return self.verdict == "wrong"


def agency_kind(name: str, *, vertically_managed: bool) -> str:
    """``vertical``, ``government`` (a people's government) or ``department``, for :func:`reconsideration_bodies`."""
    if vertically_managed:
        return "vertical"
    return "government" if _GOVERNMENT.fullmatch(name.strip()) else "department"


def body_category(body: str, *, agency_name: str = "") -> str:
    """What a body's name says it is: ``government``, ``department``, ``self`` (the agency) or ``unknown``."""
    body = body.strip()
    if agency_name and body == agency_name.strip():
        return "self"
    if _GOVERNMENT.fullmatch(body):
        return "government"
    if _DEPARTMENT.fullmatch(body):
        return "department"
    return "unknown"


def check_reconsideration_body(*, agency_name: str, body: str, vertically_managed: bool,
                               clauses: LegalClauses) -> BodyCheck:
    """Check an agency's configured reconsideration body against the rule in force on ``clauses.day``.

    Only a mismatch of kind is ``wrong``: a vertically managed agency naming a people's government,
    or (since 2024-01-01) a non-vertical department naming a department, or a people's government
    naming a department. Whether a named government is the right level is not knowable from names
    and is not judged. Raises ClauseNotInForce before the first version of the rule.
    """
    kind = agency_kind(agency_name, vertically_managed=vertically_managed)
    roles = reconsideration_bodies(agency_kind=kind, clauses=clauses)
    want = "或".join(ROLE_LABELS.get(r, r) for r in roles)
    category = body_category(body, agency_name=agency_name)
    if category == "self":
        return BodyCheck("unsure", roles, f"{agency_name} names itself as reconsideration body: only a provincial "
                                          "government or a State Council department hears reconsideration of its "
                                          f"own acts; otherwise it is the {want}")
    if category == "unknown":
        return BodyCheck("unsure", roles, f"cannot tell from the name whether {body!r} is a people's government or a "
                                          f"department; the rule in force wants the {want}")
    if category in {_ROLE_CATEGORY[r] for r in roles}:
        return BodyCheck("ok", roles, "")
    rule = clauses.clauses["reconsideration_body"]
    if kind == "vertical":
        hint = "if the agency is not vertically managed, set vertically_managed = false"
    elif kind == "department":
        hint = ("if it is vertically managed (customs, finance, foreign exchange, tax, state security), set "
                "vertically_managed = true")
    else:
        hint = "a people's government's act goes to the government one level up"
    label = {"government": "a people's government", "department": "a department"}[category]
    return BodyCheck("wrong", roles, f"{agency_name}: {body} is {label}, but under the rule in force since "
                                     f"{rule.version} ({rule.source}) the reconsideration body of a {kind} agency "
                                     f"is the {want}; {hint}")
