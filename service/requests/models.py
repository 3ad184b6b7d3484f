"""Request tables: the case row (a projection of its events), the append-only hash-chained event log,
sweep reminders and idempotency keys."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401
from workflow.errors import Conflict


class RequestRecord(SQLModel, table=True):
    """A disclosure request (依申请公开申请). Everything here is derived from its events and kept
    for queries; the events are the record."""

    __tablename__ = "disclosure_request"
    __table_args__ = (
        UniqueConstraint("agency_id", "year", "seq", name="uq_disclosure_request_serial"),
        Index("ix_disclosure_request_open_due", "status", "due_on"),
        # Lists sort by (due_key, id): open queue of every unit, of one unit, and all requests.
        Index("ix_disclosure_request_queue", "is_open", "due_key", "id"),
        Index("ix_disclosure_request_agency_queue", "agency_id", "is_open", "due_key", "id"),
        Index("ix_disclosure_request_agency_due", "agency_id", "due_key", "id"),
        Index("ix_disclosure_request_due_key", "due_key", "id"),
        Index("ix_disclosure_request_status_due", "status", "due_key", "id"),
    )

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    year: int
    seq: int
    number: str = Field(max_length=80, unique=True)
    status: str = Field(max_length=30, index=True)
    applicant_name: str = Field(max_length=200, index=True)
    applicant_kind: str = Field(max_length=40)
    # The applicant's ID number folded to one key per person (workflow.identity.id_key): search, fee counts.
    applicant_key: str = Field(default="", max_length=60, index=True)
    channel: str = Field(max_length=20)
    received_on: date | None = Field(default=None, index=True)
    due_on: date | None = Field(default=None, index=True)
    # The list order "soonest due first, no due date last" as one indexable integer (the ordinal of
    # due_on, NO_DUE when there is none), and whether the request is still being handled; both kept
    # by service.projections.listeners on every flush.
    due_key: int = Field(default=99_999_999)
    is_open: bool = Field(default=True)
    provisional: bool = False
    paused: bool = False
    description: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    decision: str | None = Field(default=None, max_length=40)
    replied_on: date | None = None
    handler_id: int | None = Field(default=None, foreign_key="app_user.id")
    event_count: int = 0
    last_hash: str = Field(default="", max_length=64)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class RequestEvent(SQLModel, table=True):
    """One fact about a request, never updated or deleted; ``hash`` chains it to the previous one
    of the same request (数据可核实、过程可追溯)."""

    __tablename__ = "request_event"
    __table_args__ = (UniqueConstraint("request_id", "seq", name="uq_request_event_seq"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    seq: int
    kind: str = Field(max_length=40)
    on: date
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    recorded_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    prev_hash: str = Field(max_length=64)
    hash: str = Field(max_length=64, unique=True)


class Reminder(SQLModel, table=True):
    """A "due soon" or "overdue" reminder found by ``ogi sweep`` (one per request, threshold and due date)."""

    __tablename__ = "reminder"
    __table_args__ = (UniqueConstraint("request_id", "threshold", "due_on", name="uq_reminder_once"),)

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    threshold: int = Field(description="working days left when found; 0 = overdue")
    due_on: date
    found_on: date
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class IdempotencyRecord(SQLModel, table=True):
    """The answer already given to a POST carrying an ``Idempotency-Key``."""

    __tablename__ = "idempotency_record"
    __table_args__ = (UniqueConstraint("user_id", "key", name="uq_idempotency_user_key"),)

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id")
    key: str = Field(max_length=200)
    fingerprint: str = Field(max_length=64)
    request_id: int = Field(foreign_key="disclosure_request.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


@event.listens_for(RequestEvent, "before_update")
def _refuse_update(_mapper, _connection, target: RequestEvent) -> None:  # type: ignore[no-untyped-def]
    # The log is the record: a correction is a new event, never an edit (ogi audit verify catches raw SQL).
    raise Conflict("a recorded event cannot be changed", code="request.event_immutable", event_id=target.id)


@event.listens_for(RequestEvent, "before_delete")
def _refuse_delete(_mapper, _connection, target: RequestEvent) -> None:  # type: ignore[no-untyped-def]
    raise Conflict("a recorded event cannot be deleted", code="request.event_undeletable", event_id=target.id)


# Read projections (sort key, status counts, search index) follow every change of a request row.
import service.projections.listeners  # noqa: E402,F401
