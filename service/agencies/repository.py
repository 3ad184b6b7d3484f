"""Every query on agencies."""

from __future__ import annotations

from sqlmodel import Session, select

from service.agencies.models import Agency


def by_code(*, session: Session, code: str) -> Agency | None:
    """The agency with ``code``, if any."""
    return session.exec(select(Agency).where(Agency.code == code)).first()


def all_agencies(*, session: Session) -> list[Agency]:
    """Every agency, ordered by code."""
    return list(session.exec(select(Agency).order_by(Agency.code)))


def descendants(*, session: Session, agency_id: int) -> set[int]:
    """``agency_id`` and every unit below it in the supervision tree."""
    children: dict[int | None, list[int]] = {}
    for a in all_agencies(session=session):
        children.setdefault(a.parent_id, []).append(a.id)  # type: ignore[arg-type]
    seen, todo = {agency_id}, [agency_id]
    while todo:
        for child in children.get(todo.pop(), []):
            if child not in seen:
                seen.add(child)
                todo.append(child)
    return seen
