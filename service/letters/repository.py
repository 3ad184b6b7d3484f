"""Every letter query."""

from __future__ import annotations

from collections.abc import Sequence

from sqlmodel import Session, select

from service.letters.models import Letter


def get(*, session: Session, letter_id: int) -> Letter | None:
    """One letter by id."""
    return session.get(Letter, letter_id)


def for_request(*, session: Session, request_id: int) -> Sequence[Letter]:
    """A request's letters in issue order."""
    return session.exec(select(Letter).where(Letter.request_id == request_id).order_by(Letter.id)).all()


def superseded_by(*, session: Session, letter_id: int) -> Letter | None:
    """The letter that corrects ``letter_id``, if any."""
    return session.exec(select(Letter).where(Letter.supersedes_id == letter_id)).first()


def superseded_ids(*, session: Session, letter_ids: Sequence[int]) -> dict[int, int]:
    """``{old id: new id}`` for the given letters that have been superseded."""
    if not letter_ids:
        return {}
    rows = session.exec(select(Letter.supersedes_id, Letter.id).where(Letter.supersedes_id.in_(letter_ids))).all()  # type: ignore[union-attr]
    return {int(old): int(new) for old, new in rows if old is not None}
