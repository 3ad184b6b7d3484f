"""Calendar tables: installed calendar files (the database is where every server reads them from, and
what backups carry) and the recomputation jobs an installation starts."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401  (naming convention before the table)


class CalendarDocument(SQLModel, table=True):
    """One installed national year file (kind ``year``, key ``2027``) or regional overlay (``region``, ``gx``)."""

    __tablename__ = "calendar_document"
    __table_args__ = (UniqueConstraint("kind", "key", name="uq_calendar_document_kind_key"),)

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    key: str = Field(max_length=40)
    data: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    source: str = Field(default="", max_length=500)
    installed_by: int | None = Field(default=None, foreign_key="app_user.id")
    installed_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class CalendarJob(SQLModel, table=True):
    """Recomputing the open requests' due dates after an installation, in batches by request id.

    ``cursor`` is the last request id done; a job still ``running`` after a crash is continued by the
    next `ogi calendar import` (of any file), `ogi calendar resume` or server start."""

    __tablename__ = "calendar_job"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=10)
    key: str = Field(max_length=40)
    sha256: str = Field(max_length=64)
    status: str = Field(default="running", max_length=12, index=True)
    cursor: int = 0
    done: int = 0
    changed: int = 0
    reason: str = Field(default="", max_length=200)
    # Who installed the calendar: the user (``actor_id``, name in ``actor``) or ``cli:<os user>`` for the
    # command line; every due_date_changed event the job records names them (docs/calendar.md).
    actor_id: int | None = Field(default=None, foreign_key="app_user.id")
    actor: str = Field(default="", max_length=120)
    started_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
