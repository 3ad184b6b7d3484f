"""Units' assessment attributes by period (type, level, summation parent, target points): stored as
snapshots in force from a day on, set from the agency file, the API and the admin page."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlmodel import Session, select

from service.adminlog import service as adminlog
from service.agencies.models import Agency, AgencyAttribute
from service.agencies.repository import by_code
from service.users.models import User
from workflow.agencies import UnitAttributes
from workflow.errors import InvalidField

ALWAYS = date(1900, 1, 1)   # valid_from of attributes given without a date: in force since always
FIELDS = ("type", "level", "sum_parent", "target_points")


def _vocabulary() -> Any:
    from scoring.vocabulary import load_vocabulary

    return load_vocabulary()


def check_codes(where: str, *, type_: str | None, level: str | None) -> None:
    """Refuse a unit type or level the scoring vocabulary does not know (InvalidField naming the field)."""
    vocab = _vocabulary()
    if type_ and type_ not in vocab.types:
        raise InvalidField(f"{where}.type", f"unknown unit type {type_!r}; known: {', '.join(sorted(vocab.types))}",
                           code="agency_file.unknown_type", value=type_, known="、".join(vocab.types.values()))
    if level and level not in vocab.levels:
        raise InvalidField(f"{where}.level", f"unknown level {level!r}; known: {', '.join(sorted(vocab.levels))}",
                           code="agency_file.unknown_level", value=level)


def history(*, session: Session, agency_id: int) -> list[AgencyAttribute]:
    """The unit's attribute snapshots, oldest first."""
    return list(session.exec(select(AgencyAttribute).where(AgencyAttribute.agency_id == agency_id)
                             .order_by(AgencyAttribute.valid_from)))


def _in_force(rows: list[AgencyAttribute], on: date) -> AgencyAttribute | None:
    found = None
    for row in rows:
        if row.valid_from <= on:
            found = row
    return found


def _merge(base: AgencyAttribute | None, agency_id: int, valid_from: date, change: Mapping[str, Any],
           sum_parent_id: int | None, set_by: str) -> AgencyAttribute:
    row = AgencyAttribute(agency_id=agency_id, valid_from=valid_from, set_by=set_by)
    if base is not None:
        row.unit_type, row.level = base.unit_type, base.level
        row.sum_parent_id, row.target_points = base.sum_parent_id, base.target_points
    if change.get("type") is not None:
        row.unit_type = change["type"]
    if change.get("level") is not None:
        row.level = change["level"]
    if change.get("sum_parent") is not None:
        row.sum_parent_id = sum_parent_id
    if change.get("target_points") is not None:
        row.target_points = float(change["target_points"])
    return row


def replace_from_file(*, session: Session, agency: Agency, where: str, attributes: Iterable[UnitAttributes],
                      by_code: Mapping[str, Agency]) -> None:
    """Make the file's attributes the unit's whole history (the file states them, so it is authoritative)."""
    for old in history(session=session, agency_id=agency.id):  # type: ignore[arg-type]
        session.delete(old)
    session.flush()
    previous: AgencyAttribute | None = None
    for attrs in attributes:
        at = where if attrs.valid_from is None else f"{where}.changes[{attrs.valid_from}]"
        check_codes(at, type_=attrs.type, level=attrs.level)
        parent_id = None
        if attrs.sum_parent is not None:
            parent = by_code.get(attrs.sum_parent)
            if parent is None:
                raise InvalidField(f"{at}.sum_parent", f"unknown agency {attrs.sum_parent!r}",
                                   code="agency_file.unknown_sum_parent", value=attrs.sum_parent)
            if parent.code == agency.code:
                raise InvalidField(f"{at}.sum_parent", "a unit is not summed into itself", code="agency_file.sum_self")
            parent_id = parent.id
        change = {"type": attrs.type, "level": attrs.level, "sum_parent": attrs.sum_parent,
                  "target_points": attrs.target_points}
        row = _merge(previous, agency.id, attrs.valid_from or ALWAYS, change, parent_id, "file")  # type: ignore[arg-type]
        session.add(row)
        previous = row
    session.flush()


