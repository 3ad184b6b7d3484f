"""Scoring from tallies: events counted per unit, kind, month and amount, instead of every event.

A tally stands for ``n`` events that the engine cannot tell apart when it computes figures (same unit,
kind, month and amount). :func:`tallied_events` turns tallies into an :class:`EventSet` the engine
scores unchanged: each class is one stand-in event repeated ``n`` times, dated on the first of its
month (every period is made of whole months). Events the engine must see one by one are passed as
real events and replace their share of the tallies:

- events of the kinds :func:`individual_kinds` names (grouped by account, or by subject for a forced
  outcome: the stand-ins have neither);
- events an assessor adjusted (the adjustment is looked up by the event's key);
- every event of a unit whose type changed during the period (its items count events by the day) and of
  the units whose trails are shown.

Totals, grades, subtotals, pending and unmatched counts equal scoring every event; trail lines of
tallied units name stand-ins, not cases, so only the real units' trails are shown.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from scoring.inputs import Event, EventSet
from scoring.scheme import Scheme

STAND_IN = "tally:"   # the key prefix of stand-in events


@dataclass(frozen=True)
class Tally:
    """``n`` events of ``kind`` at ``unit`` dated in the month starting ``month``, each with ``amount``."""

    unit: str
    kind: str
    month: date
    amount: Decimal | None
    n: int


def month_of(day: date) -> date:
    """The first day of ``day``'s month: the date a tally is kept under."""
    return day.replace(day=1)


def individual_kinds(scheme: Scheme) -> set[str]:
    """Kinds ``scheme`` reads more of than unit, kind, date and amount: events of them are scored one by one."""
    kinds: set[str] = set()
    for cat in scheme.categories:
        if cat.group_by is not None:
            kinds |= {k for item in cat.items for r in item.rules for k in (*r.kinds, *r.none_of)}
    for forced in scheme.forced:
        if forced.same_subject:
            kinds |= set(forced.kinds)
    return kinds


class TallyMismatch(ValueError):
    """Real events outnumber the tally of their class: the tallies drifted from the events."""


def tallied_events(tallies: Iterable[Tally], events: Iterable[Event]) -> EventSet:
    """An EventSet of ``events`` plus, for each tally, stand-ins for what the real events do not cover.

    Every event in ``events`` must also be counted in ``tallies`` (raises :class:`TallyMismatch` when
    a class has more real events than its tally).
    """
    left: dict[tuple[str, str, date, Decimal | None], int] = {}
    for t in tallies:
        cls = (t.unit, t.kind, t.month, t.amount)
        left[cls] = left.get(cls, 0) + t.n
    buckets: dict[str, dict[str, list[tuple[date, str, Event, int]]]] = {}
    seen: set[str] = set()
    for ev in events:
        if ev.key in seen:
            continue
        seen.add(ev.key)
        amount = None if ev.amount is None else Decimal(str(ev.amount))
        cls = (ev.unit, ev.kind, month_of(ev.on), amount)
        if left.get(cls, 0) < 1:
            raise TallyMismatch(f"more {ev.kind} events at {ev.unit} in {cls[2]:%Y-%m} than tallied")
        left[cls] -= 1
        buckets.setdefault(ev.unit, {}).setdefault(ev.kind, []).append((ev.on, ev.key, ev, 1))
    for (unit, kind, month, amount), n in left.items():
        if n > 0:
            key = f"{STAND_IN}{unit}:{kind}:{month:%Y-%m}:{'' if amount is None else amount}"
            stand_in = Event(kind=kind, unit=unit, on=month, key=key, amount=amount)
            buckets.setdefault(unit, {}).setdefault(kind, []).append((month, key, stand_in, n))
    out = EventSet(())
    count = 0
    for unit, kinds in buckets.items():
        per_kind = {}
        for kind, rows in kinds.items():
            rows.sort(key=lambda r: (r[0], r[1]))
            dates: list[date] = []
            evs: list[Event] = []
            for on, _, ev, n in rows:
                dates += [on] * n
                evs += [ev] * n
            per_kind[kind] = (dates, evs)
            count += len(evs)
        out._index[unit] = per_kind  # noqa: SLF001  # the same index EventSet builds, filled from counts
    out.count = count
    return out
