"""Request and response bodies of the assessment API."""

from __future__ import annotations

from datetime import date
from typing import Any

from pydantic import BaseModel, Field


class EventIn(BaseModel):
    """An assessment event posted by a producer other than the workflow."""

    key: str = Field(min_length=1, max_length=200,
                     description="client-given; recorded once per unit (stored as api:<unit>:<key>)")
    kind: str = Field(min_length=3, max_length=80, pattern=r"^[a-z][a-z0-9_]*\.[a-z0-9_.]+$")
    unit: str = Field(min_length=1, max_length=40, description="agency code")
    on: date
    subject: str = Field(default="", max_length=200)
    request_ref: str = Field(default="", max_length=80)
    note: str = Field(default="", max_length=1000)
    amount: float | None = Field(default=None, ge=0, description="assessor's amount (magnitude) or measured value")
    details: dict[str, Any] = Field(default_factory=dict)


class EventOut(BaseModel):
    """What happened to a posted event."""

    key: str
    recorded: bool = Field(description="false: the key was already recorded (nothing changed)")


class EntryIn(BaseModel):
    """An assessor's manual entry; exactly one of amount, count, value."""

    target: str = Field(min_length=1, max_length=80, description="item, component or forced-outcome id")
    unit: str = Field(min_length=1, max_length=40)
    period: str = Field(min_length=4, max_length=10, description="2026 or 2026Q1")
    amount: float | None = Field(default=None, ge=0)
    count: int | None = Field(default=None, ge=0)
    value: float | None = None
    note: str = Field(default="", max_length=1000)
    key: str | None = Field(default=None, max_length=200,
                            description="client-given idempotency key (per scheme and unit)")


class EntryOut(BaseModel):
    """A recorded entry."""

    key: str
    recorded: bool


class SchemeSummary(BaseModel):
    """A scheme in the list."""

    id: str
    title: str
    document: str
    year: int
    periods: list[str]
    structure_only: bool
    example: bool


class SchemeDetail(SchemeSummary):
    """A scheme with its grades, categories, items and rules."""

    scale: float
    grades: list[dict[str, Any]]
    categories: list[dict[str, Any]]
    components: list[dict[str, Any]]
    forced: list[dict[str, Any]]
    ignore: list[str]
    source: str


class ResultsOut(BaseModel):
    """Results of a scheme for a period: one entry per visible unit, with its trail."""

    scheme: str
    period: str
    units: list[dict[str, Any]]
    next_after: str | None = Field(default=None, description="with limit: the unit code to pass as after for "
                                                              "the next page (null: this is the last page)")


def without_trails(value: Any) -> Any:
    """A result's JSON form with every ``trail`` left out (figures, grades and counts stay)."""
    if isinstance(value, dict):
        return {k: without_trails(v) for k, v in value.items() if k != "trail"}
    if isinstance(value, list):
        return [without_trails(v) for v in value]
    return value


class SummaryOut(BaseModel):
    """One page of a scheme's results for a period without trails: per visible unit its total, grade,
    consequences, category and item figures and counts, and ``trail_url``, where its trail is."""

    scheme: str
    period: str
    units: list[dict[str, Any]]
    next_after: str | None = Field(default=None, description="the unit code to pass as after for the next page "
                                                              "(null: this is the last page)")


class AdjustmentIn(BaseModel):
    """An assessor's amount for one recorded event on one item the document leaves to judgement (酌情)."""

    event: str = Field(min_length=1, max_length=300, description="the event's id or stored key")
    item: str = Field(min_length=1, max_length=80, description="item id of the scheme")
    amount: float = Field(ge=0, le=1000, description="points, as a magnitude (the item decides the sign)")
    note: str = Field(min_length=1, max_length=1000, description="why (stays in the trail)")


class AdjustmentOut(BaseModel):
    """A recorded adjustment."""

    id: int
    scheme: str
    event: int
    event_key: str
    item: str
    amount: float
    note: str
    author: str
    at: str | None


class RequestAssessmentEvent(BaseModel):
    """An assessment event a request produced, and the scheme items it lands on."""

    id: int
    kind: str
    kind_name: str
    on: str
    unit: str
    subject: str
    note: str
    source: str
    affects: list[dict[str, Any]]
