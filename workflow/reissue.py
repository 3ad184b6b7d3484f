"""Void and reissue (作废/重新出具) of a letter: what the workflow records when a letter is superseded.

Reading (docs/workflow.md "Void and reissue"): a superseded **reply** counts as one defect of the reply
(``ogi.reply_defect``), because the applicant was given a wrong decision letter, whatever the later
correction; the policy switch ``superseded_reply_is_defect`` turns this off for a province that only
counts defects the applicant complains of. Superseding a procedural notice is recorded on the case but
is not an assessment event.
"""

from __future__ import annotations

from datetime import date

from workflow.errors import InvalidField
from workflow.events import REPLY_DEFECT, AssessmentEvent, DomainEvent


def superseded(*, request_number: str, unit: str, kind: str, old_id: int, old_number: str, new_number: str,
               reason: str, on: date, by: str, reply_is_defect: bool) -> tuple[DomainEvent, list[AssessmentEvent]]:
    """The case event of a supersede and, for a reply under the default reading, its defect event."""
    if not reason or not reason.strip():
        raise InvalidField("reason", "say why the letter is voided and what the new one corrects",
                           code="reissue.reason_required")
    data = {"letter_kind": kind, "old_letter_id": old_id, "old_number": old_number, "new_number": new_number,
            "reason": reason.strip(), "by": by}
    assessment: list[AssessmentEvent] = []
    if kind == "reply" and reply_is_defect:
        assessment.append(AssessmentEvent(
            kind=REPLY_DEFECT, unit=unit, on=on, subject=f"superseded:{old_id}", request_ref=request_number,
            note=f"答复书 {old_number} 作废，由 {new_number} 重新出具：{reason.strip()}",
            details={"request_number": request_number, "letter_kind": kind, "old_number": old_number,
                     "new_number": new_number, "reason": reason.strip(), "superseded": True}))
    return DomainEvent("letter_superseded", on, data), assessment
