"""What every action handler shares: the ``Result`` triple, a letter's case fields, an assessment event."""

from __future__ import annotations

from datetime import date
from typing import Any

from workflow.events import AssessmentEvent, DomainEvent, LetterOrder
from workflow.machine.case import Case
from workflow.machine.parameters import Ctx


def letter_base(case: Case) -> dict[str, Any]:
    """The fields every letter of this case carries."""
    applicant = case.applicant
    return {
        "request_number": case.number,
        "agency_code": case.agency_code,
        "applicant_name": applicant.get("name"),
        "applicant": dict(applicant),
        "receipt_date": case.receipt_date.isoformat(),
        "description": case.description,
    }


def assessment_event(ctx: Ctx, event_kind: str, on: date, subject: str, note: str, /,
                **details: Any) -> AssessmentEvent:
    """An assessment event about this case; ``details`` always carry the request number."""
    base = {"request_number": ctx.case.number}
    base.update({k: (v.isoformat() if isinstance(v, date) else v) for k, v in details.items()})
    return AssessmentEvent(kind=event_kind, unit=ctx.case.agency_code, on=on, subject=subject,
                           request_ref=ctx.case.number, note=note, details=base)


# What every handler returns: (events, assessment events, letter orders).
Result = tuple[list[DomainEvent], list[AssessmentEvent], list[LetterOrder]]
