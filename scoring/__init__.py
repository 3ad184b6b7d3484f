"""The shared assessment (考核) engine: loads schemes, applies events, grades, explains. Pure Python.

Typical use::

    scheme = load_scheme("schemes/changshu-2020.toml")
    events = EventSet(events)          # once, for any number of schemes and periods
    for result in score(scheme, "2026", units, events, entries):
        print(result.total, result.grade, result.trail)
"""

from scoring.engine import EntryError, check_adjustment, check_entry, score
from scoring.inputs import Adjustment, Event, EventSet, ManualEntry, Unit
from scoring.loader import SchemeError, load_scheme, load_schemes
from scoring.periods import Period, parse_period
from scoring.results import CategoryResult, ComponentResult, ItemResult, TrailEntry, UnitResult
from scoring.scheme import Scheme

__all__ = [
    "Adjustment", "CategoryResult", "ComponentResult", "EntryError", "Event", "EventSet", "ItemResult", "ManualEntry",
    "Period", "Scheme", "SchemeError", "TrailEntry", "Unit", "UnitResult", "check_adjustment", "check_entry", "load_scheme",
    "load_schemes", "parse_period", "score",
]
