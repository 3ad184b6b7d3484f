"""Agency import (TOML/YAML) and look-ups, on top of workflow.agencies' parsing and checks."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import text
from sqlmodel import Session

from service.agencies import repository
from service.agencies.models import Agency
from workflow.errors import InvalidField, NotFound


def import_file(*, session: Session, path: Path, warn: Callable[[str], None] | None = None,
                visible: set[int] | None = None) -> tuple[int, int]:
    """Create or update the agencies listed in ``path``; return (created, updated). One transaction.

    ``warn`` receives one line per agency whose reconsideration body does not fit the rule in force
    today (:func:`body_warnings`); the import goes ahead, since only a person can settle the name.
    Letter prefixes must be unique across the deployment (request and letter numbers are): a clash
    raises InvalidField on ``<code>.letter_prefix``, naming the other unit when ``visible`` (an admin's
    units; None: all) includes it.
    """
    from workflow.agencies import parse_agencies

    fmt = "yaml" if path.suffix.lower() in {".yaml", ".yml"} else "toml"
    parsed = parse_agencies(path.read_text(encoding="utf-8"), fmt=fmt)
    if warn is not None:
        for line in body_warnings(parsed, on=date.today()):
            warn(line)
    created = updated = 0
    if session.get_bind().dialect.name == "postgresql":
        # Two imports at once must not both see a letter prefix as free: the second waits for the first
        # to commit and then reads its units (SQLite serialises writers already).
        session.execute(text("SELECT pg_advisory_xact_lock(7014001)"))
    by_code: dict[str, Agency] = {a.code: a for a in repository.all_agencies(session=session)}
    for item in parsed:
        row = by_code.get(item.code)
        fields = {
            "name": item.name, "letter_prefix": item.letter_prefix,
            "reconsideration_body": item.reconsideration_body, "court": item.court, "contact": item.contact,
            "address": getattr(item, "address", ""), "region": item.region or "", "timezone": item.timezone,
            "vertically_managed": item.vertically_managed,
        }
        if row is None:
            row = Agency(code=item.code, **fields)
            session.add(row)
            created += 1
        else:
            for k, v in fields.items():
                setattr(row, k, v)
            updated += 1
        by_code[item.code] = row
    _check_unique_prefixes(session=session, rows=by_code, codes=[item.code for item in parsed], visible=visible)
    session.flush()
    for item in parsed:  # parents after every row exists, so order in the file does not matter
        if item.parent_code:
            parent = by_code.get(item.parent_code)
            if parent is None:
                raise InvalidField(f"{item.code}.parent", f"unknown parent agency {item.parent_code!r}",
                                   code="agency_file.unknown_parent", parent=item.parent_code)
            by_code[item.code].parent_id = parent.id
    session.flush()
    from service.agencies.attributes import replace_from_file

    for i, item in enumerate(parsed):
        if item.attributes:
            replace_from_file(session=session, agency=by_code[item.code], where=f"agency[{i}]({item.code})",
                              attributes=item.attributes, by_code=by_code)
    return created, updated


def _check_unique_prefixes(*, session: Session, rows: dict[str, Agency], codes: list[str],
                           visible: set[int] | None) -> None:
    """Refuse a letter prefix that another unit already has: numbers like 常住建依申〔2026〕1号 are unique
    across the deployment, so a shared prefix makes the second unit's registrations collide."""
    holders: dict[str, list[str]] = {}
    for code, row in sorted(rows.items()):
        holders.setdefault(row.letter_prefix.strip(), []).append(code)
    for code in codes:
        prefix = rows[code].letter_prefix.strip()
        others = [c for c in holders[prefix] if c != code]
        if others:
            other = rows[others[0]]
            named = visible is None or other.id is None or other.id in visible or others[0] in codes
            who = f"unit {others[0]!r}" if named else "another unit"
            raise InvalidField(f"{code}.letter_prefix", f"letter prefix {prefix!r} is already used by {who}; "
                               "letter prefixes must be unique across the deployment",
                               code="agency_file.prefix_taken" if named else "agency_file.prefix_taken_elsewhere",
                               prefix=prefix, unit=others[0] if named else "")


def import_within(*, session: Session, path: Path, root_id: int,
                  warn: Callable[[str], None] | None = None) -> tuple[int, int]:
    """Import ``path`` as :func:`import_file` does, but only within the tree below ``root_id`` (an admin's).

    An admin of one office must not rename the office above it or hang a new unit elsewhere. The
    units are compared before and after the import (one parser, one set of file rules): a unit outside
    the tree that changed, a new unit not inside it, a unit moved out of it, or ``root_id`` moved to
    another parent raises InvalidField naming the unit. The session then holds a partial import and
    the caller rolls it back, as with any refused write.
    """
    inside = repository.descendants(session=session, agency_id=root_id)
    before = {a.code: _snapshot(session, a) for a in repository.all_agencies(session=session)}
    created, updated = import_file(session=session, path=path, warn=warn, visible=inside)
    after = {a.code: _snapshot(session, a) for a in repository.all_agencies(session=session)}
    tree = repository.descendants(session=session, agency_id=root_id)
    for code, row in sorted(after.items()):
        old = before.get(code)
        if old is None:
            if row["id"] not in tree:
                raise InvalidField(f"{code}.parent", "a new unit must be placed below one of your units",
                                   code="agency_scope.new_outside")
        elif old["id"] == root_id and old["parent_id"] != row["parent_id"]:
            raise InvalidField(f"{code}.parent", "your own unit cannot be moved to another supervising unit",
                               code="agency_scope.own_moved")
        elif old["id"] in inside and row["id"] not in tree:
            raise InvalidField(f"{code}.parent", "a unit cannot be moved out from below your units",
                               code="agency_scope.moved_out")
        elif old["id"] not in inside and old != row:
            raise InvalidField(code, "not one of your units: it cannot be changed here", code="agency_scope.not_yours")
    return created, updated


def _snapshot(session: Session, agency: Agency) -> dict[str, Any]:
    """An agency's row and its assessment attributes, to compare before and after an import."""
    from service.agencies.attributes import history

    return {**agency.model_dump(), "attributes": [
        (r.valid_from, r.unit_type, r.level, r.sum_parent_id, r.target_points)
        for r in history(session=session, agency_id=agency.id)]}  # type: ignore[arg-type]


def get_by_code(*, session: Session, code: str) -> Agency:
    """The agency with ``code`` or NotFound."""
    agency = repository.by_code(session=session, code=code)
    if agency is None:
        raise NotFound(f"agency {code} not found")
    return agency


def body_warnings(agencies: Iterable[Any], *, on: date) -> list[str]:
    """One line per agency whose configured reconsideration body does not fit the rule in force on ``on``.

    ``wrong`` ones (their replies will be refused until fixed or forced) come marked as such; names the
    rule cannot place are mentioned so a person looks at them. Works on parsed agencies or table rows.
    """
    from workflow.legal import ClauseNotInForce, check_reconsideration_body, clauses_on

    clauses = clauses_on(on)
    lines = []
    for agency in agencies:
        try:
            got = check_reconsideration_body(agency_name=agency.name, body=agency.reconsideration_body,
                                             vertically_managed=bool(agency.vertically_managed), clauses=clauses)
        except ClauseNotInForce:  # no rule in force that day: nothing to compare with
            return []
        if got.verdict != "ok":
            prefix = "wrong reconsideration body (replies will be refused)" if got.wrong else "check"
            lines.append(f"{agency.code}: {prefix}: {got.message}")
    return lines
