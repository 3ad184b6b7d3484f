"""Every query on requests, events and reminders."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import func, or_, text, tuple_
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.projections.models import RequestStatusCount
from service.requests.models import IdempotencyRecord, Reminder, RequestRecord
from workflow.errors import InvalidField


def get(*, session: Session, request_id: int, lock: bool = False) -> RequestRecord | None:
    """One request; ``lock`` takes its row lock (PostgreSQL ``FOR UPDATE``; SQLite's write lock is
    already held by ``BEGIN IMMEDIATE``) so two actions on it run one after the other."""
    stmt = select(RequestRecord).where(RequestRecord.id == request_id)
    if lock:
        stmt = stmt.with_for_update()
    return session.exec(stmt).first()


def by_idempotency_key(*, session: Session, user_id: int, key: str) -> IdempotencyRecord | None:
    """The earlier answer to this user's ``Idempotency-Key``."""
    return session.exec(select(IdempotencyRecord).where(IdempotencyRecord.user_id == user_id,
                                                        IdempotencyRecord.key == key)).first()


# A count over a text or date filter stops here ("more than 1,000") instead of scanning every match.
COUNT_CAP = 1_000


@dataclass(frozen=True)
class Page:
    """One page of a list: the rows with their agency codes, the total (exact, or ``COUNT_CAP`` with
    ``exact`` False when the filter matched more), and the cursors of the next and previous pages."""

    rows: list[tuple[RequestRecord, str]]
    total: int
    exact: bool
    next_after: str | None
    prev_before: str | None


def cursor(record: RequestRecord) -> str:
    """The keyset cursor of a row in the due-date order: ``<due_key>.<id>``."""
    return f"{record.due_key}.{record.id}"


def _parse_cursor(value: str | None, name: str) -> tuple[int, int] | None:
    if not value:
        return None
    try:
        key, _, rid = value.partition(".")
        parsed = int(key), int(rid)
    except ValueError:
        raise InvalidField(name, "not a cursor from an earlier page", code="request.cursor_invalid") from None
    if not all(0 <= v < 2**62 for v in parsed):
        raise InvalidField(name, "not a cursor from an earlier page", code="request.cursor_invalid")
    return parsed


def page(*, session: Session, agency_ids: Sequence[int], q: str | None = None, status: Sequence[str] = (),
         due_from: date | None = None, due_to: date | None = None, agency_id: int | None = None,
         offset: int = 0, limit: int = 50, order: str = "due", after: str | None = None,
         before: str | None = None, where: Sequence = ()) -> Page:
    """Requests of the given agencies matching the filters, soonest due first (``order="due"``, by the
    indexed ``due_key``) or newest first, one page: by keyset (``after``/``before`` a cursor) or by
    ``offset``. Text goes through the search index (service.projections.search)."""
    from service.projections import search as text_search
    from service.projections.listeners import OPEN

    ids = sorted(set(agency_ids) if agency_id is None else set(agency_ids) & {agency_id})
    if not ids:
        return Page([], 0, True, None, None)
    if len(ids) == 1:
        conds: list = [RequestRecord.agency_id == ids[0]]
    elif session.get_bind().dialect.name == "sqlite":
        # Several units (an assessor's view): walk the (due_key, id) order and skip other units' rows,
        # rather than collect every row of the units and sort them; SQLite's planner needs the hint
        # (``+ 0`` keeps it off the agency index). PostgreSQL weighs both plans itself.
        conds = [(RequestRecord.agency_id + 0).in_(ids)]
    else:
        conds = [col(RequestRecord.agency_id).in_(ids)]
    statuses = sorted(set(status))
    if statuses and set(statuses) == OPEN:
        conds.append(col(RequestRecord.is_open).is_(True))  # the open queue has its own index
    elif statuses:
        conds.append(col(RequestRecord.status).in_(statuses))
    conds.extend(where)
    text_filtered = bool(where)  # further terms: counted by capped scan, not from the per-unit counts
    if q:
        runs = text_search.query_runs(q)
        if not runs:  # only punctuation or operators: nothing to look for
            return Page([], 0, True, None, None)
        from workflow.identity import id_key

        sql, params = text_search.match_sql(session.get_bind().dialect.name, runs)
        # An ID number also matches however it was typed (case, spaces, full-width, the old 15-digit form).
        conds.append(or_(text(sql).bindparams(**params), RequestRecord.applicant_key == id_key(q)))
        text_filtered = True
    if due_from:
        conds.append(col(RequestRecord.due_on) >= due_from)
    if due_to:
        conds.append(col(RequestRecord.due_on) <= due_to)
    if text_filtered or due_from or due_to:
        capped = select(RequestRecord.id).where(*conds).limit(COUNT_CAP + 1).subquery()
        total = int(session.exec(select(func.count()).select_from(capped)).one())
        exact = total <= COUNT_CAP
        total = min(total, COUNT_CAP)
    else:
        total, exact = _counted(session=session, agency_ids=ids, statuses=statuses), True
    stmt = select(RequestRecord, Agency.code).join(Agency, Agency.id == RequestRecord.agency_id).where(*conds)
    if order != "due":
        rows = session.exec(stmt.order_by(col(RequestRecord.id).desc()).offset(offset).limit(limit)).all()
        return Page([(r, c) for r, c in rows], total, exact, None, None)
    key = tuple_(RequestRecord.due_key, RequestRecord.id)
    after_key, before_key = _parse_cursor(after, "after"), _parse_cursor(before, "before")
    if before_key is not None:
        rows = list(session.exec(stmt.where(key < tuple_(*before_key))
                                 .order_by(col(RequestRecord.due_key).desc(), col(RequestRecord.id).desc())
                                 .limit(limit + 1)).all())
        more_before = len(rows) > limit
        rows = rows[:limit][::-1]
        out = [(r, c) for r, c in rows]
        return Page(out, total, exact, cursor(out[-1][0]) if out else None,
                    cursor(out[0][0]) if out and more_before else None)
    stmt = stmt.where(key > tuple_(*after_key)) if after_key is not None else stmt.offset(offset)
    rows = list(session.exec(stmt.order_by(RequestRecord.due_key, RequestRecord.id).limit(limit + 1)).all())
    more = len(rows) > limit
    out = [(r, c) for r, c in rows[:limit]]
    has_prev = after_key is not None or offset > 0
    return Page(out, total, exact, cursor(out[-1][0]) if out and more else None,
                cursor(out[0][0]) if out and has_prev else None)


