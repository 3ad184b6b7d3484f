"""Assessment: schemes from `schemes/`, events and entries in, results with trails out.

Service functions take the session as a keyword argument and never commit (the caller does).
"""

from __future__ import annotations

import logging
import uuid
from collections.abc import Iterable
from datetime import date, datetime
from decimal import Decimal
from functools import lru_cache
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

from sqlmodel import Session

import scoring
from scoring import EntryError, Event, ManualEntry, Scheme, Unit, UnitResult
from scoring.periods import PERIOD_CN
from scoring.tallied import TallyMismatch, individual_kinds, tallied_events
from service.agencies import repository as agencies
from service.agencies.models import Agency
from service.assessment import inbox, repository, tallies
from service.assessment.models import SchemeAssignment
from service.settings import get_settings
from workflow.errors import InvalidField, NotFound

log = logging.getLogger(__name__)


@lru_cache(maxsize=4)
def _load(directory: str, stamp: tuple[tuple[str, float], ...]) -> dict[str, Scheme]:
    return scoring.load_schemes(directory)


def all_schemes() -> dict[str, Scheme]:
    """Every scheme in the schemes directory, reloaded when a file changes (bad files raise SchemeError)."""
    directory = Path(get_settings().schemes_dir)
    stamp = tuple(sorted((p.name, p.stat().st_mtime) for p in directory.glob("*.toml")))
    return _load(str(directory), stamp)


def get_scheme(scheme_id: str) -> Scheme:
    """One scheme or NotFound."""
    scheme = all_schemes().get(scheme_id)
    if scheme is None:
        raise NotFound(f"scheme {scheme_id} not found")
    return scheme


def known_kinds() -> set[str]:
    """Event kinds some scheme scores or knowingly ignores."""
    kinds: set[str] = set()
    for s in all_schemes().values():
        kinds |= s.kinds() | set(s.ignore)
    return kinds


def _today() -> date:
    return datetime.now(ZoneInfo(get_settings().timezone)).date()


def _visible_agency(*, session: Session, code: str, visible: set[int], field: str) -> Agency:
    agency = agencies.by_code(session=session, code=code)
    if agency is None or agency.id not in visible:
        raise InvalidField(field, f"unknown unit {code!r} (or not one you assess)", code="assessment.unknown_unit",
                           unit=code)
    return agency


WORKFLOW_PREFIX = "ogi."


def api_key(unit: str, key: str) -> str:
    """The stored key of an event posted through the API: namespaced by producer and unit, so a client
    can neither take another unit's key nor the workflow's (``ogi.reply_late:<number>:reply``)."""
    return f"api:{unit}:{key}"


def entry_key(scheme_id: str, unit: str, key: str) -> str:
    """The stored key of a manual entry: namespaced by scheme and unit, like event keys."""
    return f"{scheme_id}:{unit}:{key}"


def record_event(*, session: Session, data: dict[str, Any], visible: set[int]) -> bool:
    """Record an event posted through the API; False when the same unit already has an event under the
    caller's key (the answer says nothing about other units). The workflow's own kinds (``ogi.*``) are
    refused: the workflow records them, and an assessor changes their amount with an adjustment."""
    if data["kind"].startswith(WORKFLOW_PREFIX):
        raise InvalidField("kind", f"{data['kind']} events are recorded by the workflow itself; to change the "
                                   f"amount of one, adjust it (POST /schemes/{{id}}/adjustments)",
                           code="assessment.workflow_kind")
    if data["kind"] not in known_kinds():
        raise InvalidField("kind", f"no scheme scores events of kind {data['kind']!r}", code="assessment.unknown_kind",
                           kind=data["kind"])
    _visible_agency(session=session, code=data["unit"], visible=visible, field="unit")
    if data["on"] > _today():
        raise InvalidField("on", "an assessment event cannot be dated in the future",
                           code="date.in_future")
    stored = {**data, "key": api_key(data["unit"], data["key"])}
    return inbox.submit(session=session, events=[stored], source="api") == 1


