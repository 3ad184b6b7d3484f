"""What an action is given (``Ctx``) and how its JSON-ish parameters are read.

Every failure names its field and carries a catalogue code (HTTP 422).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

from workflow import clock as clk
from workflow.errors import InvalidField
from workflow.machine.case import Case
from workflow.machine.states import Actor
from workflow.policy import Policy


@dataclass
class Ctx:
    """Everything an action's guard and handler need; ``today`` is the agency's day."""

    case: Case
    params: Mapping[str, Any]
    actor: Actor
    today: date
    calendar: Any
    policy: Policy

    def due(self, as_of: date) -> date | None:
        """The reply due date as of ``as_of`` (None once the clock has stopped)."""
        return clk.due_on(self.case, as_of=as_of, calendar=self.calendar, policy=self.policy)


def parse_date(value: Any, name: str) -> date:
    """A date from an ISO string (``YYYY-MM-DD``) or a ``date``; InvalidField otherwise."""
    if isinstance(value, date) and not hasattr(value, "hour"):
        return value
    if isinstance(value, str):
        try:
            if len(value) == 10:
                return date.fromisoformat(value)
        except ValueError:
            pass
    raise InvalidField(name, f"must be a date YYYY-MM-DD, got {value!r}", code="date.malformed", value=repr(value))


def fact_date(ctx: Ctx, name: str, *, not_before: date | None = None, what: str = "") -> date:
    """A fact date: defaults to today, not in the future, not before receipt or the previous fact.

    ``what`` names the earlier fact ``not_before`` stands for: ``issue``, ``filing`` or ``reply``.
    """
    raw = ctx.params.get(name)
    value = ctx.today if raw in (None, "") else parse_date(raw, name)
    if value > ctx.today:
        raise InvalidField(name, f"{value} is in the future (today is {ctx.today})", code="date.in_future",
                           value=value.isoformat(), today=ctx.today.isoformat())
    if value < ctx.case.receipt_date:
        raise InvalidField(name, f"{value} is before the receipt date {ctx.case.receipt_date}",
                           code="date.before_receipt", value=value.isoformat(),
                           floor=ctx.case.receipt_date.isoformat())
    floor = ctx.case.last_fact_on if not_before is None else not_before
    if value < floor:
        english = {"issue": "the date of issue", "filing": "the filing", "reply": "the reply"}
        label = english.get(what, "the previous recorded fact")
        raise InvalidField(name, f"{value} is before {label} ({floor})",
                           code=f"date.before_{what}" if what else "date.before_previous_fact",
                           value=value.isoformat(), floor=floor.isoformat())
    return value


def text(params: Mapping[str, Any], name: str, *, required: bool = True, default: str | None = None) -> str | None:
    """A stripped text parameter; None (or ``default``) when blank and not required."""
    value = params.get(name, default)
    if value is None or (isinstance(value, str) and not value.strip()):
        if required:
            raise InvalidField(name, "required", code="field.required")
        return default
    if not isinstance(value, str):
        raise InvalidField(name, "must be text", code="field.not_text")
    return value.strip()


def integer(params: Mapping[str, Any], name: str, *, default: int, low: int, high: int) -> int:
    """A whole number in ``low..high`` (given as int or digits)."""
    value = params.get(name)
    if value is None:
        return default
    if isinstance(value, bool) or not isinstance(value, int | str):
        raise InvalidField(name, f"must be a whole number {low}–{high}", code="number.not_whole", low=low, high=high)
    try:
        number = int(value)
    except ValueError:
        raise InvalidField(name, f"must be a whole number {low}–{high}", code="number.not_whole",
                           low=low, high=high) from None
    if not low <= number <= high:
        raise InvalidField(name, f"must be between {low} and {high}, got {number}", code="number.out_of_range",
                           low=low, high=high, value=number)
    return number


def boolean(params: Mapping[str, Any], name: str) -> bool:
    """A yes/no parameter (true/false, 1/0; absent is false)."""
    value = params.get(name, False)
    if value in (None, False, "false", "0", 0):
        return False
    if value in (True, "true", "1", 1):
        return True
    raise InvalidField(name, "must be true or false", code="field.not_boolean")


def choice(params: Mapping[str, Any], name: str, options: Sequence[str], default: str | None = None) -> str:
    """One of ``options``."""
    value = params.get(name, default)
    if value not in options:
        raise InvalidField(name, f"must be one of {', '.join(options)}, got {value!r}", code="field.not_a_choice",
                           options=", ".join(options), value=repr(value))
    return str(value)


def iso(value: date | None) -> str | None:
    """ISO text of a date, None kept."""
    return value.isoformat() if value is not None else None
