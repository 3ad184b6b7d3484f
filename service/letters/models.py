"""Letter table: every numbered letter sent to an applicant or third party, as issued (immutable).

A correction is a new row whose ``supersedes_id`` points at the letter it replaces; both stay. The
HTML snapshot (stylesheet and seal image inlined) is what was sent, so a reprint shows the law and
wording of its issue date even after templates or legal data change.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, Text, UniqueConstraint, event
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401  (naming convention before the table)
from workflow.errors import Conflict


class Letter(SQLModel, table=True):
    """One issued letter (文书): number, kind, the HTML snapshot and what its element check found."""

    __tablename__ = "letter"
    __table_args__ = (
        # Backstop of the gap-free counter: one number per (agency, kind, year, seq).
        UniqueConstraint("agency_id", "kind", "year", "seq", name="uq_letter_serial"),
        UniqueConstraint("agency_id", "number", name="uq_letter_number"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    kind: str = Field(max_length=40)
    decision: str | None = Field(default=None, max_length=40)
    year: int
    seq: int
    number: str = Field(max_length=120)
    title: str = Field(max_length=200)
    issued_on: date
    addressee: str = Field(default="", max_length=200)
    html: str = Field(sa_column=Column(Text, nullable=False))
    sha256: str = Field(max_length=64)
    clause_versions: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    fields: str = Field(default="{}", sa_column=Column(Text, nullable=False, default="{}"))
    missing: str = Field(default="[]", sa_column=Column(Text, nullable=False, default="[]"))
    forced: bool = False
    seal_mode: str = Field(max_length=20)
    seal_confirmed: bool = False
    supersedes_id: int | None = Field(default=None, foreign_key="letter.id", index=True, unique=True)
    actor_user_id: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


@event.listens_for(Letter, "before_update")
def _refuse_update(_mapper, _connection, target: Letter) -> None:  # type: ignore[no-untyped-def]
    # Issued letters are legal documents: a change is a new letter that supersedes this one.
    raise Conflict("an issued letter cannot be changed; issue a correction that supersedes it",
                   code="letter.issued_immutable", letter_id=target.id)


@event.listens_for(Letter, "before_delete")
def _refuse_delete(_mapper, _connection, target: Letter) -> None:  # type: ignore[no-untyped-def]
    raise Conflict("an issued letter cannot be deleted", code="letter.issued_undeletable", letter_id=target.id)
