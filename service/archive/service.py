"""Archive use cases: give an archived case its 档号 and 保管期限 (in the archiving transaction), archive
several replied cases at once, list cases due for disposal review. Never commits."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from service.archive import policy, repository
from service.archive.models import ArchiveRecord
from service.counters import next_number
from service.requests import eventlog
from service.requests.models import RequestRecord
from workflow.errors import InvalidField
from workflow.events import DomainEvent

FILED_EVENT = "archive_filed"


def archive_year(case: Any, archived_on: date) -> int:
    """年度 of a case: the year it was closed (its reply), else the year it was archived."""
    reply = getattr(case, "reply", None)
    return reply.issued_on.year if reply is not None else archived_on.year


def file_case(*, session: Session, record: RequestRecord, agency: Any, case: Any, archived_on: date,
              actor_id: int | None, now: datetime) -> ArchiveRecord:
    """Give the case just archived its 档号 (next 件号 of its unit, year, retention and class, gap-free)
    and 保管期限, and put them on its event chain; same transaction as the ``archived`` event."""
    unit = policy.for_unit(agency.code)
    retention = unit.retention_for(has_review=bool(getattr(case, "reviews", ())))
    year = archive_year(case, archived_on)
    series = f"archive:{policy.RETENTIONS[retention][0]}:{unit.org}"
    seq = next_number(session=session, agency_id=agency.id, series=series, year=year)
    number = policy.archive_number(fonds=unit.fonds, year=year, retention=retention, org=unit.org, seq=seq)
    row = ArchiveRecord(request_id=record.id, agency_id=agency.id, fonds=unit.fonds, year=year,  # type: ignore[arg-type]
                        retention=retention, org=unit.org, seq=seq, number=number, archived_on=archived_on,
                        disposal_review_on=policy.disposal_review_on(year, retention), created_at=now)
    session.add(row)
    session.flush()
    eventlog.append(session=session, record=record, actor_id=actor_id, now=now, events=[DomainEvent(
        FILED_EVENT, archived_on, {"archive_number": number, "retention": retention, "year": year,
                                   "disposal_review_on": row.disposal_review_on})])
    return row


def archive_many(*, session: Session, user: Any, visible: set[int], request_ids: Sequence[int],
                 on: date | None = None) -> list[ArchiveRecord]:
    """Archive several replied cases in one transaction (all or none); each gets its 档号 in turn."""
    from service.requests.service import act

    if not request_ids:
        raise InvalidField("request_ids", "choose at least one case", code="archive.none_chosen")
    payload: dict[str, Any] = {"action": "archive", **({"on": on.isoformat()} if on else {})}
    done = []
    for rid in sorted(set(request_ids)):
        act(session=session, user=user, visible=visible, request_id=rid, payload=payload)
        row = repository.for_request(session=session, request_id=rid)
        assert row is not None
        done.append(row)
    return done


def archive_out(row: ArchiveRecord | None) -> dict[str, Any]:
    """An archive record as the API shows it."""
    if row is None:
        return {"archived": False}
    return {"archived": True, "request_id": row.request_id, "archive_number": row.number, "fonds": row.fonds,
            "year": row.year, "retention": row.retention, "org": row.org, "item": row.seq,
            "archived_on": row.archived_on, "disposal_review_on": row.disposal_review_on}


def due_for_review(*, session: Session, visible: set[int], as_of: date | None = None,
                   limit: int = 1000) -> list[ArchiveRecord]:
    """Archived cases of the user's units past their 保管期限 on ``as_of`` (default today, UTC+8 date)."""
    from zoneinfo import ZoneInfo

    from service.base import utcnow
    from service.settings import get_settings

    day = as_of or utcnow().astimezone(ZoneInfo(get_settings().timezone)).date()
    return repository.due_for_review(session=session, agency_ids=sorted(visible), as_of=day, limit=limit)
