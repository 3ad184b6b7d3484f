"""Notices for the office's own steps, to whoever must act next: a draft submitted (to the legal reviewers,
or to the approvers where the unit has no legal review), passed by legal review (to the approvers, to
sign), returned with comments (to its drafter and the case's handler), signed (to the handler, the drafter
and the unit's clerks, who serve the letter); and a letter issued ``OGI_SERVICE_MISSING_DAYS`` working days
ago with no service (送达) recorded, or sent with no date of receipt (to the unit's clerks). All are written in the caller's transaction
through :func:`service.notify.reminders.case_notice`, so they go out on the channels and preferences of
every other notice, and each reaches each person once."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta
from typing import TYPE_CHECKING

from sqlalchemy import and_, or_
from sqlalchemy.orm import aliased
from sqlmodel import Session, col, select

from service.agencies.models import Agency
from service.delivery.models import LetterService
from service.drafts.models import Draft
from service.letters.models import Letter
from service.notify import texts
from service.notify.models import Notice
from service.notify.reminders import case_notice
from service.notify.service import members_of
from service.requests.context import calendar_for, local_today
from service.requests.models import RequestRecord
from service.settings import get_settings
from service.users.models import User
from workflow.delivery import ServiceMethod
from workflow.drafts import legal_review_required
from workflow.machine import ACTIONS, FINAL_STATUSES

if TYPE_CHECKING:  # the desk's presentation imports much; only its type is needed here
    from service.requests.present import ClockView

# Letters issued longer ago than this are history when the sweep first meets them (e.g. the day the
# notices are switched on): they are not announced as hand-offs, however long their service is missing.
LOOKBACK_DAYS = 30
DRAFT_STEPS = ("submitted", "approved", "returned", "signed")


def _members(session: Session, agency_id: int, role: str) -> list[int]:
    return members_of(session=session, agency_ids=[agency_id], role=role).get(agency_id, [])


def _clock(session: Session, record: RequestRecord, day: date) -> ClockView:
    """The case's clock on the agency's ``day`` in the desk's words (service.requests.present, the one clock)."""
    from service.requests.present import clock_view, replay

    return clock_view(session=session, record=record, now=replay(session=session, record=record, as_of=day))


def assigned(*, session: Session, record: RequestRecord, handler: User, actor: User, once: str,
             now: datetime) -> int:
    """分办: tell the handler a case is theirs, with its clock (not when they assigned it to themselves)."""
    if handler.id == actor.id:
        return 0
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    view = _clock(session, record, local_today(agency, now))
    by = actor.display_name or actor.username
    wording = texts.assigned(number=record.number, due_on=view.due_on, days_left=view.days_left, by=by,
                             clock=view.label)
    return case_notice(session=session, kind="assigned", request_id=record.id, agency_id=record.agency_id,  # type: ignore[arg-type]
                       number=record.number, recipients=[handler.id], due_on=view.due_on,  # type: ignore[list-item]
                       days_left=view.days_left, once=once, now=now, wording=wording, extra={"clock": view.label})


def draft_step(*, session: Session, step: str, draft: Draft, record: RequestRecord, actor: User, once: str,
               now: datetime, comment: str = "", letter: Letter | None = None) -> int:
    """Notify who acts next after a draft's ``step`` (one of DRAFT_STEPS); ``once`` names the step (its row
    id), so the same step is notified once. The actor is never told of their own step. Returns the
    outbox rows added."""
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    approvers = _members(session, agency.id, "approver")  # type: ignore[arg-type]
    if step == "submitted":
        legal = legal_review_required(agency.code)
        kind = "draft_submitted" if legal else "draft_to_sign"
        # A unit that requires legal review but has no reviewer: its approvers are the ones who can move it.
        people = (_members(session, agency.id, "reviewer") if legal else []) or approvers  # type: ignore[arg-type]
    elif step == "approved":
        kind, people = "draft_to_sign", approvers
    elif step == "returned":
        kind, people = "draft_returned", [draft.author_id, record.handler_id]
    elif step == "signed":
        kind = "draft_signed"
        people = [record.handler_id, draft.author_id, *_members(session, agency.id, "clerk")]  # type: ignore[arg-type]
    else:
        raise ValueError(f"unknown draft step {step!r}")
    recipients = [p for p in dict.fromkeys(people) if p and p != actor.id]
    if not recipients:
        return 0
    view = _clock(session, record, local_today(agency, now))
    by = actor.display_name or actor.username
    if kind == "draft_signed":
        assert letter is not None, "a signed draft has its letter"
        wording = texts.draft_signed(number=record.number, title=letter.title, letter_number=letter.number, by=by,
                                     due_on=view.due_on, clock=view.label)
    else:
        wording = texts.draft_step(kind, number=record.number, what=ACTIONS[draft.action].label,
                                   version=draft.version, by=by, due_on=view.due_on, clock=view.label,
                                   comment=comment)
    extra = {"draft_id": draft.id, "version": draft.version, "action": draft.action, "clock": view.label}
    if letter is not None:
        extra["letter_number"] = letter.number
    return case_notice(session=session, kind=kind, request_id=record.id, agency_id=record.agency_id,  # type: ignore[arg-type]
                       number=record.number, recipients=recipients, due_on=view.due_on, days_left=view.days_left,
                       once=once, now=now, wording=wording, extra=extra)


