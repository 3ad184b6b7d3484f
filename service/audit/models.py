"""Audit tables: the deployment-wide ledger (one keyed entry per recorded row), its head, checkpoints."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401  (naming convention before the table)


class AuditEntry(SQLModel, table=True):
    """One recorded row (a request, an event, a letter, an assessment event) in deployment order:
    ``mac`` = HMAC(key, seq, kind, row id, the row's digest, the previous entry's mac)."""

    __tablename__ = "audit_entry"
    __table_args__ = (UniqueConstraint("kind", "ref_id", name="uq_audit_entry_kind_ref"),)

    seq: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    kind: str = Field(max_length=20)
    ref_id: int
    digest: str = Field(max_length=64)
    mac: str = Field(max_length=64)


class AuditHead(SQLModel, table=True):
    """The ledger's last entry (one row, id 1), locked by each writer as the last thing before commit,
    and the rows that predate the keyed ledger (ids up to the ``legacy_*`` marks, set by the migration)."""

    __tablename__ = "audit_head"

    id: int = Field(primary_key=True, sa_column_kwargs={"autoincrement": False})
    seq: int = 0
    mac: str = Field(default="", max_length=64)
    legacy_request_max: int = 0
    legacy_event_max: int = 0
    legacy_letter_max: int = 0
    legacy_assessment_max: int = 0
    keyed_since: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class AuditCheckpoint(SQLModel, table=True):
    """A checkpoint taken with `ogi audit checkpoint` (also printed, to be kept outside the database)."""

    __tablename__ = "audit_checkpoint"

    id: int | None = Field(default=None, primary_key=True)
    seq: int
    mac: str = Field(max_length=64)
    key_id: str = Field(max_length=16)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