def _counted(*, session: Session, agency_ids: Sequence[int], statuses: Sequence[str]) -> int:
    """A count from the per-unit status counts (no scan of the requests)."""
    stmt = select(func.coalesce(func.sum(RequestStatusCount.n), 0)).where(
        col(RequestStatusCount.agency_id).in_(list(agency_ids)))
    if statuses:
        stmt = stmt.where(col(RequestStatusCount.status).in_(list(statuses)))
    return int(session.exec(stmt).one())


def search(*, session: Session, agency_ids: Sequence[int], q: str | None = None, status: Sequence[str] = (),
           due_from: date | None = None, due_to: date | None = None, agency_id: int | None = None,
           offset: int = 0, limit: int = 50, order: str = "due", where: Sequence = ()
           ) -> tuple[list[tuple[RequestRecord, str]], int]:
    """Requests of the given agencies matching the filters, with the agency code; and the total count
    (capped at ``COUNT_CAP`` when a text, date or ``where`` filter matched more). ``where``: further terms
    on the request row (the dashboard's worklist filters). See :func:`page`."""
    found = page(session=session, agency_ids=agency_ids, q=q, status=status, due_from=due_from, due_to=due_to,
                 agency_id=agency_id, offset=offset, limit=limit, order=order, where=where)
    return found.rows, found.total


def status_counts(*, session: Session, agency_ids: Sequence[int]) -> dict[str, int]:
    """How many requests are in each state (from the per-unit counts kept with every change)."""
    rows = session.exec(select(RequestStatusCount.status, func.sum(RequestStatusCount.n)).where(
        col(RequestStatusCount.agency_id).in_(list(agency_ids))).group_by(RequestStatusCount.status)).all()
    return {s: int(n) for s, n in rows if n}


def reminders_for(*, session: Session, agency_ids: Sequence[int], user_id: int | None = None,
                  limit: int = 200) -> list[tuple[Reminder, RequestRecord]]:
    """Reminders of running requests in the given agencies (the user's own or unassigned cases when
    ``user_id`` is given), the most urgent one per request, soonest due first, at most ``limit``.

    Walks the open queue in due order (an index) and stops after ``limit`` requests with a reminder
    for their current due date: the soonest due are the ones the sweep reminded of, so this reads a
    page, not every reminder ever found (they pile up, one per threshold and due date)."""
    has = (select(Reminder.id).where(Reminder.request_id == RequestRecord.id, Reminder.due_on == RequestRecord.due_on)
           .exists())
    ids = sorted(set(agency_ids))
    stmt = (select(RequestRecord)
            .where(col(RequestRecord.agency_id).in_(ids), col(RequestRecord.is_open).is_(True),
                   col(RequestRecord.status).in_(["registered", "reviewing"]), has))
    if user_id is not None:
        stmt = stmt.where(or_(col(RequestRecord.handler_id).is_(None), RequestRecord.handler_id == user_id))
    records = list(session.exec(stmt.order_by(RequestRecord.due_key, RequestRecord.id).limit(limit)).all())
    if not records:
        return []
    by_id = {r.id: r for r in records}
    best: dict[int, Reminder] = {}
    for reminder in session.exec(select(Reminder).where(col(Reminder.request_id).in_(list(by_id)))
                                 .order_by(Reminder.id)):
        if reminder.due_on != by_id[reminder.request_id].due_on:
            continue  # found for an earlier due date
        current = best.get(reminder.request_id)
        if current is None or reminder.threshold < current.threshold:
            best[reminder.request_id] = reminder
    out = [(m, by_id[rid]) for rid, m in best.items()]
    return sorted(out, key=lambda pair: (pair[0].due_on, pair[0].threshold))
