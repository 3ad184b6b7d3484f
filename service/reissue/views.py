"""Desk route: the approver voids a letter and reissues it from the letter page."""

from __future__ import annotations

from urllib.parse import urlencode

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.deps import RowId, SessionDep
from service.reissue import service
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect
from workflow.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)


@router.post("/letters/{letter_id}/supersede")
def supersede(letter_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
              visible: Visible) -> Response:
    """Void the letter and reissue it; the new letter's page opens, or the refusal shows on this one."""
    values = form_dict(form)
    try:
        _, new = service.supersede(session=session, user=user, visible=visible, letter_id=letter_id,
                                   data={"reason": values.get("reason"),
                                         "seal_confirmed": values.get("seal_confirmed") == "true"})
    except NotFound:
        return redirect("/requests")
    except DomainError as exc:
        session.rollback()
        errors, _ = messages.form_errors(exc)
        return redirect(f"/letters/{letter_id}?{urlencode({'error': '；'.join(errors.values())})}")
    return redirect(f"/letters/{new.id}")
