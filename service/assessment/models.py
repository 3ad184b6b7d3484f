"""Assessment tables: the event inbox (unique on key), assessors' manual entries, and which scheme
applies to the units below which supervising office."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401


class AssessmentEventRecord(SQLModel, table=True):
    """One assessment event (考核事件) as received; the same ``key`` is recorded once, ever."""

    __tablename__ = "assessment_event"
    __table_args__ = (Index("ix_assessment_event_unit_on", "unit", "on"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True,
                     description="workflow: <kind>:<request>:<subject>; other producers: <source>:<unit>:<their key>")
    kind: str = Field(max_length=80, index=True)
    unit: str = Field(max_length=40, description="agency code")
    on: date
    subject: str = Field(default="", max_length=200)
    request_ref: str = Field(default="", max_length=80, index=True)
    note: str = Field(default="", max_length=1000)
    amount: float | None = None
    details: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    source: str = Field(default="workflow", max_length=20, description="workflow | api")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class AssessmentEntryRecord(SQLModel, table=True):
    """An assessor's manual entry on an item, component or forced outcome of a scheme."""

    __tablename__ = "assessment_entry"
    __table_args__ = (Index("ix_assessment_entry_scheme_period", "scheme_id", "period"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=400, unique=True, description="<scheme>:<unit>:<client key>")
    scheme_id: str = Field(max_length=80)
    target: str = Field(max_length=80)
    unit: str = Field(max_length=40, description="agency code")
    period: str = Field(max_length=10)
    amount: float | None = None
    count: int | None = None
    value: float | None = None
    note: str = Field(default="", max_length=1000)
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class SchemeAssignment(SQLModel, table=True):
    """Scheme ``scheme_id`` scores the units below supervising office ``agency_id``.

    ``units`` maps agency code → {"type": …, "target_points": …} for schemes that need unit types
    (sub-unit aggregation, tables by unit type) or per-unit target points.
    """

    __tablename__ = "scheme_assignment"
    __table_args__ = (UniqueConstraint("agency_id", "scheme_id", name="uq_scheme_assignment_office_scheme"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    scheme_id: str = Field(max_length=80)
    include_office: bool = False
    units: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))


class AssessmentAdjustment(SQLModel, table=True):
    """An assessor's amount for one recorded event on one item of a scheme (酌情), with who and why.

    Never updated or deleted: a later adjustment of the same event and item replaces the amount in the
    score, and every one stays in the trail.
    """

    __tablename__ = "assessment_adjustment"
    __table_args__ = (Index("ix_assessment_adjustment_scheme_event", "scheme_id", "event_key"),)

    id: int | None = Field(default=None, primary_key=True)
    scheme_id: str = Field(max_length=80)
    event_key: str = Field(max_length=300)
    item: str = Field(max_length=80)
    amount: float
    note: str = Field(max_length=1000)
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    author_name: str = Field(default="", max_length=120)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class AssessmentTally(SQLModel, table=True):
    """How many assessment events of one kind a unit has in one month with one amount: what the scoring
    summary reads instead of every event. Kept in the same transaction as the events it counts
    (`service/assessment/tallies.py`); `ogi score rebuild` recomputes it from the events."""

    __tablename__ = "assessment_tally"
    __table_args__ = (UniqueConstraint("unit", "kind", "month", "amount", name="uq_assessment_tally_class"),
                      Index("ix_assessment_tally_month", "month", "unit"))

    id: int | None = Field(default=None, primary_key=True)
    unit: str = Field(max_length=40, description="agency code")
    kind: str = Field(max_length=80)
    month: date = Field(description="the first day of the events' month")
    amount: str = Field(default="", max_length=40,
                        description="the events' amount as the service reads it (repr of the float); '' for none")
    n: int = Field(description="number of events in this class")
