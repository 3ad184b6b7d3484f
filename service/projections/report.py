"""The annual report's per-request facts (``report_fact``, ``report_review``): written with the events
that change them, read one unit-year at a time."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Connection
from sqlmodel import Session

from service.projections.models import ReportFact, ReportReview
from workflow.annual_report import CaseFact, ReviewFact, fact_of
from workflow.machine import Case

OPEN_END = date(9999, 12, 31)


def rows_of(request_id: int, agency_id: int, fact: CaseFact) -> tuple[dict, list[dict]]:
    """The table rows of one request's facts."""
    done = fact.finished
    row = {"request_id": request_id, "agency_id": agency_id, "number": fact.number, "received_on": fact.received_on,
           "column": fact.column, "finished_on": done[0] if done else OPEN_END, "finish_row": done[1] if done else "",
           "finish_error": fact.finish_error[:500], "fee_paid_on": fact.fee_paid_on, "fee_amount": fact.fee_amount}
    reviews = [{"request_id": request_id, "review_id": r.id, "agency_id": agency_id, "grp": r.group,
                "filed_on": r.filed_on, "outcome": r.outcome or "", "decided_on": r.decided_on} for r in fact.reviews]
    return row, reviews


def store(*, session: Session, request_id: int, agency_id: int, case: Case) -> None:
    """Write one request's facts (in the caller's transaction, with the events that changed them)."""
    row, reviews = rows_of(request_id, agency_id, fact_of(case))
    connection = session.connection()
    fact_t, review_t = ReportFact.__table__, ReportReview.__table__  # type: ignore[attr-defined]
    insert = postgresql.insert if connection.dialect.name == "postgresql" else sqlite.insert
    stmt = insert(fact_t).values(row)
    connection.execute(stmt.on_conflict_do_update(index_elements=["request_id"],
                                                  set_={k: stmt.excluded[k] for k in row if k != "request_id"}))
    connection.execute(delete(review_t).where(review_t.c.request_id == request_id))
    if reviews:
        connection.execute(review_t.insert(), reviews)


def insert_many(connection: Connection, items: Iterable[tuple[int, int, CaseFact]]) -> int:
    """Insert the facts of many requests (a rebuild, after the tables were emptied)."""
    fact_t, review_t = ReportFact.__table__, ReportReview.__table__  # type: ignore[attr-defined]
    facts, reviews, n = [], [], 0
    for request_id, agency_id, fact in items:
        row, revs = rows_of(request_id, agency_id, fact)
        facts.append(row)
        reviews += revs
        n += 1
        if len(facts) >= 2000:
            connection.execute(fact_t.insert(), facts)
            if reviews:
                connection.execute(review_t.insert(), reviews)
            facts, reviews = [], []
    if facts:
        connection.execute(fact_t.insert(), facts)
    if reviews:
        connection.execute(review_t.insert(), reviews)
    return n


def year_facts(*, session: Session, agency_id: int, agency_code: str, year: int, cutoff: date) -> list[CaseFact]:
    """The facts of every request that can be in a row of ``year``'s report (cut at ``cutoff``):
    received in the year, received before it and not finished before it, or with a review filed in it
    (with only the reviews filed in the year: the others are in no cell). Requests finished in
    earlier years are not read."""
    start = date(year, 1, 1)
    f, r = ReportFact.__table__, ReportReview.__table__  # type: ignore[attr-defined]
    new = select(f).where(f.c.agency_id == agency_id, f.c.received_on >= start, f.c.received_on <= cutoff)
    carried = select(f).where(f.c.agency_id == agency_id, f.c.finished_on >= start, f.c.received_on < start)
    reviewed = select(r.c.request_id).where(r.c.agency_id == agency_id, r.c.filed_on >= start,
                                            r.c.filed_on <= cutoff)
    rows = {row.request_id: row for q in (new, carried) for row in session.connection().execute(q)}
    extra = [i for (i,) in session.connection().execute(reviewed) if i not in rows]
    for chunk in range(0, len(extra), 500):
        for row in session.connection().execute(select(f).where(f.c.request_id.in_(extra[chunk:chunk + 500]))):
            rows[row.request_id] = row
    ids = sorted(rows)
    # Only reviews filed in the year are counted (Table 4), so only those are read: one index range.
    reviews: dict[int, list[ReviewFact]] = {}
    in_year = (select(r).where(r.c.agency_id == agency_id, r.c.filed_on >= start, r.c.filed_on <= cutoff)
               .order_by(r.c.request_id, r.c.review_id))
    for rv in session.connection().execute(in_year):
        reviews.setdefault(rv.request_id, []).append(
            ReviewFact(id=rv.review_id, group=rv.grp, filed_on=rv.filed_on, outcome=rv.outcome or None,
                       decided_on=rv.decided_on))
    out = []
    for i in ids:
        row = rows[i]
        finished = None if row.finished_on == OPEN_END or not row.finish_row else (row.finished_on, row.finish_row)
        out.append(CaseFact(number=row.number, agency_code=agency_code, received_on=row.received_on,
                            column=row.column, finished=finished, finish_error=row.finish_error,
                            reviews=tuple(reviews.get(i, ())), fee_paid_on=row.fee_paid_on,
                            fee_amount=row.fee_amount))
    return out
