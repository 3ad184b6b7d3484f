"""The administrative change log table."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Column, DateTime
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401


class AdminChange(SQLModel, table=True):
    """One change that reaches beyond a single request: a calendar installed, a scheme assigned, units
    imported, an account disabled or a token revoked. ``actor`` is the user's name, or ``cli:<os user>``
    for the command line (whoever has a shell on the server); ``actor_id`` links the user when there is one."""

    __tablename__ = "admin_change"

    id: int | None = Field(default=None, primary_key=True)
    at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    actor_id: int | None = Field(default=None, foreign_key="app_user.id", index=True)
    actor: str = Field(max_length=120)
    action: str = Field(max_length=40, index=True)
    target: str = Field(default="", max_length=200)
    detail: dict[str, Any] = Field(default_factory=dict, sa_column=Column(JSON, nullable=False))
