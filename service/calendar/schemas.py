"""Pydantic shapes of the calendar API (answers only: the inputs are query parameters)."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class DueOut(BaseModel):
    """The due date of a period of working days."""

    start: date = Field(description="the start date (receipt date); day 1 is the first working day after it")
    days: int = Field(description="the period, in working days")
    due: date = Field(description="the last day of the period: an act done on it is on time")
    provisional: bool = Field(description="the answer depends on a year without an official schedule")
    region: str | None = Field(description="regional overlay used (null: national calendar)")


class ExplainedDayOut(BaseModel):
    """One calendar day of the period."""

    date: date
    counted: bool
    ordinal: int | None = Field(description="which working day of the period this is, when counted")
    reason: str | None = Field(description="why not counted: weekend, holiday, pause or regional")
    label: str | None = Field(description="the holiday's name, or the holiday a make-up working day belongs to")


class ExplainOut(DueOut):
    """The due date and every day from the day after the start to the due date."""

    days_list: list[ExplainedDayOut]


class NamedDay(BaseModel):
    """A day of a schedule with its name."""

    date: date
    name: str


class YearScheduleOut(BaseModel):
    """A year's days off and weekend make-up working days (调休上班)."""

    year: int
    region: str | None
    provisional: bool = Field(description="no official schedule loaded: estimated from the statutory holidays")
    source: str = Field(description="the State Council notice(s) or statutory rules the days come from")
    fingerprint: str = Field(description="hash of all calendar data in use; changes when the data changes")
    days_off: list[NamedDay]
    makeup_days: list[NamedDay]
