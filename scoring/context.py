"""What one scoring run shares: the events, the entries by (unit, target), adjustments and averages."""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal

from scoring.entries import check_entry
from scoring.inputs import ZERO, Adjustment, Event, EventSet, ManualEntry, Unit, to_decimal
from scoring.periods import Period, parse_period
from scoring.scheme import Item, Rule, Scheme
from scoring.unit_types import applies


class Context:
    """Everything one scoring run shares: events, entries by (unit, target), adjustments, averages."""

    def __init__(self, scheme: Scheme, period: Period, units: Sequence[Unit], events: EventSet,
                 entries: Iterable[ManualEntry], averages: Mapping[str, float | Decimal] | None,
                 adjustments: Iterable[Adjustment] = ()) -> None:
        self.scheme, self.period, self.units, self.events = scheme, period, units, events
        self.entries: dict[tuple[str, str], list[tuple[Period, ManualEntry]]] = {}
        self.official: dict[str, list[tuple[Period, ManualEntry]]] = {}
        relative = scheme.relative_rules()
        seen: set[str] = set()
        for entry in entries:
            if entry.key:
                if entry.key in seen:
                    continue  # the same entry submitted twice counts once
                seen.add(entry.key)
            check_entry(scheme, entry)
            ep = parse_period(entry.period)
            if period.contains(ep) or (entry.target in relative and ep.contains(period)):
                if entry.target in relative:
                    # The office's official average (e.g. 全市平均分) for that rule, whoever's unit it is filed under.
                    self.official.setdefault(entry.target, []).append((ep, entry))
                else:
                    self.entries.setdefault((entry.unit, entry.target), []).append((ep, entry))
        self.adjust: dict[tuple[str, str], list[Adjustment]] = {}
        for adj in adjustments:
            self.adjust.setdefault((adj.event_key, adj.item), []).append(adj)
        self.given_averages = {k: to_decimal(v) for k, v in (averages or {}).items()}
        self._averages: dict[tuple[str, str], Decimal | None] = {}
        self.pending: dict[str, int] = {}

    def entries_in(self, unit: str, target: str, rng: Period) -> list[ManualEntry]:
        """The unit's entries on ``target`` whose period lies inside ``rng``, in the order given."""
        found = self.entries.get((unit, target))
        if not found:
            return []
        return [e for p, e in found if rng.contains(p)]

    def values_in(self, unit: str, target: str, rng: Period) -> list[ManualEntry]:
        """The unit's value entries on ``target`` inside ``rng`` (the last one counts: see ``last_value``)."""
        return [e for e in self.entries_in(unit, target, rng) if e.value is not None]

    def metric(self, unit: str, item: Item, rule: Rule, rng: Period) -> tuple[Decimal | None, list[Event],
                                                                              list[ManualEntry]]:
        """A relative rule's value for the unit: its last value entry, else the sum of its events' amounts
        (None: nothing reported), with the events and entries it came from."""
        evs = [e for k in rule.kinds for e in self.events.get(unit, k, rng)]
        ents = self.values_in(unit, item.id, rng)
        if not evs and not ents:
            return None, evs, ents
        if ents:
            # An assessor's value replaces what events reported (the last entry wins).
            return last_value(ents), evs, ents
        return sum((to_decimal(e.amount) for e in evs if e.amount is not None), ZERO), evs, ents

    def average(self, item: Item, rule: Rule, rng: Period) -> tuple[Decimal | None, str]:
        """The average a relative rule compares with, and where it comes from (official / given / computed)."""
        if rule.id in self.official:
            fitting = [e for p, e in self.official[rule.id] if p.contains(rng) or rng.contains(p)]
            if fitting:
                return to_decimal(fitting[-1].value or 0), "official"
        if rule.id in self.given_averages:
            return self.given_averages[rule.id], "given"
        key = (rule.id, rng.label)
        if key not in self._averages:
            values = [v for u in self.units if applies(item.applies_to, u)
                      for v in [self.metric(u.code, item, rule, rng)[0]] if v is not None]
            self._averages[key] = sum(values, ZERO) / len(values) if values else None
        return self._averages[key], "computed"


def last_value(entries: list[ManualEntry]) -> Decimal:
    """The value of the last of ``entries``: a later entry replaces an earlier one."""
    return to_decimal(entries[-1].value or 0)
