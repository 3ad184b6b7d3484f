"""Recompute every projection from the request rows and their events (``ogi report rebuild``): after a
bulk load, a restore, or to repair one that drifted. Each step is a full recomputation, the same
function the per-action updates use, so a rebuilt projection equals a maintained one."""

from __future__ import annotations

from dataclasses import dataclass
from itertools import groupby

from sqlalchemy import select, text
from sqlmodel import Session

from service.projections import report, search
from service.projections.listeners import NO_DUE, OPEN
from service.requests.eventlog import as_domain
from service.requests.models import RequestEvent, RequestRecord
from workflow.annual_report import fact_of
from workflow.machine import fold


@dataclass
class Rebuilt:
    """How many rows each projection holds after a rebuild."""

    requests: int = 0
    indexed: int = 0
    facts: int = 0


def _open_list() -> str:
    return ", ".join(f"'{s}'" for s in sorted(OPEN))


def rebuild_keys(*, session: Session) -> None:
    """The list sort key and open flag of every request row, and the status counts."""
    conn = session.connection()
    if conn.dialect.name == "postgresql":
        key = f"COALESCE(due_on - DATE '0001-01-01' + 1, {NO_DUE})"
    else:
        key = f"COALESCE(CAST(julianday(due_on) - 1721424.5 AS INTEGER), {NO_DUE})"
    conn.execute(text(f"UPDATE disclosure_request SET due_key = {key}, is_open = (status IN ({_open_list()}))"))
    conn.execute(text("DELETE FROM request_status_count"))
    conn.execute(text("INSERT INTO request_status_count (agency_id, status, n) "
                      "SELECT agency_id, status, count(*) FROM disclosure_request GROUP BY agency_id, status"))


def rebuild_search(*, session: Session) -> int:
    """Re-index every request for text search from its ``registered`` event."""
    conn = session.connection()
    search.clear(conn)
    rows = conn.execute(select(RequestEvent.request_id, RequestEvent.data)  # type: ignore[call-overload]
                        .where(RequestEvent.kind == "registered").order_by(RequestEvent.request_id))
    return search.index_many(conn, ((rid, search.document(data)) for rid, data in rows.all()))


def rebuild_report(*, session: Session, batch: int = 2000) -> int:
    """The annual report's facts of every request, folded from its events (in batches of requests)."""
    conn = session.connection()
    conn.execute(text("DELETE FROM report_review"))
    conn.execute(text("DELETE FROM report_fact"))
    ids = [(rid, aid) for rid, aid in conn.execute(select(RequestRecord.id, RequestRecord.agency_id)  # type: ignore[call-overload]
                                                 .order_by(RequestRecord.id))]
    n = 0
    for start in range(0, len(ids), batch):
        part = ids[start:start + batch]
        agency_of = dict(part)
        rows = session.exec(select(RequestEvent).where(RequestEvent.request_id.in_([i for i, _ in part]))  # type: ignore[attr-defined,call-overload]
                            .order_by(RequestEvent.request_id, RequestEvent.seq)).scalars()
        items = []
        for rid, group in groupby(rows, key=lambda r: r.request_id):
            case = fold(as_domain(group))
            items.append((rid, agency_of[rid], fact_of(case)))
        n += report.insert_many(conn, items)
        session.expunge_all()
    return n


def rebuild_all(*, session: Session) -> Rebuilt:
    """Every projection, in the caller's transaction."""
    rebuild_keys(session=session)
    out = Rebuilt(requests=int(session.connection().execute(text("SELECT count(*) FROM disclosure_request")).scalar()))
    out.indexed = rebuild_search(session=session)
    out.facts = rebuild_report(session=session)
    return out
