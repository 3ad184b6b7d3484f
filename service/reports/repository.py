"""Queries for the annual report: the stored events of one agency's requests."""

from __future__ import annotations

from datetime import date
from itertools import groupby

from sqlmodel import Session, select

from service.requests.eventlog import as_domain
from service.requests.models import RequestEvent, RequestRecord
from workflow.events import DomainEvent


def events_by_request(*, session: Session, agency_id: int, received_until: date) -> list[list[DomainEvent]]:
    """Every request of ``agency_id`` received up to ``received_until``, as its ordered domain events.

    One query for all of them: a unit's year is a few hundred requests, each folded by the caller.
    Requests finished in earlier years are read too; the report decides, by the dates of their
    facts, that they are in none of its rows.
    """
    rows = session.exec(
        select(RequestEvent)
        .join(RequestRecord, RequestRecord.id == RequestEvent.request_id)  # type: ignore[arg-type]
        .where(RequestRecord.agency_id == agency_id)
        .where(RequestRecord.received_on <= received_until)  # type: ignore[operator]
        .order_by(RequestEvent.request_id, RequestEvent.seq)  # type: ignore[arg-type]
    )
    return [as_domain(group) for _, group in groupby(rows, key=lambda r: r.request_id)]
