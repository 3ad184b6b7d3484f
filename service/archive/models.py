"""Archive table: the 档号 and 保管期限 given to a case when it is archived (one row per archived case)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime, UniqueConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata, refuse_changes, utcnow  # noqa: F401  (naming convention before the table)


class ArchiveRecord(SQLModel, table=True):
    """A case's place in the archive: 全宗号-年度-保管期限-机构（问题）-件号 (DA/T 22-2015)."""

    __tablename__ = "archive_record"
    __table_args__ = (
        # Backstop of the gap-free counter: one 件号 per unit, year, retention and class.
        UniqueConstraint("agency_id", "year", "retention", "org", "seq", name="uq_archive_record_item"),
    )

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", unique=True)
    agency_id: int = Field(foreign_key="agency.id", index=True)
    fonds: str = Field(max_length=40, description="全宗号")
    year: int = Field(index=True, description="年度 (the year the case was closed)")
    retention: str = Field(max_length=10, description="保管期限: 10年, 30年 or 永久")
    org: str = Field(default="", max_length=40, description="机构或问题 (may be empty)")
    seq: int = Field(description="件号, gap-free per unit, year, retention and class")
    number: str = Field(max_length=160, unique=True, description="档号")
    archived_on: date
    disposal_review_on: date | None = Field(default=None, index=True,
                                            description="first day the retention period has run (None: 永久)")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


# Evidence is added to, never edited; disposal of an archived case is a decision people take after review.
refuse_changes(ArchiveRecord, changed="an archive number cannot be changed",
               deleted="an archived case cannot be deleted", key="archive_id", code="archive.record")
