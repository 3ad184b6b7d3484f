"""HTTP routes for service records (送达) of letters."""

from __future__ import annotations

from fastapi import APIRouter

from service.delivery import present, service
from service.delivery.schemas import EmailServiceIn, ReceiptIn, ServiceIn, ServiceOut, WindowOut
from service.deps import CurrentUser, RowId, SessionDep, VisibleAgencies
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from workflow.errors import NotFound

router = APIRouter(tags=["service (送达)"])
NOT_FOUND = {404: {"description": "not found (or not visible to you)"}}


@router.post("/letters/{letter_id}/service", response_model=ServiceOut, status_code=201,
             responses={**NOT_FOUND, **CONFLICT_RESPONSE, **INVALID_RESPONSE})
def record_service(letter_id: RowId, body: ServiceIn, session: SessionDep, user: CurrentUser,
                   visible: VisibleAgencies) -> ServiceOut:
    """Record how and when a letter was served. 422: a date before the letter or in the future, a
    receipt before sending, a malformed EMS number; 409: already recorded."""
    row = service.record(session=session, user=user, visible=visible, letter_id=letter_id,
                         data=body.model_dump(exclude_none=True))
    return present.service_out(session=session, row=row)


@router.post("/letters/{letter_id}/service/email", response_model=ServiceOut, status_code=201,
             responses={**NOT_FOUND, **CONFLICT_RESPONSE, **INVALID_RESPONSE})
def email_letter(letter_id: RowId, body: EmailServiceIn, session: SessionDep, user: CurrentUser,
                 visible: VisibleAgencies) -> ServiceOut:
    """Send the letter's PDF by e-mail (OGI_SMTP_*) and record its service by 电子邮件 in the same action:
    sent today, recipient and Message-ID. The receipt is not recorded by sending: record it when the
    recipient confirms (``…/service/receipt``). 422: no or a malformed address; 409: already recorded, or
    the mail server refused the message (nothing recorded)."""
    from service.delivery.mailing import send_letter

    row = send_letter(session=session, user=user, visible=visible, letter_id=letter_id,
                      data=body.model_dump(exclude_none=True))
    return present.service_out(session=session, row=row)


@router.post("/letters/{letter_id}/service/receipt", response_model=ServiceOut,
             responses={**NOT_FOUND, **CONFLICT_RESPONSE, **INVALID_RESPONSE})
def record_receipt(letter_id: RowId, body: ReceiptIn, session: SessionDep, user: CurrentUser,
                   visible: VisibleAgencies) -> ServiceOut:
    """Record the day the recipient received the letter; the windows counted from it move to that day."""
    row = service.record_receipt(session=session, user=user, visible=visible, letter_id=letter_id,
                                 data=body.model_dump())
    return present.service_out(session=session, row=row)


@router.get("/letters/{letter_id}/service", response_model=ServiceOut, responses=NOT_FOUND)
def read_service(letter_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> ServiceOut:
    """A letter's service record (404 when none is recorded yet)."""
    service.visible_letter(session=session, letter_id=letter_id, visible=visible)
    row = service.get(session=session, letter_id=letter_id)
    if row is None:
        raise NotFound(f"no service recorded for letter {letter_id}")
    return present.service_out(session=session, row=row)


@router.get("/requests/{request_id}/service", response_model=list[ServiceOut], responses=NOT_FOUND)
def request_service(request_id: RowId, session: SessionDep, _: CurrentUser,
                    visible: VisibleAgencies) -> list[ServiceOut]:
    """The service records of a request's letters."""
    from service.requests.service import get_visible

    get_visible(session=session, request_id=request_id, visible=visible)
    return [present.service_out(session=session, row=r)
            for r in service.for_request(session=session, request_id=request_id)]


@router.get("/requests/{request_id}/windows", response_model=list[WindowOut], responses=NOT_FOUND)
def request_windows(request_id: RowId, session: SessionDep, _: CurrentUser, visible: VisibleAgencies) -> list[WindowOut]:
    """The correction, consultation and fee windows with the receipt each runs from (``estimated`` until
    the receipt is recorded)."""
    from service.requests.service import get_visible

    record = get_visible(session=session, request_id=request_id, visible=visible)
    return present.windows(session=session, record=record)
