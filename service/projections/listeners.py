"""Keep the request row's list key and the per-unit status counts in step with every flush, and index
a request for search when its ``registered`` event is written: in the same transaction, on every
path that writes through the ORM (registration, actions, calendar recomputation, anything added later).
Bulk loads that bypass the ORM repair them with ``ogi report rebuild``."""

from __future__ import annotations

from datetime import date
from typing import Any

from sqlalchemy import event, inspect
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection

from service.projections.models import RequestStatusCount
from service.requests.models import RequestEvent, RequestRecord

NO_DUE = 99_999_999
# The open states (workflow.machine.OPEN_STATUSES), spelt out so this module does not import the
# workflow's state machine at start-up; tests/test_projections.py checks they agree.
OPEN = frozenset({"registered", "reviewing", "awaiting_correction", "consulting", "awaiting_fee"})


def due_key(due_on: date | None) -> int:
    """The sort key of a due date: soonest first, no due date last."""
    return NO_DUE if due_on is None else due_on.toordinal()


def _keys(target: RequestRecord) -> None:
    target.due_key = due_key(target.due_on)
    target.is_open = target.status in OPEN


def bump(connection: Connection, agency_id: int, status: str, delta: int) -> None:
    """Add ``delta`` to a unit's count of a state (insert the row the first time)."""
    table = RequestStatusCount.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(table).values(agency_id=agency_id, status=status, n=delta)
    connection.execute(stmt.on_conflict_do_update(index_elements=["agency_id", "status"],
                                                  set_={"n": table.c.n + delta}))


@event.listens_for(RequestRecord, "before_insert")
def _before_insert(_mapper: Any, connection: Connection, target: RequestRecord) -> None:
    _keys(target)
    bump(connection, target.agency_id, target.status, 1)


@event.listens_for(RequestRecord, "before_update")
def _before_update(_mapper: Any, connection: Connection, target: RequestRecord) -> None:
    _keys(target)
    state = inspect(target)
    status, agency = state.attrs.status.history, state.attrs.agency_id.history
    if status.has_changes() or agency.has_changes():
        old_status = status.deleted[0] if status.deleted else target.status
        old_agency = agency.deleted[0] if agency.deleted else target.agency_id
        # Always lock the two count rows in the same order, so two requests moving in opposite
        # directions (correction asked / received) never wait on each other in a cycle.
        for agency_id, state_name, delta in sorted([(old_agency, old_status, -1),
                                                    (target.agency_id, target.status, 1)]):
            bump(connection, agency_id, state_name, delta)


@event.listens_for(RequestRecord, "before_delete")
def _before_delete(_mapper: Any, connection: Connection, target: RequestRecord) -> None:
    bump(connection, target.agency_id, target.status, -1)


@event.listens_for(RequestEvent, "after_insert")
def _after_event(_mapper: Any, connection: Connection, target: RequestEvent) -> None:
    if target.kind == "registered":
        from service.projections import search

        search.index(connection, target.request_id, search.document(target.data))
