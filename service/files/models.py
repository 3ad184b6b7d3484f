"""Attachment table: one uploaded file of a request (optionally of one of its letters), as received.

The bytes live in the content-addressed store under their sha256; the row says what the file is
(kind, sniffed type, pages) and where it belongs. Rows are never changed or deleted: the upload is
on the request's event chain, and a wrong file is corrected by uploading the right one.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, DateTime
from sqlmodel import Field, SQLModel

from service.base import metadata, refuse_changes, utcnow  # noqa: F401  (naming convention before the table)


class Attachment(SQLModel, table=True):
    """One file attached to a request, a letter of it, or a service record of it."""

    __tablename__ = "attachment"

    id: int | None = Field(default=None, primary_key=True)
    request_id: int = Field(foreign_key="disclosure_request.id", index=True)
    letter_id: int | None = Field(default=None, foreign_key="letter.id", index=True)
    # A proof of service (送达回证, EMS tracking print) belongs to the letter's service record.
    service_id: int | None = Field(default=None, foreign_key="letter_service.id", index=True)
    kind: str = Field(max_length=30)
    filename: str = Field(max_length=255)
    media_type: str = Field(max_length=120)
    file_type: str = Field(max_length=10, description="sniffed from the content: PDF, JPEG, PNG, TIFF, OFD, DOCX, XLSX")
    size: int = Field(sa_column=Column(BigInteger, nullable=False))
    sha256: str = Field(max_length=64, index=True)
    pages: int = 1
    event_seq: int = Field(description="seq of the request event that records this upload (its hash is on the chain)")
    uploaded_by: int | None = Field(default=None, foreign_key="app_user.id")
    uploaded_at: datetime = Field(default_factory=utcnow, sa_column=Column(DateTime(timezone=True), nullable=False))


# Evidence is added to, never edited; disposal of an archived case is a decision people take after review.
refuse_changes(Attachment, changed="an attachment cannot be changed; upload the corrected file",
               deleted="an attachment cannot be deleted", key="attachment_id", code="upload.attachment")
