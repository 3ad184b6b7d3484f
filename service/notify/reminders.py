"""Notices for what the daily sweep found (T-5, T-3, T-1 and overdue) and for hand-offs on a case
(assigned; drafts submitted, returned, signed; a service date missing). Each builds NoticeDrafts and
hands them to :func:`service.notify.service.enqueue` in the caller's transaction."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlmodel import Session

from service.notify import texts
from service.notify.service import NoticeDraft, approvers_of, case_link, enqueue


@dataclass(frozen=True)
class Found:
    """One reminder the sweep has just recorded (new: a repeated sweep finds nothing new)."""

    request_id: int
    agency_id: int
    number: str
    handler_id: int | None
    threshold: int
    due_on: date
    days_left: int


def reminder_notices(*, session: Session, found: Sequence[Found], now: datetime) -> int:
    """Notices for new reminders: to the case's handler, or to the unit's approvers while nobody has the
    case; an overdue case goes to both. Returns the outbox rows added."""
    if not found:
        return 0
    approvers = approvers_of(session=session, agency_ids={f.agency_id for f in found})
    drafts = []
    for f in found:
        boss = approvers.get(f.agency_id, [])
        if f.threshold == 0:
            subject, body = texts.overdue(number=f.number, due_on=f.due_on, days_late=-f.days_left)
            people = ([f.handler_id] if f.handler_id else []) + boss
            kind = "overdue"
        else:
            subject, body = texts.reminder(number=f.number, due_on=f.due_on, days_left=f.days_left,
                                           threshold=f.threshold)
            people = [f.handler_id] if f.handler_id else boss
            kind = "reminder"
        drafts.append(NoticeDraft(
            key=f"reminder:{f.request_id}:{f.threshold}:{f.due_on.isoformat()}", kind=kind, agency_id=f.agency_id,
            subject=subject, body=body, recipients=people, request_id=f.request_id, urgent=f.threshold == 0,
            link=case_link(f.request_id),
            data={"number": f.number, "due_on": f.due_on.isoformat(), "days_left": f.days_left,
                  "threshold": f.threshold}))
    return enqueue(session=session, drafts=drafts, now=now)


def case_notice(*, session: Session, kind: str, request_id: int, agency_id: int, number: str,
                recipients: Sequence[int], due_on: date | None, days_left: int | None, once: str,
                now: datetime, by: str = "", note: str = "", wording: tuple[str, str] | None = None,
                extra: dict[str, Any] | None = None) -> int:
    """A hand-off notice about one case (``kind`` one of texts.KINDS), written with its event.

    ``once`` makes the key (e.g. the event's sequence number): the same hand-off is notified once.
    ``wording`` (subject, text) replaces the generic text; ``extra`` is added to the data webhooks get.
    Drafts (submitted / returned / signed) and service records (送达) use it: service.notify.handoffs.
    """
    if wording is not None:
        subject, body = wording
    elif kind == "assigned":
        subject, body = texts.assigned(number=number, due_on=due_on, days_left=days_left, by=by or "负责人")
    else:
        subject, body = texts.event(kind, number=number, due_on=due_on, days_left=days_left, note=note)
    draft = NoticeDraft(key=f"{kind}:{request_id}:{once}", kind=kind, agency_id=agency_id, subject=subject,
                        body=body, recipients=[r for r in recipients if r], request_id=request_id,
                        link=case_link(request_id),
                        data={"number": number, "due_on": due_on.isoformat() if due_on else None,
                              "days_left": days_left, **(extra or {})})
    return enqueue(session=session, drafts=[draft], now=now)
