"""Gap-free legal serial numbers per (agency, series, year): request numbers, letter numbers.

One row per series, bumped with ``INSERT … ON CONFLICT DO UPDATE … RETURNING`` in the caller's
transaction, so a rollback gives the number back and two writers never get the same one
(never a database sequence: those leave gaps on rollback). The unique constraints on the rows
that take the numbers are the backstop.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlmodel import Field, Session, SQLModel

from service.base import metadata  # noqa: F401  (naming convention before the table)


class SerialCounter(SQLModel, table=True):
    """The last number given out in one series (e.g. agency 3, series ``request``, year 2026)."""

    __tablename__ = "serial_counter"

    agency_id: int = Field(primary_key=True)
    series: str = Field(primary_key=True, max_length=40)
    year: int = Field(primary_key=True)
    last: int = 0


_BUMP = text(
    "INSERT INTO serial_counter (agency_id, series, year, last) VALUES (:a, :s, :y, 1) "
    "ON CONFLICT (agency_id, series, year) DO UPDATE SET last = serial_counter.last + 1 "
    "RETURNING last"
)


def next_number(*, session: Session, agency_id: int, series: str, year: int) -> int:
    """Take the next number of a series inside the caller's transaction (1, 2, 3, … without gaps)."""
    return int(session.execute(_BUMP, {"a": agency_id, "s": series, "y": year}).scalar_one())


def format_number(prefix: str, year: int, seq: int) -> str:
    """The official number style: ``常住建依申复〔2026〕12号``."""
    return f"{prefix}〔{year}〕{seq}号"
