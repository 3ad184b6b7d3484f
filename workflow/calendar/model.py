"""Value types of the working-day calendar: pauses, explained days, year schedules, errors."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal

from workalendar.exceptions import CalendarError as WorkalendarError

from workflow.errors import DomainError

# Why a calendar day did not count towards a period (ExplainedDay.reason).
SkipReason = Literal["weekend", "holiday", "pause", "regional"]


class CalendarError(DomainError, WorkalendarError):
    """A date, year, region or data file the calendar cannot answer for.

    Also a workalendar ``CalendarError``, so code written against workalendar keeps catching it.
    """


class UnknownRegion(CalendarError):
    """No overlay is shipped or installed for this region code."""

    def __init__(self, region: str, known: list[str]) -> None:
        super().__init__(f"unknown region {region!r}; known regions: {', '.join(known) or 'none'}")
        self.region = region
        self.known = known


class CalendarFileError(CalendarError):
    """A year or region file is malformed; the message names the file and the problem.

    ``code`` and ``params`` word it in Chinese (``calendar_file.*`` in workflow/error_catalogue.toml).
    """

    def __init__(self, message: str, *, code: str = "calendar_file.invalid", **params: object) -> None:
        super().__init__(message)
        self.code = code
        self.params = {"message": message, "where": "", **params}


@dataclass(frozen=True, slots=True)
class Pause:
    """A stop of the clock: the working days d with ``start < d <= end`` do not count."""

    start: date
    end: date

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise ValueError(f"pause ends ({self.end}) before it starts ({self.start})")


@dataclass(frozen=True, slots=True)
class ExplainedDay:
    """One calendar day of a period: whether it counted, its ordinal if so, and why not otherwise.

    ``label`` names the holiday (``"春节"``), or for a counted weekend make-up day the holiday it
    makes up for (``"春节调休上班"``).
    """

    day: date
    counted: bool
    ordinal: int | None
    reason: SkipReason | None
    label: str | None


@dataclass(frozen=True, slots=True)
class YearSchedule:
    """A year's days off and weekend make-up working days, each with its name.

    ``provisional`` is true when no official schedule of that year is loaded and the days off are
    estimated from the statutory holidays; ``source`` names the notice(s) or rules used.
    """

    year: int
    days_off: list[tuple[date, str]] = field(default_factory=list)
    makeup_days: list[tuple[date, str]] = field(default_factory=list)
    provisional: bool = False
    source: str = ""
