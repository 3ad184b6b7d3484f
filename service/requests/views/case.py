"""The 案件 (case) page: one case with its clock, timeline, letters, drafts, files and the forms of the
actions allowed now; the action posted from those forms; and the receipt shown after registration."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service.agencies.models import Agency
from service.deps import RowId, SessionDep
from service.requests import present, service
from service.requests.context import calendar_for, policy_for
from service.requests.views.common import not_found
from service.users.models import User
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect, render
from service.web.forms import ACTION_FORMS, action_payload
from workflow.errors import DomainError, NotFound

router = APIRouter(include_in_schema=False)


def _handlers(session: Session, agency_id: int) -> list[tuple[str, str]]:
    """(username, label) of the unit's active handlers and approvers: whom a request can be assigned to (分办)."""
    from service.requests.worklist import handlers_of

    return [(u.username, u.display_name or u.username) for u in handlers_of(session=session, agency_ids=[agency_id])]


def _as_of(raw: str | None, today: date) -> date | None:
    """The day a past case is being entered for (补录), if one was asked for and it is not in the future."""
    try:
        day = date.fromisoformat(raw) if raw else None
    except ValueError:
        return None
    return day if day is not None and day < today else None


def _case_page(request: Request, session: Session, user: User, visible: set[int], request_id: int, *,
               open_action: str | None = None, errors: Mapping[str, str] | None = None,
               values: Mapping[str, Any] | None = None, status_code: int = 200,
               as_of_raw: str | None = None) -> Response:
    from service.files.views import panel as files_panel
    from service.letters.views import letters_of
    from workflow.clock import explain
    from workflow.machine import allowed_actions

    try:
        record = service.get_visible(session=session, request_id=request_id, visible=visible)
    except NotFound:
        return not_found(request)
    agency = session.get(Agency, record.agency_id)
    assert agency is not None
    now = present.replay(session=session, record=record)
    out = present.request_out(session=session, record=record, user=user, now=now)
    case, status, today = now.case, now.status, now.day
    calendar, policy = calendar_for(agency), policy_for(agency)
    days = explain(case, calendar, policy, as_of=today)
    # Entering a past case (补录): the actions the workflow allowed on that day; each action still
    # checks its own dates when posted.
    as_of = _as_of(as_of_raw if as_of_raw is not None else request.query_params.get("as_of"), today)
    allowed = (allowed_actions(case, service.actor_of(user), today=as_of, calendar=calendar, policy=policy)
               if as_of else out.allowed_actions)
    actions = [ACTION_FORMS[name] for name in allowed if name in ACTION_FORMS]
    open_reviews = [(r.id, f"{r.id} {'行政复议' if r.kind == 'reconsideration' else '行政诉讼'}（{r.body}）")
                    for r in case.reviews if r.outcome is None]
    from service.delivery.views import service_card
    from service.similar import similar

    delivery = service_card(session=session, request_id=record.id, case=case, calendar=calendar, policy=policy)  # type: ignore[arg-type]
    from service.drafts import service as drafts
    from workflow.drafts import DRAFT_STATUS_LABELS, DraftStatus, draftable

    draft_rows = [{"id": d.id, "action": d.action, "version": d.version, "letter_id": d.letter_id,
                   "status": DRAFT_STATUS_LABELS[DraftStatus(d.status)]}
                  for d in drafts.for_request(session=session, request_id=record.id)]  # type: ignore[arg-type]
    # What may be drafted now: the letter-sending actions the approver (the signer) could perform today.
    from workflow.machine import Actor, Role

    can_draft = [a for a in allowed_actions(case, Actor("signer", Role.APPROVER), today=today, calendar=calendar,
                                            policy=policy) if a in draftable()] if user.role in ("handler", "approver") else []
    return render(request, "case.html", status_code=status_code, r=out, record=record, agency=agency, case=case,
                  delivery=delivery, service_error=request.query_params.get("service_error"),
                  drafts=draft_rows, can_draft=can_draft, handlers=_handlers(session, record.agency_id),
                  similar=similar(session=session, record=record),
                  clock=status, days=days, today=(as_of or today).isoformat(), as_of=as_of, actions=actions,
                  open_action=open_action, errors=errors or {}, values=values or {},
                  letters=letters_of(session=session, request_id=record.id), open_reviews=open_reviews,
                  files=files_panel(session=session, request_id=record.id),
                  view=present.view_of(case, status, reminder_days=policy.reminder_days),
                  flash=request.query_params.get("flash"))


@router.get("/requests/{request_id}")
def case_page(request_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """One case: summary, clock with its day-by-day explanation, timeline, actions, letters, reviews."""
    return _case_page(request, session, user, visible, request_id)


@router.post("/requests/{request_id}/actions")
def case_action(request_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                visible: Visible) -> Response:
    """Perform one action from its form; refusals come back next to the field or above the form."""
    values = form_dict(form)
    action = str(values.get("action", ""))
    try:
        service.act(session=session, user=user, visible=visible, request_id=request_id,
                    payload=action_payload(action, {k: v for k, v in values.items() if k != "as_of"}))
    except NotFound:
        session.rollback()
        return not_found(request)
    except DomainError as exc:
        session.rollback()
        errors, code = messages.form_errors(exc)
        return _case_page(request, session, user, visible, request_id, open_action=action, errors=errors,
                          values=values, status_code=code, as_of_raw=str(values.get("as_of") or ""))
    done = messages.ACTION_LABELS.get(action, action)
    return redirect(f"/requests/{request_id}?{urlencode({'flash': f'已完成：{done}'})}")


@router.get("/requests/{request_id}/receipt")
def receipt_page(request_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """After registration: the receipt letter (登记回执) ready to print, with the case's number and due date."""
    from service.letters.views import letters_of

    try:
        record = service.get_visible(session=session, request_id=request_id, visible=visible)
    except NotFound:
        return not_found(request)
    receipt = next((letter for letter in letters_of(session=session, request_id=record.id)
                    if letter["kind"] == "receipt"), None)
    from service.similar import similar

    return render(request, "receipt.html", record=record, receipt=receipt,
                  similar=similar(session=session, record=record))
