"""Users (with one role, scoped to an agency) and their API tokens."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import Column, DateTime, false
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401


class User(SQLModel, table=True):
    """A person using the desk. ``role`` is a workflow.machine.Role value."""

    __tablename__ = "app_user"

    id: int | None = Field(default=None, primary_key=True)
    username: str = Field(max_length=80, unique=True, index=True)
    display_name: str = Field(default="", max_length=120)
    role: str = Field(max_length=20)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    password_hash: str = Field(max_length=200)
    active: bool = True
    # May make changes that reach every unit (a national calendar; a scheme no single tree owns).
    # Granted only from the command line (`ogi user add --deployment-admin`, `ogi user deployment-admin`).
    deployment_admin: bool = Field(default=False, sa_column_kwargs={"server_default": false()})
    failed_logins: int = 0
    # Bumped at logout: every web session cookie issued before then stops working.
    session_version: int = 0
    locked_until: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))


class ApiToken(SQLModel, table=True):
    """A bearer token; only its SHA-256 is stored."""

    __tablename__ = "api_token"

    id: int | None = Field(default=None, primary_key=True)
    user_id: int = Field(foreign_key="app_user.id", index=True)
    name: str = Field(default="", max_length=120)
    token_hash: str = Field(max_length=64, unique=True, index=True)
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True)))
    revoked_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True)))
