"""Request use cases: register, act, read, recompute. Each runs inside the caller's transaction and
writes the state change, its events, letters and assessment events together (or nothing)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Mapping, Sequence
from dataclasses import fields, replace
from datetime import date, datetime
from typing import Any

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import object_session
from sqlmodel import Session, select

from service.agencies.models import Agency
from service.base import utcnow
from service.counters import format_number, next_number
from service.requests import eventlog, repository
from service.requests.context import calendar_for, local_today, policy_for
from service.requests.models import IdempotencyRecord, RequestRecord
from service.users.models import User
from workflow.calendar import CalendarError
from workflow.errors import Conflict, InvalidField, NotFound
from workflow.events import REPLY_DEFECT, AssessmentEvent, LetterOrder
from workflow.identity import id_key
from workflow.legal import ClauseNotInForce, clause_on
from workflow.machine import OPEN_STATUSES, Actor, Case, Outcome, Role, fold, perform
from workflow.registration import Registration, receipt_date
from workflow.registration import register as register_case


def actor_of(user: User) -> Actor:
    """The workflow's view of a user."""
    return Actor(user_id=str(user.id), role=Role(user.role))


def load_case(*, session: Session, record: RequestRecord) -> Case:
    """Fold the request's stored events into its current state."""
    return fold(eventlog.as_domain(eventlog.load(session=session, request_id=record.id)))  # type: ignore[arg-type]


def get_visible(*, session: Session, request_id: int, visible: set[int], lock: bool = False) -> RequestRecord:
    """The request if the user's units include its agency; otherwise NotFound (never a hint it exists)."""
    record = repository.get(session=session, request_id=request_id, lock=lock)
    if record is None or record.agency_id not in visible:
        raise NotFound(f"request {request_id} not found")
    return record


def _fingerprint(payload: Mapping[str, Any]) -> str:
    return hashlib.sha256(json.dumps(payload, sort_keys=True, default=str).encode()).hexdigest()


def register(*, session: Session, user: User, visible: set[int], data: Mapping[str, Any],
             idempotency_key: str | None = None, now: datetime | None = None) -> tuple[RequestRecord, bool]:
    """Register a request (登记) and issue its receipt. Returns (record, created); with an
    ``Idempotency-Key`` seen before, returns the first answer's request and ``created=False``."""
    now = now or utcnow()
    if idempotency_key:
        earlier = repository.by_idempotency_key(session=session, user_id=user.id, key=idempotency_key)  # type: ignore[arg-type]
        if earlier is not None:
            if earlier.fingerprint != _fingerprint(data):
                raise Conflict("Idempotency-Key was already used with a different body", code="request.idempotency_reused",
                               field="Idempotency-Key")
            return repository.get(session=session, request_id=earlier.request_id), False  # type: ignore[return-value]
    if user.role not in (Role.CLERK, Role.HANDLER, Role.APPROVER):
        raise Conflict(f"role {user.role} does not register requests", code="request.register_role", field="role",
                       role=str(user.role))
    agency = _agency_for_registration(session=session, user=user, visible=visible, code=data.get("agency"))
    calendar, policy = calendar_for(agency), policy_for(agency)
    arrival = data.get("arrival_at") or now
    received = receipt_date(data["channel"], arrival, data.get("confirmed_on"), policy.tz)
    if received > local_today(agency, now):
        raise InvalidField("confirmed_on" if data.get("confirmed_on") else "arrival_at", "lies in the future",
                           code="date.in_future")
    field = "confirmed_on" if data.get("confirmed_on") else "arrival_at"
    try:  # e.g. received in 2014: the receipt would have no clause of the 2019 Regulations to cite
        clause_on("regulations", received)
    except ClauseNotInForce as exc:
        raise InvalidField(field, f"received {received} is before the regulations this system applies: {exc}",
                           code="arrival.before_regulations", received=received.isoformat()) from None
    year = received.year
    reg = Registration(
        agency_code=agency.code, number=format_number(agency.letter_prefix, year, 0),
        applicant=dict(data["applicant"]), channel=data["channel"],
        arrival_at=arrival, confirmed_on=data.get("confirmed_on"), description=data["description"],
        form=data.get("form", "paper"), delivery=data.get("delivery", "post"),
        attachments=[dict(a) for a in data.get("attachments", [])], ems_number=data.get("ems_number"),
    )
    try:
        outcome = register_case(reg, policy=policy, calendar=calendar, today=local_today(agency, now))
    except CalendarError as exc:  # outside the years the working-day calendar covers
        raise InvalidField(field, str(exc), code="arrival.outside_calendar", received=received.isoformat()) from None
    # The receipt is laid out and read back (the slow part) under a stand-in number, before the
    # request's gap-free number is taken: the counter is taken last and held only for the inserts.
    printed = _printed_letters(outcome=outcome, agency=agency)
    seq = next_number(session=session, agency_id=agency.id, series="request", year=year)  # type: ignore[arg-type]
    number = format_number(agency.letter_prefix, year, seq)
    reg = replace(reg, number=number)
    outcome = register_case(reg, policy=policy, calendar=calendar, today=local_today(agency, now))
    applicant = dict(data["applicant"])
    record = RequestRecord(agency_id=agency.id, year=year, seq=seq, number=number, status="registered",  # type: ignore[arg-type]
                           applicant_name=applicant["name"], applicant_kind=applicant.get("org_kind") or applicant.get("kind", "natural_person"),
                           applicant_key=id_key(applicant.get("id_number")),
                           channel=data["channel"], description=data["description"], created_at=now, updated_at=now)
    session.add(record)
    session.flush()
    if idempotency_key:
        session.add(IdempotencyRecord(user_id=user.id, key=idempotency_key, fingerprint=_fingerprint(data),  # type: ignore[arg-type]
                                      request_id=record.id))  # type: ignore[arg-type]
        try:
            session.flush()
        except IntegrityError:
            # A concurrent request with the same key won the race: give its answer.
            session.rollback()
            return register(session=session, user=user, visible=visible, data=data,
                            idempotency_key=idempotency_key, now=now)
    _apply(session=session, record=record, agency=agency, outcome=outcome, user=user, now=now, params={},
           printed=printed)
    return record, True