def add_entry(*, session: Session, scheme_id: str, data: dict[str, Any], visible: set[int],
              author_id: int | None) -> tuple[str, bool]:
    """Record an assessor's manual entry (idempotent on its key); returns (key, newly recorded)."""
    scheme = get_scheme(scheme_id)
    _visible_agency(session=session, code=data["unit"], visible=visible, field="unit")
    entry = ManualEntry(target=data["target"], unit=data["unit"], period=data["period"], amount=data.get("amount"),
                        count=data.get("count"), value=data.get("value"), note=data.get("note") or "")
    try:
        scoring.check_entry(scheme, entry)
    except EntryError as exc:
        raise _invalid(exc) from None
    key = data.get("key") or uuid.uuid4().hex
    row = {"key": entry_key(scheme_id, entry.unit, key), "scheme_id": scheme_id, "target": entry.target, "unit": entry.unit,
           "period": scoring.parse_period(entry.period).label, "amount": data.get("amount"),
           "count": data.get("count"), "value": data.get("value"), "note": entry.note, "author_id": author_id}
    return key, repository.insert_entries(session=session, rows=[row]) == 1


def assign(*, session: Session, scheme_id: str, office_code: str, units: dict[str, Any] | None = None,
           include_office: bool = False, visible: set[int] | None = None) -> SchemeAssignment:
    """Make ``scheme_id`` score the units below ``office_code``. ``units`` (unit types, target points)
    replaces that office's per-unit settings when given and keeps them when not. With ``visible``
    (the caller's units), an office outside them is NotFound, as if it did not exist."""
    get_scheme(scheme_id)
    office = agencies.by_code(session=session, code=office_code)
    if visible is not None and (office is None or office.id not in visible):
        raise NotFound(f"agency {office_code} not found")
    if office is None:
        raise InvalidField("office", f"unknown agency {office_code!r}", code="registration.unknown_agency")
    row = repository.assignment(session=session, agency_id=office.id, scheme_id=scheme_id)  # type: ignore[arg-type]
    if row is None:
        row = SchemeAssignment(agency_id=office.id, scheme_id=scheme_id, units={})  # type: ignore[arg-type]
    if units is not None:
        row.units = dict(units)
    row.include_office = include_office
    session.add(row)
    session.flush()
    return row


def _population(*, session: Session, scheme_id: str, period: scoring.Period | None = None) -> list[Unit]:
    """The units a scheme scores: below each office it is assigned to; every agency if unassigned.

    Each unit carries the attributes in force for ``period`` (agency_attribute: type, summation
    parent, target points; a type change inside the period becomes the unit's history); where a unit
    has none, the assignment's per-unit settings (the older mechanism) are used. Averages and
    sub-unit aggregation are computed over this whole population, never over only the units a caller
    may see, so every caller sees the same figures.
    """
    from service.agencies.attributes import all_in_force

    every = agencies.all_agencies(session=session)
    by_id = {a.id: a for a in every}
    chosen: dict[str, Unit] = {}
    rows = repository.assignments(session=session, scheme_id=scheme_id)
    if not rows:
        members = [(a, {}) for a in every]
    else:
        members = []
        for row in rows:
            ids = agencies.descendants(session=session, agency_id=row.agency_id)
            if not row.include_office:
                ids.discard(row.agency_id)
            members += [(by_id[i], row.units.get(by_id[i].code, {})) for i in sorted(ids)]
    today = _today()
    start, end = (period.start, period.end) if period is not None else (today, today)
    attrs = all_in_force(session=session, start=start, end=end)
    for agency, info in members:
        found = attrs.get(agency.id, [])  # type: ignore[arg-type]
        last = found[-1] if found else None
        parent = by_id.get(agency.parent_id) if agency.parent_id else None
        if last is not None and last.sum_parent_id:
            parent = by_id.get(last.sum_parent_id)
        target = last.target_points if last is not None and last.target_points is not None else info.get(
            "target_points")
        params = {"target_points": target} if target is not None else {}
        kind = last.unit_type if last is not None and last.unit_type else str(info.get("type", ""))
        history: tuple[tuple[date, str], ...] = ()
        if len({r.unit_type for r in found}) > 1:
            steps: list[tuple[date, str]] = []
            for r in found:
                if not steps or steps[-1][1] != r.unit_type:  # a change of level or target is not a change of type
                    steps.append((max(r.valid_from, start), r.unit_type))
            history = tuple(steps)
        chosen[agency.code] = Unit(agency.code, agency.name, parent.code if parent else None, kind, params, history)
    return sorted(chosen.values(), key=lambda u: u.code)


