"""Shared table helpers: the metadata naming convention (set before any model) and UTC time."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlmodel import SQLModel

SQLModel.metadata.naming_convention = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}
metadata = SQLModel.metadata


def utcnow() -> datetime:
    """Now, in UTC (every stored timestamp is UTC; users see the agency's zone)."""
    return datetime.now(UTC)


def refuse_changes(model: type, *, changed: str, deleted: str, key: str, code: str) -> None:
    """Make rows of ``model`` append-only: any ORM update or delete raises ``Conflict`` with the row id
    under ``key`` (records that are evidence are corrected by adding a row, never by editing one). Its codes
    are ``{code}_changed`` and ``{code}_deleted`` (worded in workflow/error_catalogue.toml)."""
    from sqlalchemy import event

    from workflow.errors import Conflict

    def _update(_mapper, _connection, target) -> None:  # type: ignore[no-untyped-def]
        raise Conflict(changed, code=f"{code}_changed", **{key: target.id})

    def _delete(_mapper, _connection, target) -> None:  # type: ignore[no-untyped-def]
        raise Conflict(deleted, code=f"{code}_deleted", **{key: target.id})

    event.listen(model, "before_update", _update)
    event.listen(model, "before_delete", _delete)
