"""The applicant's monthly request count for 按件 fees, taken from the requests on record."""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, func, or_
from sqlmodel import Session, col, select

from service.requests.models import RequestRecord


def month_bounds(day: date) -> tuple[date, date]:
    """First and last day of the natural month of ``day``."""
    first = day.replace(day=1)
    nxt = date(first.year + (first.month == 12), first.month % 12 + 1, 1)
    return first, date.fromordinal(nxt.toordinal() - 1)


def monthly_count(*, session: Session, record: RequestRecord) -> int:
    """This request's ordinal among the same applicant's requests to the same agency received in the same
    natural month (the same person across ID spellings: ``applicant_key``), by receipt date then number."""
    if not record.applicant_key or record.received_on is None:
        return 1
    first, last = month_bounds(record.received_on)
    earlier = or_(col(RequestRecord.received_on) < record.received_on,
                  and_(col(RequestRecord.received_on) == record.received_on, col(RequestRecord.id) <= record.id))
    stmt = select(func.count()).select_from(RequestRecord).where(
        RequestRecord.agency_id == record.agency_id, RequestRecord.applicant_key == record.applicant_key,
        col(RequestRecord.received_on) >= first, col(RequestRecord.received_on) <= last, earlier)
    return int(session.exec(stmt).one())