def _printed_letters(*, outcome: Outcome, agency: Agency) -> dict[str, list[str]]:
    """Each letter of ``outcome`` checked as printed (kind → missing elements), before numbering."""
    if outcome.case is None:
        return {}
    from service.letters.service import printed_missing

    return {order.kind: printed_missing(case=outcome.case, order=order, agency=agency)
            for order in outcome.letters}


def _agency_for_registration(*, session: Session, user: User, visible: set[int], code: str | None) -> Agency:
    if code is None:
        agency = session.get(Agency, user.agency_id)
    else:
        agency = session.exec(select(Agency).where(Agency.code == code)).first()
        if agency is None or agency.id not in visible or agency.id != user.agency_id:
            raise InvalidField("agency", f"unknown agency {code!r} (or not yours to register for)",
                               code="registration.unknown_agency", agency=str(code))
    assert agency is not None
    return agency


def act(*, session: Session, user: User, visible: set[int], request_id: int, payload: Mapping[str, Any],
        now: datetime | None = None) -> RequestRecord:
    """Perform one action on a request (POST /requests/{id}/actions): checked by the workflow's
    state machine, then the events, letters and assessment events are written together."""
    now = now or utcnow()
    record = get_visible(session=session, request_id=request_id, visible=visible, lock=True)
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    case = load_case(session=session, record=record)
    params = {k: v for k, v in payload.items() if k != "action"}
    action = str(payload.get("action", ""))
    if action in ("issue_fee_notice", "waive_fee") and params.get("fee_method") == "per_item":
        from service.fees import monthly_count

        # 按件: the count comes from the requests on record, never from the client.
        params["monthly_count"] = monthly_count(session=session, record=record)
    if action in ("issue_fee_notice", "waive_fee") and params.get("fee_method") == "per_volume":
        from service.files.service import released_pages

        # 按量: the pages of the released documents attached (公开的信息), read from the files; typed
        # pages only count when nothing is attached yet, and must agree with the files otherwise.
        pages = released_pages(session=session, request_id=record.id)  # type: ignore[arg-type]
        if pages and params.get("pages") in (None, ""):
            params["pages"] = pages
        elif pages and str(params.get("pages")) != str(pages):
            raise InvalidField("pages", f"the released documents attached have {pages} pages",
                               code="fee.pages_differ_from_files", files=pages)
    seal_confirmed = bool(params.get("seal_confirmed"))

    def check(order: LetterOrder) -> Sequence[str]:
        from service.files.released import check_reply
        from service.letters.service import check_order

        # The letter's own elements, then whether the released documents it mentions are attached.
        return [*check_order(case=case, order=order, agency=agency, seal_confirmed=seal_confirmed),
                *check_reply(session=session, request_id=record.id, kind=order.kind, fields=dict(order.fields))]

    outcome = perform(case, action, params, actor=actor_of(user), today=local_today(agency, now),
                      calendar=calendar_for(agency), policy=policy_for(agency), check_letter=check)
    _apply(session=session, record=record, agency=agency, outcome=outcome, user=user, now=now, params=params)
    if action == "accept" and record.handler_id is None and user.role in (Role.HANDLER, Role.APPROVER):
        record.handler_id = user.id
    return record


