"""Recording and reading administrative changes (the caller's transaction; never commits)."""

from __future__ import annotations

import getpass
from typing import Any

from sqlmodel import Session, col, select

from service.adminlog.models import AdminChange
from service.users.models import User


def cli_actor() -> str:
    """The actor named for a command-line change: the operating-system user running ``ogi``."""
    try:
        return f"cli:{getpass.getuser()}"
    except (KeyError, OSError):  # no passwd entry (some containers): still say it came from the shell
        return "cli:unknown"


def record(*, session: Session, actor: User | str, action: str, target: str = "", **detail: Any) -> AdminChange:
    """Record one change by ``actor`` (a user, or a CLI actor string from :func:`cli_actor`)."""
    row = AdminChange(actor_id=actor.id if isinstance(actor, User) else None,
                      actor=actor.username if isinstance(actor, User) else actor,
                      action=action, target=target[:200], detail=detail)
    session.add(row)
    session.flush()
    return row


def recent(*, session: Session, action: str | None = None, limit: int = 50) -> list[AdminChange]:
    """The latest changes, newest first (optionally of one ``action``)."""
    stmt = select(AdminChange).order_by(col(AdminChange.id).desc()).limit(limit)
    if action is not None:
        stmt = stmt.where(AdminChange.action == action)
    return list(session.exec(stmt))
