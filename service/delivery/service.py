"""Recording the service (送达) of a letter: the record, and the events that let the clock count the
windows that run from the recipient's receipt (correction, fee, consultation)."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime
from typing import Any

from sqlmodel import Session, select

from service.agencies.models import Agency
from service.base import utcnow
from service.delivery.models import LetterService
from service.letters import repository as letters
from service.letters.models import Letter
from service.requests import eventlog
from service.requests.context import local_today
from service.users.models import User
from workflow.delivery import check_service, parse_method
from workflow.errors import ActionNotAllowed, Conflict, InvalidField, NotFound
from workflow.events import DomainEvent
from workflow.machine import Role, parse_date

RECORDERS = (Role.CLERK, Role.HANDLER, Role.APPROVER)


def subject_of(*, session: Session, letter: Letter) -> str:
    """What the letter's receipt starts: ``correction``, ``fee``, ``consultation:<n>``, ``reply``, or its own.

    A consultation letter is the n-th of its request (a correction of a letter counts as the one it
    corrects), matching the n-th consultation of the case.
    """
    simple = {"correction_notice": "correction", "fee_notice": "fee", "reply": "reply"}
    if letter.kind in simple:
        return simple[letter.kind]
    if letter.kind == "consultation":
        originals = [x for x in letters.for_request(session=session, request_id=letter.request_id)
                     if x.kind == "consultation" and x.supersedes_id is None]
        root = letter
        while root.supersedes_id is not None:
            older = letters.get(session=session, letter_id=root.supersedes_id)
            if older is None:
                break
            root = older
        return f"consultation:{[x.id for x in originals].index(root.id) + 1}"
    return f"{letter.kind}:{letter.id}"


def visible_letter(*, session: Session, letter_id: int, visible: set[int]) -> Letter:
    """The letter if the user's units include its agency; otherwise NotFound."""
    letter = letters.get(session=session, letter_id=letter_id)
    if letter is None or letter.agency_id not in visible:
        raise NotFound(f"letter {letter_id} not found")
    return letter


def get(*, session: Session, letter_id: int) -> LetterService | None:
    """The service record of a letter, if any."""
    return session.exec(select(LetterService).where(LetterService.letter_id == letter_id)).first()


def for_request(*, session: Session, request_id: int) -> list[LetterService]:
    """A request's service records in letter order."""
    return list(session.exec(select(LetterService).where(LetterService.request_id == request_id)
                             .order_by(LetterService.letter_id)).all())


def _date(data: Mapping[str, Any], name: str, default: date | None) -> date | None:
    raw = data.get(name)
    if raw in (None, ""):
        return default
    return parse_date(raw if isinstance(raw, date) else str(raw), name)


def _refuse_role(user: User) -> None:
    if user.role not in RECORDERS:
        raise ActionNotAllowed("-", "record_service", [], f"role {user.role} does not record service",
                               code="action.role_not_allowed", role=str(user.role))


def record(*, session: Session, user: User, visible: set[int], letter_id: int, data: Mapping[str, Any],
           now: datetime | None = None) -> LetterService:
    """Record how and when a letter was served (and, if known, received); one record per letter.

    422: service date before the letter or in the future, received before sent, malformed EMS number.
    409: the letter's service is already recorded (record the receipt with :func:`record_receipt`).
    """
    now = now or utcnow()
    letter, request, agency = unserved(session=session, user=user, visible=visible, letter_id=letter_id)
    today = local_today(agency, now)
    method = parse_method(data.get("method"))
    sent_on = _date(data, "sent_on", today)
    received_on = _date(data, "received_on", None)
    assert sent_on is not None
    ems = check_service(method=method, sent_on=sent_on, received_on=received_on,
                        ems_number=(str(data["ems_number"]) if data.get("ems_number") else None),
                        issued_on=letter.issued_on, today=today)
    return store(session=session, user=user, letter=letter, request=request, agency=agency, now=now,
                 row=LetterService(method=str(method), ems_number=ems, sent_on=sent_on, received_on=received_on))


