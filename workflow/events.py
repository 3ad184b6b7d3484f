"""What the workflow emits: domain events (every change of a case), assessment events, letter orders.

The service stores domain events append-only and hash-chained (``service.requests``), forwards
assessment events to the scoring engine's inbox, and renders letter orders as numbered letters.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

# Assessment event kinds the workflow produces (DESIGN.md "Assessment events").
REPLY_LATE = "ogi.reply_late"
REPLY_DEFECT = "ogi.reply_defect"
NOTICE_LATE = "ogi.notice_late"
CASE_CLOSED = "ogi.case_closed"
REVIEW_CORRECTED = "ogi.review_corrected"
ASSESSMENT_KINDS = (REPLY_LATE, REPLY_DEFECT, NOTICE_LATE, CASE_CLOSED, REVIEW_CORRECTED)


@dataclass(frozen=True)
class DomainEvent:
    """One recorded fact about a case (事件). ``on`` is the legal date in the agency's time zone.

    ``data`` holds JSON-serialisable values only (dates as ISO strings), so events can be stored,
    hashed and replayed unchanged.
    """

    kind: str
    on: date
    data: Mapping[str, Any] = field(default_factory=dict)


@dataclass(frozen=True)
class AssessmentEvent:
    """A fact the assessment (考核) engine scores, idempotent on ``key`` = (kind, request, subject)."""

    kind: str
    unit: str
    on: date
    subject: str
    request_ref: str
    note: str = ""
    amount: float | None = None
    details: Mapping[str, Any] = field(default_factory=dict)

    @property
    def key(self) -> str:
        """The idempotency key: the same fact reported twice counts once."""
        return f"{self.kind}:{self.request_ref}:{self.subject}"


@dataclass(frozen=True)
class LetterOrder:
    """A letter an action sends to the applicant or a third party; the service numbers and renders it.

    ``kind`` is one of the letter kinds of LAW.md §6 (``receipt``, ``correction_notice``,
    ``extension_notice``, ``consultation``, ``third_party_opinion``, ``fee_notice``,
    ``reasons_request``, ``reply``); ``fields`` carries the action's content (decision, reason…).
    """

    kind: str
    issued_on: date
    fields: Mapping[str, Any] = field(default_factory=dict)