def _invalid(exc: EntryError) -> InvalidField:
    """The engine's refusal as InvalidField naming the field, with its Chinese wording for the desk."""
    return InvalidField(exc.field, str(exc), code="assessment.refused", zh=exc.zh)


def unit_names(*, session: Session) -> dict[str, str]:
    """Agency code → name."""
    return {a.code: a.name for a in agencies.all_agencies(session=session)}


def _adjustments(*, session: Session, scheme_id: str) -> list[scoring.Adjustment]:
    names: dict[int, str] = {}
    out = []
    for row in repository.adjustments_for(session=session, scheme_id=scheme_id):
        at = row.created_at.isoformat(timespec="minutes") if row.created_at else ""
        out.append(scoring.Adjustment(row.event_key, row.item, Decimal(repr(row.amount)), row.note,
                                      row.author_name or names.get(row.author_id or 0, ""), at))
    return out


def _parsed_period(scheme: Scheme, scheme_id: str, period: str) -> scoring.Period:
    try:
        p = scoring.parse_period(period)
    except ValueError as exc:
        raise InvalidField("period", str(exc), code="assessment.period_malformed", period=period) from None
    if p.kind not in scheme.periods:
        raise InvalidField("period", f"{scheme_id} is assessed by {', '.join(scheme.periods)}, not by {p.kind}",
                           code="assessment.period_kind", scheme=scheme_id, kind=PERIOD_CN.get(p.kind, p.kind),
                           kinds="、".join(PERIOD_CN.get(k, k) for k in scheme.periods))
    return p


def results(*, session: Session, scheme_id: str, period: str, visible: set[int] | None,
            unit: str | None = None, trails: set[str] | None = None, limit: int | None = None,
            after: str | None = None) -> list[UnitResult]:
    """Score a scheme for a period and return the results of the units the caller may see
    (``visible`` None: all), or of ``unit`` only; with ``limit``, the first ``limit`` of them in code
    order after unit code ``after``.

    ``trails`` names the units whose trails are wanted (None: every unit returned): their events are
    read one by one, every other unit's from its tallies (`scoring.tallied`), so only their trails
    name cases. Totals, grades and subtotals are the same either way.
    """
    scheme = get_scheme(scheme_id)
    p = _parsed_period(scheme, scheme_id, period)
    units = _population(session=session, scheme_id=scheme_id, period=p)
    allowed = None
    if visible is not None:
        allowed = {a.code for a in agencies.all_agencies(session=session) if a.id in visible}
    shown = [u.code for u in units if (allowed is None or u.code in allowed) and (unit is None or u.code == unit)
             and (after is None or u.code > after)]
    if limit is not None:
        shown = shown[:limit]
    adjustments = _adjustments(session=session, scheme_id=scheme_id)
    real = set(shown) if trails is None else trails & set(shown)
    entries = [ManualEntry(target=r.target, unit=r.unit, period=r.period, amount=r.amount, count=r.count,
                           value=r.value, note=r.note, key=r.key)
               for r in repository.entries_for(session=session, scheme_id=scheme_id, year=p.start.year)]
    index = _event_index(session=session, scheme=scheme, period=p, units=units, real=real,
                         adjusted={a.event_key for a in adjustments})
    scored = scoring.score(scheme, p, units, index, entries, adjustments=adjustments)
    wanted = set(shown)
    out = [r for r in scored if r.unit in wanted]
    if unit is not None and not out:
        raise NotFound(f"unit {unit} is not scored by {scheme_id} (or not visible to you)")
    return out


