"""Letter API shapes (Pydantic): metadata with the element check, and the upload check report."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel


class ElementCheck(BaseModel):
    """Element check of a letter: codes found, missing and not checkable, with their Chinese names."""

    found: list[str]
    missing: list[str]
    unchecked: list[str] = []
    labels: dict[str, str]
    decision: str | None = None


class LetterSummary(BaseModel):
    """One letter in a request's list."""

    id: int
    kind: str
    title: str
    number: str
    issued_on: date
    decision: str | None
    forced: bool
    superseded_by: int | None = None
    supersedes: int | None = None


class LetterOut(LetterSummary):
    """A letter's metadata: who it went to, seal, law cited, and its element check as issued."""

    request_id: int
    addressee: str
    seal_mode: str
    seal_confirmed: bool
    clause_versions: dict[str, str]
    sha256: str
    created_at: datetime
    check: ElementCheck


class CheckReport(ElementCheck):
    """Result of checking an uploaded letter; ``recorded`` is true when a defect event was recorded."""

    pages: int
    characters: int
    recorded: bool = False
    method: str = "text"
    seal_kind: str = ""
    note: str = ""
