"""Per-unit, per-month tallies of assessment events (`assessment_tally`), what the scoring summary reads.

Kept in the same transaction as the events: :func:`count_in` runs on the rows the inbox has just
inserted. :func:`recompute` counts them from every event (the repair, `ogi score rebuild`, and what
the tests compare the maintained tallies with).
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy import delete, func, select
from sqlalchemy.dialects import postgresql, sqlite
from sqlmodel import Session

from scoring.tallied import Tally, month_of
from service.assessment.models import AssessmentEventRecord, AssessmentTally

Class = tuple[str, str, date, str]   # unit, kind, month, amount as stored


def amount_text(amount: float | None) -> str:
    """An event's amount as a tally stores it: the float's repr, which the service reads as a Decimal."""
    return "" if amount is None else repr(float(amount))


def count_in(*, session: Session, rows: Iterable[tuple[str, str, date, float | None]]) -> None:
    """Add newly recorded events (unit, kind, on, amount) to their tallies, in the caller's transaction."""
    counts = Counter((unit, kind, month_of(on), amount_text(amount)) for unit, kind, on, amount in rows)
    if not counts:
        return
    dialect = session.get_bind().dialect.name
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    table = AssessmentTally.__table__  # type: ignore[attr-defined]
    stmt = insert(table)
    stmt = stmt.on_conflict_do_update(index_elements=["unit", "kind", "month", "amount"],
                                      set_={"n": table.c.n + stmt.excluded.n})
    session.execute(stmt, [{"unit": u, "kind": k, "month": m, "amount": a, "n": n}
                           for (u, k, m, a), n in sorted(counts.items())])


def recompute(*, session: Session) -> dict[Class, int]:
    """Every tally, counted from the events themselves."""
    e = AssessmentEventRecord
    rows = session.execute(select(e.unit, e.kind, e.on, e.amount, func.count())  # type: ignore[call-overload]
                           .group_by(e.unit, e.kind, e.on, e.amount))
    out: Counter[Class] = Counter()
    for unit, kind, on, amount, n in rows:
        out[(unit, kind, month_of(on), amount_text(amount))] += n
    return dict(out)


def stored(*, session: Session) -> dict[Class, int]:
    """The tallies as kept (classes with a count above zero)."""
    t = AssessmentTally
    return {(u, k, m, a): n for u, k, m, a, n in session.execute(select(t.unit, t.kind, t.month, t.amount, t.n))  # type: ignore[call-overload]
            if n}


def rebuild(*, session: Session) -> int:
    """Replace every tally with the count from the events (`ogi score rebuild`); the number of tallies."""
    counts = recompute(session=session)
    session.execute(delete(AssessmentTally))
    rows = [{"unit": u, "kind": k, "month": m, "amount": a, "n": n} for (u, k, m, a), n in sorted(counts.items())]
    for start in range(0, len(rows), 5000):
        session.execute(AssessmentTally.__table__.insert(), rows[start:start + 5000])  # type: ignore[attr-defined]
    return len(rows)


def between(*, session: Session, units: Sequence[str], start: date, end: date) -> list[Tally]:
    """The tallies of ``units`` for the months ``start``..``end`` (both the first of a month or inside one)."""
    t = AssessmentTally
    wanted = set(units)
    rows = session.execute(select(t.unit, t.kind, t.month, t.amount, t.n)  # type: ignore[call-overload]
                           .where(t.month >= month_of(start), t.month <= end, t.n > 0))
    return [Tally(u, k, m, None if a == "" else Decimal(a), n) for u, k, m, a, n in rows if u in wanted]