def service_missing(*, session: Session, agencies: Mapping[int, Agency], as_of: date | None,
                    now: datetime) -> int:
    """For the daily sweep: notices for letters issued at least ``OGI_SERVICE_MISSING_DAYS`` working days
    before the agency's day (``as_of``, else its today) with no service recorded or no date of receipt
    (except 公告送达), none superseded by a
    correction and none of a closed-for-good case (archived, withdrawn, lapsed). Each letter is
    notified once. Returns the outbox rows added."""
    if not agencies:
        return 0
    need = get_settings().service_missing_days
    days = {aid: as_of or local_today(a, now) for aid, a in agencies.items()}
    newer = aliased(Letter)
    rows = session.exec(
        select(Letter.id, Letter.agency_id, Letter.title, Letter.number, Letter.issued_on, LetterService.method,
               LetterService.sent_on, RequestRecord)
        .join(RequestRecord, col(RequestRecord.id) == Letter.request_id)
        .outerjoin(LetterService, col(LetterService.letter_id) == Letter.id)
        .outerjoin(newer, newer.supersedes_id == Letter.id)
        # No service recorded, or sent with no date of receipt (送达日期) yet. 公告送达 has no receipt to
        # record: the law fixes the day it counts as served.
        .where(or_(col(LetterService.id).is_(None),
                   and_(col(LetterService.received_on).is_(None),
                        col(LetterService.method) != str(ServiceMethod.PUBLIC_NOTICE))),
               newer.id.is_(None),
               col(Letter.agency_id).in_(list(agencies)),
               col(Letter.issued_on) >= min(days.values()) - timedelta(days=LOOKBACK_DAYS),
               col(Letter.issued_on) <= max(days.values()),
               col(RequestRecord.status).not_in([str(s) for s in FINAL_STATUSES]))
        .order_by(Letter.id)).all()
    late = []
    for letter_id, aid, title, letter_number, issued_on, method, sent_on, record in rows:
        day = days[aid]
        if issued_on < day - timedelta(days=LOOKBACK_DAYS) or issued_on > day:
            continue
        worked = calendar_for(agencies[aid]).working_days_between(issued_on, day)
        if worked >= need:
            sent = (ServiceMethod(method), sent_on) if method else None
            late.append((letter_id, title, letter_number, issued_on, worked, sent, record))
    # Unrecorded, then sent but not received: two different things to chase, each told once.
    keys = [f"service_missing:{r.id}:letter{lid}" + (":received" if sent else "") for lid, *_, sent, r in late]
    # Letters already announced are not worded again (the clock of each costs a read of its events).
    told = set(session.exec(select(Notice.key).where(col(Notice.key).in_(keys)))) if keys else set()
    late = [row for row, key in zip(late, keys, strict=True) if key not in told]
    if not late:
        return 0
    views = {r.id: _clock(session, r, days[r.agency_id]) for *_, r in late}
    clerks = members_of(session=session, agency_ids={r.agency_id for *_, r in late}, role="clerk")
    approvers = members_of(session=session, agency_ids={r.agency_id for *_, r in late}, role="approver")
    added = 0
    for letter_id, title, letter_number, issued_on, worked, sent, record in late:
        view = views[record.id]
        # The clerks serve letters; a unit without one: the case's handler, else its approvers.
        people = clerks.get(record.agency_id) or ([record.handler_id] if record.handler_id else []) \
            or approvers.get(record.agency_id, [])
        wording = texts.service_missing(number=record.number, title=title, letter_number=letter_number,
                                        issued_on=issued_on, working_days=worked, due_on=view.due_on,
                                        clock=view.label, sent=(sent[0].label, sent[1]) if sent else None)
        added += case_notice(session=session, kind="service_missing", request_id=record.id,
                             agency_id=record.agency_id, number=record.number, recipients=people,
                             due_on=view.due_on, days_left=view.days_left, now=now,
                             once=f"letter{letter_id}" + (":received" if sent else ""),
                             wording=wording, extra={"letter_number": letter_number,
                                                     "issued_on": issued_on.isoformat(), "working_days": worked})
    return added