def unserved(*, session: Session, user: User, visible: set[int], letter_id: int) -> tuple[Letter, Any, Agency]:
    """(letter, its request locked, agency) for recording a first service; refuses a role that does not
    record service (409), an unknown letter (404) and a letter whose service is recorded already (409)."""
    _refuse_role(user)
    letter = visible_letter(session=session, letter_id=letter_id, visible=visible)
    from service.requests.service import get_visible

    request = get_visible(session=session, request_id=letter.request_id, visible=visible, lock=True)
    if get(session=session, letter_id=letter_id) is not None:
        raise Conflict("the service of this letter is already recorded; record its receipt instead",
                       code="service.already_recorded", letter_id=letter_id)
    agency = session.get(Agency, letter.agency_id)
    assert agency is not None
    return letter, request, agency


def store(*, session: Session, user: User, letter: Letter, request: Any, agency: Agency, row: LetterService,
          now: datetime) -> LetterService:
    """Save a checked service record with its ``letter_sent`` (and ``letter_received``) events."""
    row.letter_id, row.request_id = letter.id, letter.request_id  # type: ignore[assignment]
    row.subject = subject_of(session=session, letter=letter)
    row.recorded_by, row.created_at, row.updated_at = user.id, now, now
    session.add(row)
    sent = {"subject": row.subject, "method": row.method, "ems_number": row.ems_number, "letter_id": letter.id,
            "letter_number": letter.number}
    if row.email_to:
        sent.update(email_to=row.email_to, message_id=row.message_id)
    events = [DomainEvent("letter_sent", row.sent_on, sent)]
    if row.received_on is not None:
        events.append(DomainEvent("letter_received", row.received_on, {"subject": row.subject, "letter_id": letter.id}))
    _write(session=session, request=request, agency=agency, events=events, user=user, now=now)
    return row


def record_receipt(*, session: Session, user: User, visible: set[int], letter_id: int, data: Mapping[str, Any],
                   now: datetime | None = None) -> LetterService:
    """Record the day the recipient received a letter already sent (signed-for date, e-mail delivery)."""
    now = now or utcnow()
    _refuse_role(user)
    letter = visible_letter(session=session, letter_id=letter_id, visible=visible)
    from service.requests.service import get_visible

    request = get_visible(session=session, request_id=letter.request_id, visible=visible, lock=True)
    row = get(session=session, letter_id=letter_id)
    if row is None:
        raise Conflict("record how the letter was sent first", code="service.not_sent", letter_id=letter_id)
    if row.received_on is not None:
        raise Conflict(f"the receipt is already recorded ({row.received_on})", code="service.already_received",
                       letter_id=letter_id, received_on=str(row.received_on))
    agency = session.get(Agency, letter.agency_id)
    assert agency is not None
    today = local_today(agency, now)
    received_on = _date(data, "received_on", None)
    if received_on is None:
        raise InvalidField("received_on", "required", code="field.required")
    check_service(method=parse_method(row.method), sent_on=row.sent_on, received_on=received_on,
                  ems_number=row.ems_number, issued_on=letter.issued_on, today=today)
    row.received_on = received_on
    row.updated_at = now
    session.add(row)
    _write(session=session, request=request, agency=agency,
           events=[DomainEvent("letter_received", received_on, {"subject": row.subject, "letter_id": letter_id})],
           user=user, now=now)
    return row


def _write(*, session: Session, request: Any, agency: Agency, events: list[DomainEvent], user: User,
           now: datetime) -> None:
    from service.requests.service import load_case, refresh_projection

    eventlog.append(session=session, record=request, events=events, actor_id=user.id, now=now)
    refresh_projection(record=request, case=load_case(session=session, record=request), agency=agency, now=now)
    session.add(request)
    session.flush()
