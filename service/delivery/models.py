"""Service records (送达): how and when each letter reached its recipient.

One row per letter (the letter itself is immutable; its service is recorded after it). ``id`` is the
handle a proof attachment (signed receipt, EMS tracking print, e-mail delivery report) attaches to.
"""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import Column, DateTime
from sqlmodel import Field, SQLModel

from service.base import metadata, utcnow  # noqa: F401  (naming convention before the table)


class LetterService(SQLModel, table=True):
    """The service of one letter: method, EMS number, sent and received dates, who recorded them."""

    __tablename__ = "letter_service"

    id: int | None = Field(default=None, primary_key=True)
    letter_id: int = Field(foreign_key="letter.id", unique=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    subject: str = Field(max_length=40)
    method: str = Field(max_length=20)
    ems_number: str | None = Field(default=None, max_length=20)
    sent_on: date
    received_on: date | None = None
    # Service by e-mail sent from the desk: the address, the Message-ID and when SMTP accepted it.
    email_to: str | None = Field(default=None, max_length=320)
    message_id: str | None = Field(default=None, max_length=250)
    sent_at: datetime | None = Field(default=None, sa_column=Column(DateTime(timezone=True), nullable=True))
    recorded_by: int | None = Field(default=None, foreign_key="app_user.id")
    created_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
    updated_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))