def _events(rows: Iterable[Any]) -> list[Event]:
    return [Event(kind=r.kind, unit=r.unit, on=r.on, key=r.key, subject=r.subject, request_ref=r.request_ref,
                  amount=None if r.amount is None else Decimal(repr(r.amount)), note=r.note, details=r.details)
            for r in rows]


def _event_index(*, session: Session, scheme: Scheme, period: scoring.Period, units: list[Unit], real: set[str],
                 adjusted: set[str]) -> scoring.EventSet:
    """The events the engine scores: every event of the ``real`` units (and of units whose type changed in
    the period), of the kinds the scheme reads one by one, and of adjusted events; tallies for the rest.
    When every unit is real, simply every event (no tallies read)."""
    codes = [u.code for u in units]
    real = real | {u.code for u in units if u.history}
    if real >= set(codes):
        return scoring.EventSet(_events(repository.events_between(session=session, units=codes, start=period.start,
                                                                   end=period.end)))
    rows = repository.events_between(session=session, units=sorted(real), start=period.start, end=period.end)
    rows += repository.events_between(session=session, units=codes, start=period.start, end=period.end,
                                      kinds=sorted(individual_kinds(scheme)), keys=sorted(adjusted))
    found = tallies.between(session=session, units=codes, start=period.start, end=period.end)
    try:
        return tallied_events(found, _events(rows))
    except TallyMismatch as exc:  # rows written around the inbox: score every event, say how to repair
        log.warning("%s; scoring every event (run `ogi score rebuild`)", exc)
        return _event_index(session=session, scheme=scheme, period=period, units=units, real=set(codes),
                            adjusted=adjusted)


def adjust_event(*, session: Session, scheme_id: str, data: dict[str, Any], visible: set[int],
                 author_id: int | None, author_name: str) -> dict[str, Any]:
    """An assessor's amount for one recorded event on one item the document leaves to judgement (酌情).

    ``data``: event (the event's id or stored key), item, amount (a magnitude within the document's
    bound), note (why; required). The event must belong to a unit the assessor may see; an item that
    fixes its amount, an amount out of bounds or a missing note is InvalidField naming the field. The
    original figure and every adjustment stay in the trail.
    """
    scheme = get_scheme(scheme_id)
    note = str(data.get("note") or "").strip()
    if not note:
        raise InvalidField("note", "say why the amount is what it is (it stays in the trail)",
                           code="assessment.note_required")
    event = repository.event_by_ref(session=session, ref=str(data.get("event", "")))
    allowed = {a.code for a in agencies.all_agencies(session=session) if a.id in visible}
    if event is None or event.unit not in allowed:
        raise InvalidField("event", "no such assessment event among your units", code="assessment.unknown_event")
    try:
        scoring.check_adjustment(scheme, event.kind, str(data.get("item", "")), data.get("amount", 0))
    except EntryError as exc:
        raise _invalid(exc) from None
    row = repository.add_adjustment(session=session, scheme_id=scheme_id, event_key=event.key,
                                    item=str(data["item"]), amount=float(data["amount"]), note=note,
                                    author_id=author_id, author_name=author_name)
    return {"id": row.id, "scheme": scheme_id, "event": event.id, "event_key": event.key, "item": row.item,
            "amount": row.amount, "note": row.note, "author": author_name,
            "at": row.created_at.isoformat() if row.created_at else None}


