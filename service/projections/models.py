"""Projection tables: status counts per unit, and the annual report's per-request facts."""

from __future__ import annotations

from datetime import date

from sqlalchemy import Index, PrimaryKeyConstraint
from sqlmodel import Field, SQLModel

from service.base import metadata  # noqa: F401


class RequestStatusCount(SQLModel, table=True):
    """How many requests of a unit are in a state (the dashboard's counts without a scan)."""

    __tablename__ = "request_status_count"
    __table_args__ = (PrimaryKeyConstraint("agency_id", "status", name="pk_request_status_count"),)

    agency_id: int = Field(foreign_key="agency.id")
    status: str = Field(max_length=30)
    n: int = 0


class ReportFact(SQLModel, table=True):
    """What the annual report needs of one request (``workflow.annual_report.CaseFact``).

    ``finished_on`` is 9999-12-31 while the request is open, so "finished on or after 1 January, or
    not yet" is one index range.
    """

    __tablename__ = "report_fact"
    __table_args__ = (
        Index("ix_report_fact_received", "agency_id", "received_on"),
        Index("ix_report_fact_finished", "agency_id", "finished_on"),
        Index("ix_report_fact_fee", "agency_id", "fee_paid_on"),
    )

    request_id: int = Field(primary_key=True, foreign_key="disclosure_request.id", sa_column_kwargs={"autoincrement": False})
    agency_id: int = Field(foreign_key="agency.id")
    number: str = Field(max_length=80)
    received_on: date
    column: str = Field(max_length=20, description="Table 3 column of the applicant")
    finished_on: date
    finish_row: str = Field(default="", max_length=20)
    finish_error: str = Field(default="", max_length=500)
    fee_paid_on: date | None = None
    fee_amount: str = Field(default="", max_length=30)


class ReportReview(SQLModel, table=True):
    """One reconsideration or lawsuit against a request's reply, for Table 4."""

    __tablename__ = "report_review"
    __table_args__ = (
        PrimaryKeyConstraint("request_id", "review_id", name="pk_report_review"),
        Index("ix_report_review_filed", "agency_id", "filed_on"),
    )

    request_id: int = Field(foreign_key="disclosure_request.id")
    review_id: str = Field(max_length=80)
    agency_id: int = Field(foreign_key="agency.id")
    grp: str = Field(max_length=30)
    filed_on: date
    outcome: str = Field(default="", max_length=30)
    decided_on: date | None = None
