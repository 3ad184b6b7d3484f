"""Drafts (拟稿) in versions, their steps (submit, legal review, return, sign) and assignments (分办).

Each step row records the day it happened and the internal stage deadline it was due by, so the
timeliness report is a plain aggregate; none of this touches the statutory clock.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401  (naming convention before the table)


class Draft(SQLModel, table=True):
    """A proposed outgoing action of a request; ``letter_id`` once signed."""

    __tablename__ = "draft"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    action: str = Field(max_length=40)
    status: str = Field(max_length=20, index=True)
    version: int = 1
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    letter_id: int | None = Field(default=None, foreign_key="letter.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class DraftVersion(SQLModel, table=True):
    """One version of a draft's parameters (JSON), never changed."""

    __tablename__ = "draft_version"
    __table_args__ = (UniqueConstraint("draft_id", "version", name="uq_draft_version_draft_id_version"),)

    id: int | None = Field(default=None, primary_key=True)
    draft_id: int = Field(foreign_key="draft.id", index=True)
    version: int
    params: str = Field(sa_column=Column(Text, nullable=False))
    author_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


class WorkStep(SQLModel, table=True):
    """A step of the office's internal handling: assign, draft (submit), review, return, sign."""

    __tablename__ = "work_step"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    draft_id: int | None = Field(default=None, foreign_key="draft.id", index=True)
    stage: str = Field(max_length=20)           # assign | draft | review | sign | return
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    assignee_id: int | None = Field(default=None, foreign_key="app_user.id")
    version: int | None = None
    comment: str = Field(default="", sa_column=Column(Text, nullable=False, default=""))
    done_on: date
    due_on: date | None = None                  # the internal stage deadline (never the statutory one)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
