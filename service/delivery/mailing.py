"""Service by e-mail from the case: send a letter's signed PDF to the recipient over SMTP and record the
service (method 电子邮件, sent day and time, recipient, Message-ID) in the same action.

Sending does not record the recipient's receipt: the law counts the correction, fee and consultation
windows from the day the recipient receives a notice, and an SMTP server accepting the message proves
only that it left the office. The receipt is recorded when the recipient confirms it (a reply, a read
receipt, a delivery report: ``POST …/service/receipt``); until then the windows use the per-method
estimate, marked 估算 (docs/workflow.md, "Service by e-mail").
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from datetime import datetime
from email.utils import make_msgid
from typing import Any

from sqlmodel import Session

from service.base import utcnow
from service.delivery.models import LetterService
from service.delivery.service import store, unserved
from service.letters.render import html_to_pdf
from service.requests.context import local_today
from service.settings import Settings
from service.users.models import User
from workflow.delivery import ServiceMethod, check_service
from workflow.errors import Conflict, InvalidField

# One address, no display name: what a clerk types or the applicant gave at registration.
_ADDRESS = re.compile(r"^[^@\s<>,;\"]+@[^@\s<>,;\"]+\.[^@\s<>,;\"]+$")


def recipient(*, data: Mapping[str, Any], letter_kind: str, applicant: Mapping[str, Any]) -> str:
    """The address to send to: ``to`` as given, else the applicant's e-mail (letters to the applicant).

    A consultation letter goes to a third party, whose address the case does not hold: ``to`` is needed.
    """
    given = str(data.get("to") or "").strip()
    if not given and letter_kind != "consultation":
        given = str(applicant.get("email") or "").strip()
    if not given:
        raise InvalidField("to", "no e-mail address: give one (the applicant registered none)",
                           code="service.email_no_address")
    if not _ADDRESS.match(given) or len(given) > 320:
        raise InvalidField("to", f"{given!r} is not an e-mail address", code="service.email_malformed", value=given)
    return given


def _wording(agency_name: str, title: str, number: str, addressee: str) -> tuple[str, str]:
    subject = f"{agency_name}{title}（{number}）"
    body = (f"{addressee or '您好'}：\n\n"
            f"{agency_name}向您送达《{title}》（{number}），文书正本见附件 PDF。\n"
            "请在收到后回复本邮件确认收到，以便登记送达日期。\n\n"
            f"{agency_name}\n（本邮件由政府信息公开办理平台发送）\n")
    return subject, body


def send_letter(*, session: Session, user: User, visible: set[int], letter_id: int, data: Mapping[str, Any],
                now: datetime | None = None, settings: Settings | None = None) -> LetterService:
    """E-mail the letter's PDF and record its service by e-mail (sent today, receipt not yet recorded).

    422: no or a malformed address. 409: service already recorded; the mail server refused or could not
    be reached (``service.email_failed``; nothing is recorded, the transaction rolls back).
    """
    from service.notify.mail import Attachment, MailError, send_mail
    from service.requests.service import load_case

    now = now or utcnow()
    letter, request, agency = unserved(session=session, user=user, visible=visible, letter_id=letter_id)
    case = load_case(session=session, record=request)
    to = recipient(data=data, letter_kind=letter.kind, applicant=case.applicant)
    today = local_today(agency, now)
    check_service(method=ServiceMethod.EMAIL, sent_on=today, received_on=None, ems_number=None,
                  issued_on=letter.issued_on, today=today)
    message_id = make_msgid(idstring=f"letter-{letter.id}", domain="ogi-desk")
    # Recorded (and flushed) first, so a record that cannot be stored never leaves as a mail; a mail the
    # server refuses raises, and the transaction rolls the record back.
    row = store(session=session, user=user, letter=letter, request=request, agency=agency, now=now,
                row=LetterService(method=str(ServiceMethod.EMAIL), sent_on=today, email_to=to,
                                  message_id=message_id, sent_at=now))
    subject, body = _wording(agency.name, letter.title, letter.number, letter.addressee)
    try:
        send_mail(to=[to], subject=subject, body=body, message_id=message_id, settings=settings,
                  attachments=[Attachment(f"{letter.number}.pdf", html_to_pdf(letter.html))],
                  headers={"X-OGI-Letter": letter.number})
    except MailError as exc:
        raise Conflict(f"the mail server did not take the letter: {exc}", code="service.email_failed",
                       reason=str(exc)) from exc
    return row