def _apply(*, session: Session, record: RequestRecord, agency: Agency, outcome: Outcome, user: User | None,
           now: datetime, params: Mapping[str, Any], printed: Mapping[str, list[str]] | None = None) -> None:
    """Write an outcome: events on the chain, the refreshed projection, letters, assessment events
    (``printed``: the letters' printed checks already made, by kind)."""
    eventlog.append(session=session, record=record, events=outcome.events, actor_id=user.id if user else None,
                    now=now)
    new_case = outcome.case if outcome.case is not None else load_case(session=session, record=record)
    refresh_projection(record=record, case=new_case, agency=agency, now=now)
    if outcome.letters:
        from service.letters.service import issue

        # Letters forced through with missing elements carry the list the machine reported.
        forced = {a.details.get("letter_kind"): tuple(a.details.get("missing", ()))
                  for a in outcome.assessment if a.kind == REPLY_DEFECT}
        for order in outcome.letters:
            issue(session=session, request_id=record.id, case=new_case, order=order, agency=agency,  # type: ignore[arg-type]
                  actor_user_id=user.id if user else None, forced_missing=forced.get(order.kind, ()),
                  seal_confirmed=bool(params.get("seal_confirmed")), printed=(printed or {}).get(order.kind))
    archived = next((e for e in outcome.events if e.kind == "archived"), None)
    if archived is not None:
        from service.archive.service import file_case

        # The 档号 is given in the archiving transaction (gap-free, like every legal number).
        file_case(session=session, record=record, agency=agency, case=new_case, archived_on=archived.on,
                  actor_id=user.id if user else None, now=now)
    submit_assessment(session=session, events=outcome.assessment)
    session.add(record)
    session.flush()


def refresh_projection(*, record: RequestRecord, case: Case, agency: Agency, now: datetime) -> None:
    """Copy what queries need (status, dates, clock) from the folded case onto the request row."""
    from workflow.clock import clock

    today = local_today(agency, now)
    record.status = str(case.status)
    record.received_on = case.receipt_date
    status = clock(case, as_of=today, calendar=calendar_for(agency), policy=policy_for(agency))
    record.due_on = status.due_on
    record.provisional = bool(status.provisional)
    record.paused = status.paused_since is not None
    reply = getattr(case, "reply", None)
    record.decision = getattr(reply, "decision", None) if reply else None
    record.replied_on = getattr(reply, "issued_on", None) if reply else None
    record.updated_at = now
    session = object_session(record)
    if session is not None and record.id is not None:
        from service.projections import report

        # The annual report's facts change with the events, in the same transaction (issue 15).
        report.store(session=session, request_id=record.id, agency_id=record.agency_id, case=case)


def submit_assessment(*, session: Session, events: Sequence[AssessmentEvent]) -> int:
    """Hand workflow assessment events to the scoring engine's inbox (idempotent on their keys)."""
    if not events:
        return 0
    from service.assessment.inbox import submit

    # A shallow copy per event: dataclasses.asdict deep-copies every detail, which dominated the sweep.
    return submit(session=session, events=[{**{f.name: getattr(e, f.name) for f in fields(e)}, "key": e.key}
                                           for e in events])


def is_open(record: RequestRecord) -> bool:
    """Whether the request is still being handled."""
    return record.status in {str(s) for s in OPEN_STATUSES}


def as_of_date(value: str | None) -> date | None:
    """An ``as_of`` query parameter."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField("as_of", "not a date (YYYY-MM-DD)", code="date.malformed") from None
