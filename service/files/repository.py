"""Attachment queries."""

from __future__ import annotations

from collections.abc import Iterator, Sequence

from sqlmodel import Session, select

from service.files.models import Attachment


def for_request(*, session: Session, request_id: int) -> list[Attachment]:
    """A request's attachments in upload order."""
    return list(session.exec(select(Attachment).where(Attachment.request_id == request_id).order_by(Attachment.id)))


def for_requests(*, session: Session, request_ids: Sequence[int]) -> dict[int, list[Attachment]]:
    """Attachments of several requests at once, by request id."""
    out: dict[int, list[Attachment]] = {rid: [] for rid in request_ids}
    if request_ids:
        for row in session.exec(select(Attachment).where(Attachment.request_id.in_(request_ids))  # type: ignore[attr-defined]
                                .order_by(Attachment.id)):
            out[row.request_id].append(row)
    return out


def get(*, session: Session, attachment_id: int) -> Attachment | None:
    """One attachment by id."""
    return session.get(Attachment, attachment_id)


def every(*, session: Session, batch: int = 500) -> Iterator[Attachment]:
    """Every attachment, in id order, a batch at a time (for verification of large stores)."""
    last = 0
    while True:
        rows = list(session.exec(select(Attachment).where(Attachment.id > last).order_by(Attachment.id).limit(batch)))
        if not rows:
            return
        yield from rows
        last = rows[-1].id  # type: ignore[assignment]


def for_letter_service(*, session: Session, letter_id: int) -> list[Attachment]:
    """The proofs attached to a letter's service record, in upload order."""
    from service.delivery.models import LetterService

    return list(session.exec(select(Attachment).join(LetterService, LetterService.id == Attachment.service_id)
                             .where(LetterService.letter_id == letter_id).order_by(Attachment.id)))