def set_from(*, session: Session, agency: Agency, valid_from: date | None, change: Mapping[str, Any],
             set_by: str) -> AgencyAttribute:
    """Set some attributes of ``agency`` from ``valid_from`` on (None: since always): the snapshot in force
    before that day is copied and the given fields replace its values; later snapshots are kept."""
    if not any(change.get(f) is not None for f in FIELDS):
        raise InvalidField("type", f"give at least one of {', '.join(FIELDS)}", code="agency_file.change_empty")
    check_codes("attributes", type_=change.get("type"), level=change.get("level"))
    target = change.get("target_points")
    if target is not None and (isinstance(target, bool) or float(target) < 0):
        raise InvalidField("target_points", "must be zero or more", code="agency_file.target_not_number")
    parent_id = None
    if change.get("sum_parent") is not None:
        parent = session.exec(select(Agency).where(Agency.code == change["sum_parent"])).first()
        if parent is None:
            raise InvalidField("sum_parent", f"unknown agency {change['sum_parent']!r}",
                               code="agency_file.unknown_sum_parent", value=change["sum_parent"])
        if parent.id == agency.id:
            raise InvalidField("sum_parent", "a unit is not summed into itself", code="agency_file.sum_self")
        parent_id = parent.id
    day = valid_from or ALWAYS
    rows = history(session=session, agency_id=agency.id)  # type: ignore[arg-type]
    same = next((r for r in rows if r.valid_from == day), None)
    base = same or _in_force(rows, day)
    row = _merge(base, agency.id, day, change, parent_id if parent_id is not None else  # type: ignore[arg-type]
                 (base.sum_parent_id if base else None), set_by)
    if same is not None:
        for name in ("unit_type", "level", "sum_parent_id", "target_points", "set_by"):
            setattr(same, name, getattr(row, name))
        row = same
    session.add(row)
    session.flush()
    return row


def set_by_admin(*, session: Session, agency: Agency, valid_from: date | None, change: Mapping[str, Any],
                 visible: set[int], actor: User) -> AgencyAttribute:
    """:func:`set_from` for an admin (the API's PUT and the admin page): the summation parent must be one
    of the admin's units (``visible``), and the change is recorded in the admin log with its actor."""
    parent = change.get("sum_parent")
    if parent is not None:
        found = by_code(session=session, code=parent)
        if found is None or found.id not in visible:
            raise InvalidField("sum_parent", f"unknown agency {parent!r} (or not one of yours)",
                               code="agency_file.unknown_sum_parent", value=parent)
    row = set_from(session=session, agency=agency, valid_from=valid_from, change=change, set_by=actor.username)
    adminlog.record(session=session, actor=actor, action="agency.attributes", target=agency.code,
                    valid_from=valid_from.isoformat() if valid_from else None,
                    **{k: v for k, v in change.items() if v is not None})
    return row


def all_in_force(*, session: Session, start: date, end: date) -> dict[int, list[AgencyAttribute]]:
    """For each agency with attributes, the snapshots in force at some day of ``start``..``end``, oldest
    first (the one in force on ``start`` and those beginning inside the range)."""
    rows = session.exec(select(AgencyAttribute).where(AgencyAttribute.valid_from <= end)
                        .order_by(AgencyAttribute.agency_id, AgencyAttribute.valid_from))
    by_agency: dict[int, list[AgencyAttribute]] = {}
    for row in rows:
        by_agency.setdefault(row.agency_id, []).append(row)
    out: dict[int, list[AgencyAttribute]] = {}
    for agency_id, found in by_agency.items():
        first = _in_force(found, start)
        inside = [r for r in found if start < r.valid_from <= end]
        out[agency_id] = ([first] if first is not None else []) + inside
    return out


def as_dict(row: AgencyAttribute, codes: Mapping[int, str]) -> dict[str, Any]:
    """A snapshot as the API shows it."""
    return {"valid_from": None if row.valid_from == ALWAYS else row.valid_from.isoformat(),
            "type": row.unit_type or None, "level": row.level or None,
            "sum_parent": codes.get(row.sum_parent_id) if row.sum_parent_id else None,
            "target_points": row.target_points, "set_by": row.set_by}
