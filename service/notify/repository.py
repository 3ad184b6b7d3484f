"""Queries for the delivery log."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func
from sqlmodel import Session, col, select

from service.notify.models import DeliveryAttempt, Notice, OutboxItem


def deliveries(*, session: Session, agency_ids: Sequence[int], status: str | None = None, limit: int = 200,
               before_id: int | None = None) -> list[tuple[OutboxItem, Notice]]:
    """Newest deliveries of notices about the given units (keyset: ``before_id`` pages back)."""
    stmt = (select(OutboxItem, Notice).join(Notice, col(Notice.id) == OutboxItem.notice_id)
            .where(col(Notice.agency_id).in_(list(agency_ids))))
    if status:
        stmt = stmt.where(OutboxItem.status == status)
    if before_id:
        stmt = stmt.where(col(OutboxItem.id) < before_id)
    return [(o, n) for o, n in session.exec(stmt.order_by(col(OutboxItem.id).desc()).limit(limit))]


def status_counts(*, session: Session, agency_ids: Sequence[int]) -> dict[str, int]:
    """How many deliveries are pending, sending, sent, dead."""
    rows = session.exec(select(OutboxItem.status, func.count()).join(Notice, col(Notice.id) == OutboxItem.notice_id)
                        .where(col(Notice.agency_id).in_(list(agency_ids))).group_by(OutboxItem.status))
    return {s: int(n) for s, n in rows}


def attempts(*, session: Session, outbox_ids: Sequence[int]) -> dict[int, list[DeliveryAttempt]]:
    """The attempts of some deliveries, oldest first."""
    out: dict[int, list[DeliveryAttempt]] = {}
    if not outbox_ids:
        return out
    for a in session.exec(select(DeliveryAttempt).where(col(DeliveryAttempt.outbox_id).in_(list(outbox_ids)))
                          .order_by(DeliveryAttempt.id)):
        out.setdefault(a.outbox_id, []).append(a)
    return out
