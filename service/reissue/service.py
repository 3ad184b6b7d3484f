"""Void and reissue a letter (作废并重新出具): the approver supersedes a numbered letter with a new one.

The old letter stays unchanged (letters are immutable) and reads as 作废 through the new one's
``supersedes_id``; the new letter takes the next number of its series and the old letter's content with
the approver's corrections. The case records a ``letter_superseded`` event; a superseded reply is a
reply defect under the default reading (``workflow.reissue``).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from datetime import datetime
from typing import Any

from sqlmodel import Session

from service.agencies.models import Agency
from service.base import utcnow
from service.letters.models import Letter
from service.requests import eventlog
from service.requests.context import local_today, policy_for
from service.users.models import User
from workflow.errors import ActionNotAllowed, InvalidField
from workflow.events import LetterOrder
from workflow.machine import Role, parse_date
from workflow.reissue import superseded


def supersede(*, session: Session, user: User, visible: set[int], letter_id: int, data: Mapping[str, Any],
              now: datetime | None = None) -> tuple[Letter, Letter]:
    """Void letter ``letter_id`` and issue its replacement; returns (old, new).

    ``data``: ``reason`` (required), ``issued_on`` (default today, not before the old letter, not in the
    future), ``fields`` (corrections to the old letter's fields), ``seal_confirmed``.
    """
    from service.delivery.service import visible_letter
    from service.letters import service as letters
    from service.requests.service import get_visible, load_case, submit_assessment

    now = now or utcnow()
    old = visible_letter(session=session, letter_id=letter_id, visible=visible)
    request = get_visible(session=session, request_id=old.request_id, visible=visible, lock=True)
    if user.role != Role.APPROVER:
        raise ActionNotAllowed(request.status, "supersede", [], f"role {user.role} may not void letters",
                               code="reissue.needs_approver", role=str(user.role))
    agency = session.get(Agency, old.agency_id)
    assert agency is not None
    today = local_today(agency, now)
    reason = data.get("reason")
    if not isinstance(reason, str) or not reason.strip():
        raise InvalidField("reason", "say why the letter is voided and what the new one corrects",
                           code="reissue.reason_required")
    issued_on = parse_date(str(data["issued_on"]), "issued_on") if data.get("issued_on") else today
    if issued_on > today:
        raise InvalidField("issued_on", f"{issued_on} is in the future (today is {today})", code="date.in_future",
                           value=str(issued_on), today=str(today))
    if issued_on < old.issued_on:
        raise InvalidField("issued_on", f"{issued_on} is before the letter it replaces ({old.issued_on})",
                           code="date.before_issue", value=str(issued_on), floor=str(old.issued_on))
    corrections = data.get("fields") or {}
    if not isinstance(corrections, Mapping):
        raise InvalidField("fields", "must be an object of corrected fields", code="field.not_object")
    fields = {**json.loads(old.fields or "{}"), **corrections}
    for stale in ("supersedes", "correction_reason"):
        fields.pop(stale, None)
    case = load_case(session=session, record=request)
    new = letters.supersede(session=session, letter_id=letter_id, case=case,
                            order=LetterOrder(old.kind, issued_on, fields), agency=agency, actor_user_id=user.id,
                            reason=reason, seal_confirmed=bool(data.get("seal_confirmed")))
    event, assessment = superseded(
        request_number=request.number, unit=agency.code, kind=old.kind, old_id=int(old.id or 0),
        old_number=old.number, new_number=new.number, reason=reason, on=issued_on, by=str(user.id),
        reply_is_defect=policy_for(agency).superseded_reply_is_defect)
    eventlog.append(session=session, record=request, events=[event], actor_id=user.id, now=now)
    submit_assessment(session=session, events=assessment)
    session.add(request)
    session.flush()
    return old, new


