"""Service records and receipt windows in the API's shapes."""

from __future__ import annotations

from sqlmodel import Session

from service.agencies.models import Agency
from service.delivery.models import LetterService
from service.delivery.schemas import ServiceOut, WindowOut
from service.letters.models import Letter
from service.requests.context import calendar_for, policy_for
from workflow.clock import notice_receipt, receipt_windows
from workflow.delivery import SERVICE_METHOD_LABELS, ServiceMethod


def service_out(*, session: Session, row: LetterService) -> ServiceOut:
    """One record with the receipt the clock uses (recorded, or estimated from the method)."""
    from service.requests import repository
    from service.requests.service import load_case

    letter = session.get(Letter, row.letter_id)
    agency = session.get(Agency, letter.agency_id) if letter else None
    assert letter is not None and agency is not None
    request = repository.get(session=session, request_id=row.request_id)
    case = load_case(session=session, record=request)  # type: ignore[arg-type]
    receipt, estimated = notice_receipt(case, row.subject, row.sent_on, policy_for(agency))
    if row.received_on is not None:
        receipt, estimated = row.received_on, False
    return ServiceOut(id=row.id, letter_id=row.letter_id, letter_number=letter.number, subject=row.subject,  # type: ignore[arg-type]
                      method=row.method, method_label=SERVICE_METHOD_LABELS[ServiceMethod(row.method)],
                      ems_number=row.ems_number, sent_on=row.sent_on, received_on=row.received_on,
                      receipt_on=receipt, receipt_estimated=estimated, email_to=row.email_to,
                      message_id=row.message_id, sent_at=row.sent_at)


def windows(*, session: Session, record: object) -> list[WindowOut]:
    """The receipt windows of a request, as of its events today."""
    from service.requests.service import load_case

    agency = session.get(Agency, record.agency_id)  # type: ignore[attr-defined]
    assert agency is not None
    case = load_case(session=session, record=record)  # type: ignore[arg-type]
    return [WindowOut(subject=w.subject, label=w.label, sent_on=w.sent_on, received_on=w.received_on,
                      estimated=w.estimated, ends_on=w.ends_on)
            for w in receipt_windows(case, calendar=calendar_for(agency), policy=policy_for(agency))]
