"""Desk pages for service (送达): record how a letter went out, then the recipient's receipt.

Shown on the case page (the 送达 card); a refusal comes back on the case page in Chinese, next to the
letter's form.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service.delivery import service
from service.deps import RowId, SessionDep
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect
from workflow.delivery import SERVICE_METHOD_LABELS
from workflow.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)
METHOD_OPTIONS = [(str(m), label) for m, label in SERVICE_METHOD_LABELS.items()]


def service_card(*, session: Session, request_id: int, case: Any, calendar: Any, policy: Any) -> dict[str, Any]:
    """What the case page's 送达 card shows: each letter's record, and the windows counted from receipt."""
    from service.delivery.present import service_out
    from workflow.clock import receipt_windows

    records = {r.letter_id: service_out(session=session, row=r)
               for r in service.for_request(session=session, request_id=request_id)}
    return {"records": records, "windows": receipt_windows(case, calendar=calendar, policy=policy),
            "methods": METHOD_OPTIONS, "applicant_email": str(case.applicant.get("email") or "")}


def _back(request_id: int, **query: str) -> Response:
    return redirect(f"/requests/{request_id}?{urlencode(query)}#service")


@router.post("/letters/{letter_id}/service")
def record_service(letter_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                   visible: Visible) -> Response:
    """Record a letter's service from the case page (method, date sent, EMS number, date received)."""
    values = {k: v for k, v in form_dict(form).items() if v not in ("", None)}
    return _post(session, user, visible, letter_id, values, receipt=False)


@router.post("/letters/{letter_id}/service/receipt")
def record_receipt(letter_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                   visible: Visible) -> Response:
    """Record the recipient's receipt of a letter already sent."""
    return _post(session, user, visible, letter_id, form_dict(form), receipt=True)


@router.post("/service/email")
def email_letter(request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                 visible: Visible) -> Response:
    """Send the chosen letter's PDF by e-mail and record the service (电子邮件, sent today)."""
    values = {k: v for k, v in form_dict(form).items() if v not in ("", None)}
    letter_id = str(values.pop("letter_id", ""))
    if not letter_id.isdigit():
        return redirect("/requests")
    return _post(session, user, visible, int(letter_id), values, receipt=False, email=True)


def _post(session: Session, user: Any, visible: set[int], letter_id: int, values: dict[str, Any], *,
          receipt: bool, email: bool = False) -> Response:
    try:
        letter = service.visible_letter(session=session, letter_id=letter_id, visible=visible)
    except NotFound:
        return redirect("/requests")
    request_id = letter.request_id
    try:
        if email:
            from service.delivery.mailing import send_letter

            row = send_letter(session=session, user=user, visible=visible, letter_id=letter_id, data=values)
            return _back(request_id, flash=f"已通过电子邮件发送并登记送达：{letter.number}（收件人 {row.email_to}）")
        if receipt:
            service.record_receipt(session=session, user=user, visible=visible, letter_id=letter_id, data=values)
        else:
            service.record(session=session, user=user, visible=visible, letter_id=letter_id, data=values)
    except DomainError as exc:
        session.rollback()
        errors, _ = messages.form_errors(exc)
        field, text = next(iter(errors.items()))
        label = messages.FIELD_LABELS.get(field, "")
        return _back(request_id, service_error=f"{letter.number}：{label + '：' if label else ''}{text}")
    return _back(request_id, flash=f"已登记送达：{letter.number}")
