"""Notification tables: where notices go (targets), what each person wants (preferences), the notices,
the outbox of deliveries (one row per notice × recipient × channel), its attempt log, and the daily
sweep runs (one per agency and local day: the lease that lets exactly one server run it)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime, Index, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401

CHANNEL_KINDS = ("email", "wecom", "dingtalk", "webhook")


class NotifyTarget(SQLModel, table=True):
    """A place notices are delivered to: a person's e-mail address (``user_id``) or a unit's group robot
    or OA webhook (``agency_id``). ``secret`` signs 钉钉 and generic webhooks."""

    __tablename__ = "notify_target"

    id: int | None = Field(default=None, primary_key=True)
    kind: str = Field(max_length=20)
    address: str = Field(max_length=500, description="e-mail address or http(s) URL")
    secret: str | None = Field(default=None, max_length=200)
    name: str = Field(default="", max_length=120)
    agency_id: int | None = Field(default=None, foreign_key="agency.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    active: bool = True
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class NotifyPreference(SQLModel, table=True):
    """One person's choices: which of their channels, e-mail as a daily digest or at once, quiet hours
    (local "HH:MM"; nothing personal is delivered between them, overdue notices wait too)."""

    __tablename__ = "notify_preference"

    user_id: int = Field(foreign_key="app_user.id", primary_key=True)
    channels: list[str] = Field(default_factory=lambda: ["email"], sa_column=Column(JSON, nullable=False))
    mode: str = Field(default="digest", max_length=20)
    quiet_start: str | None = Field(default=None, max_length=5)
    quiet_end: str | None = Field(default=None, max_length=5)


class Notice(SQLModel, table=True):
    """Something that needs someone (a reminder, a hand-off), written in the same transaction as its event;
    ``key`` makes it once only (e.g. ``reminder:12:3:2026-08-05``)."""

    __tablename__ = "notice"

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=200, unique=True)
    kind: str = Field(max_length=40)
    request_id: int | None = Field(default=None, foreign_key="disclosure_request.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    urgent: bool = False
    subject: str = Field(max_length=300)
    body: str = Field(sa_column=Column(Text, nullable=False))
    link: str = Field(default="", max_length=500)
    data: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class OutboxItem(SQLModel, table=True):
    """One delivery of one notice to one recipient on one channel. ``key`` (notice × recipient × channel)
    is unique, so a notice reaches each of them at most once; the worker claims, sends, and marks it."""

    __tablename__ = "notify_outbox"
    __table_args__ = (Index("ix_notify_outbox_due", "status", "next_attempt_at"),)

    id: int | None = Field(default=None, primary_key=True)
    key: str = Field(max_length=300, unique=True)
    notice_id: int = Field(foreign_key="notice.id", index=True)
    target_id: int = Field(foreign_key="notify_target.id", index=True)
    user_id: int | None = Field(default=None, foreign_key="app_user.id")
    channel: str = Field(max_length=20)
    mode: str = Field(default="immediate", max_length=20, description="immediate | digest")
    status: str = Field(default="pending", max_length=20, description="pending | sending | sent | dead")
    attempts: int = 0
    next_attempt_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    claimed_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    last_error: str | None = Field(default=None, sa_column=Column(Text))
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class DeliveryAttempt(SQLModel, table=True):
    """One try at delivering an outbox item (the delivery log admins read)."""

    __tablename__ = "notify_attempt"

    id: int | None = Field(default=None, primary_key=True)
    outbox_id: int = Field(foreign_key="notify_outbox.id", index=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    ok: bool
    error: str | None = Field(default=None, sa_column=Column(Text))
    duration_ms: int = 0
    worker: str = Field(default="", max_length=120)


class SweepRun(SQLModel, table=True):
    """The daily sweep of one agency on one local day. Inserting the row claims the day (the unique key
    lets exactly one server win); ``heartbeat_at`` lets another take over a run whose server died."""

    __tablename__ = "sweep_run"
    __table_args__ = (UniqueConstraint("agency_id", "day", name="uq_sweep_run_day"),)

    id: int | None = Field(default=None, primary_key=True)
    agency_id: int = Field(foreign_key="agency.id")
    day: date
    holder: str = Field(max_length=120)
    started_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    heartbeat_at: datetime = Field(sa_column=Column(DateTime(timezone=True), nullable=False))
    finished_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    result: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