def request_events(*, session: Session, number: str, unit: str) -> list[dict[str, Any]]:
    """The assessment events a request produced (by its number at its unit) and, for each, the schemes
    scoring that unit and the items each event lands on (with the amount the item gives it)."""
    rows = repository.events_of_request(session=session, number=number, unit=unit)
    out = []
    schemes = all_schemes()
    members: dict[str, Unit | None] = {}
    for sid in schemes:
        found = [u for u in _population(session=session, scheme_id=sid) if u.code == unit]
        members[sid] = found[0] if found else None
    adjustments: dict[tuple[str, str, str], float] = {}
    for sid in schemes:
        for adj in repository.adjustments_for(session=session, scheme_id=sid):
            adjustments[(sid, adj.event_key, adj.item)] = adj.amount
    for row in rows:
        affected = []
        for sid, scheme in sorted(schemes.items()):
            member = members[sid]
            if member is None or row.kind in scheme.ignore:
                continue
            for cat, item, rule in scheme.rules():
                if row.kind not in rule.kinds or rule.type not in ("per_event", "zero_item", "threshold"):
                    continue
                if (item.applies_to or cat.applies_to) and member.type not in (item.applies_to or cat.applies_to):
                    continue
                amount = adjustments.get((sid, row.key, item.id))
                points = rule.points
                if amount is not None:
                    points = Decimal(repr(amount)) * (1 if (item.kind or cat.kind) == "bonus" else -1)
                elif row.amount is not None and rule.discretionary:
                    points = Decimal(repr(row.amount)) * (1 if (item.kind or cat.kind) == "bonus" else -1)
                affected.append({"scheme": sid, "scheme_title": scheme.title, "category": cat.name, "item": item.id,
                                 "item_name": item.name, "rule": rule.id, "clause": rule.clause,
                                 "discretionary": rule.discretionary,
                                 "points": None if points is None or rule.type == "threshold" else float(points),
                                 "adjusted": amount is not None})
        out.append({"id": row.id, "kind": row.kind, "kind_name": _kind_name(row.kind), "on": row.on.isoformat(),
                    "unit": row.unit, "subject": row.subject, "note": row.note, "source": row.source,
                    "affects": affected})
    return out


def _kind_name(kind: str) -> str:
    from scoring.vocabulary import load_vocabulary

    return load_vocabulary().kind_name(kind)


def describe(scheme: Scheme) -> dict[str, Any]:
    """A scheme as the API shows it: identity, grades, categories, items, rules."""

    def num(v: Decimal | None) -> float | None:
        return None if v is None else float(v)

    return {
        "id": scheme.id, "title": scheme.title, "document": scheme.document, "year": scheme.year,
        "periods": list(scheme.periods), "structure_only": scheme.structure_only, "example": scheme.example,
        "scale": float(scheme.scale), "ignore": list(scheme.ignore),
        "source": Path(scheme.source).name if scheme.source else "",
        "grades": [{"grade": b.grade, "min": num(b.min), "min_inclusive": b.min_inclusive, "wording": b.wording,
                    "consequences": list(b.consequences), "target_deduction": num(b.target_deduction)}
                   for b in scheme.bands],
        "categories": [{"id": c.id, "name": c.name, "kind": c.kind, "points": num(c.points), "period": c.period,
                        "outside_total": c.outside_total, "ledger": c.ledger, "group_by": c.group_by,
                        "applies_to": list(c.applies_to),
                        "items": [{"id": i.id, "name": i.name, "points": num(i.points), "entry": i.entry,
                                   "rules": [{"id": r.id, "type": r.type, "when": list(r.kinds),
                                              "points": num(r.points), "discretionary": r.discretionary}
                                             for r in i.rules]}
                                  for i in c.items]}
                       for c in scheme.categories],
        "components": [{"id": c.id, "name": c.name, "weight": float(c.weight), "source": c.source, "per": c.per,
                        "subunits": c.subunits} for c in scheme.components],
        "forced": [{"id": f.id, "name": f.name, "when": list(f.kinds), "outcome": f.outcome, "grade": f.grade}
                   for f in scheme.forced],
    }
