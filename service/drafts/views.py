"""Desk pages for drafts: 拟稿 (the decision form shows only the chosen decision's fields), the draft page
(versions, steps, 草稿 preview, submit / legal review / return), and signing (the final letter first, then
the wet-stamp confirmation)."""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import HTMLResponse, Response

from service.deps import RowId, SessionDep
from service.drafts import service
from service.web import messages
from service.web.deps import CheckedForm, Visible, WebUser, form_dict, redirect, render
from service.web.forms import ACTION_FORMS, Field, action_payload
from workflow.drafts import DRAFT_STATUS_LABELS, STAGE_LABELS, DraftStatus, draftable, legal_review_required
from workflow.errors import DomainError, NotFound
from workflow.replies import DECISIONS

router = APIRouter(include_in_schema=False)
# Set at signing (the date defaults to the signing day) or not part of a draft.
_NOT_DRAFTED = {"seal_confirmed", "force", "served_on", "service_method"}


def draft_fields(action: str, decision: str | None = None) -> list[Field]:
    """The inputs a draft of ``action`` asks for; for a reply, only the chosen decision's fields."""
    form = ACTION_FORMS[action]
    fields = [f for f in form.fields if f.name not in _NOT_DRAFTED and not (f.kind == "date" and f.default_today)]
    if action != "reply":
        return fields
    if decision not in DECISIONS:
        return [f for f in fields if f.name == "decision"]
    wanted = set(DECISIONS[decision].required) | ({"withhold_reason"} if decision == "withhold" else set())
    return [f for f in fields if f.name in wanted]


def _params(action: str, values: dict[str, Any]) -> dict[str, Any]:
    """The draft's fields from a posted form: blanks dropped, list fields (one item per line) split."""
    params = {k: v for k, v in action_payload(action, values).items() if k != "action" and v not in ("", None)}
    for name in ("withheld_reasons", "items"):
        if isinstance(params.get(name), str):
            params[name] = [line.strip() for line in params[name].splitlines() if line.strip()]
    return params


def _not_found(request: Request) -> Response:
    return render(request, "error.html", status_code=404, heading="未找到", message="没有找到这份草稿，或您无权查看。")


@router.get("/requests/{request_id}/drafts/new")
def new_draft(request_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible,
              action: str = "reply", decision: str | None = None) -> Response:
    """The 拟稿 form of one action; for a reply, first the decision, then only its fields."""
    return _new_page(request, session, user, visible, request_id, action, decision)


def _new_page(request: Request, session: Session, user: Any, visible: set[int], request_id: int, action: str,
              decision: str | None, *, errors: dict[str, str] | None = None, values: dict[str, Any] | None = None,
              status_code: int = 200) -> Response:
    try:
        record = service._request(session, request_id, visible)
    except NotFound:
        return _not_found(request)
    if action not in draftable():
        action = "reply"
    return render(request, "draft_new.html", status_code=status_code, r=record, action=action, decision=decision,
                  fields=draft_fields(action, decision), decisions=[(c, d.label) for c, d in DECISIONS.items()],
                  draftable=draftable(), errors=errors or {}, values=values or {})


@router.post("/requests/{request_id}/drafts")
def create_draft(request_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                 visible: Visible) -> Response:
    """Create the draft from the form."""
    values = form_dict(form)
    action = str(values.pop("action", "reply"))
    params = _params(action, values)
    try:
        draft = service.create(session=session, user=user, visible=visible, request_id=request_id,
                               data={"action": action, "params": params})
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        errors, code = messages.form_errors(exc)
        return _new_page(request, session, user, visible, request_id, action, params.get("decision"),
                         errors=errors, values=values, status_code=code)
    return redirect(f"/drafts/{draft.id}")


def _draft_page(request: Request, session: Session, user: Any, visible: set[int], draft_id: int, *,
                errors: dict[str, str] | None = None, status_code: int = 200) -> Response:
    try:
        draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
    except NotFound:
        return _not_found(request)
    params = service.params_of(session=session, draft=draft)
    from service.agencies.models import Agency

    agency = session.get(Agency, record.agency_id)
    return render(request, "draft.html", status_code=status_code, d=draft, r=record, params=params,
                  status_label=DRAFT_STATUS_LABELS[DraftStatus(draft.status)],
                  versions=service.versions(session=session, draft_id=draft.id),  # type: ignore[arg-type]
                  steps=service.steps(session=session, request_id=record.id, draft_id=draft.id),  # type: ignore[arg-type]
                  stage_labels={**STAGE_LABELS, "return": "退回修改"},
                  fields=draft_fields(draft.action, params.get("decision")),
                  legal_review=legal_review_required(agency.code if agency else ""),
                  errors=errors or {}, values=params, flash=request.query_params.get("flash"))


@router.get("/drafts/{draft_id}")
def draft_page(draft_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """One draft: its fields, versions, steps and comments, the 草稿 preview, and what the user may do."""
    return _draft_page(request, session, user, visible, draft_id)


@router.get("/drafts/{draft_id}/preview")
def draft_preview(draft_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible,
                  final: bool = False) -> Response:
    """The letter as HTML: watermarked 草稿, or (``final``) as the signer will issue it."""
    try:
        draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
        html = service.preview_html(session=session, draft=draft, record=record, final=final)
    except NotFound:
        return HTMLResponse("<p>未找到</p>", status_code=404)
    except DomainError as exc:
        return HTMLResponse(f"<p>无法预览：{messages.form_errors(exc)[0]}</p>", status_code=409)
    return HTMLResponse(html, headers={"Content-Security-Policy": "script-src 'none'"})


@router.get("/drafts/{draft_id}/preview.pdf")
def draft_preview_pdf(draft_id: RowId, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """The watermarked preview as PDF."""
    from service.letters.render import html_to_pdf

    draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
    return Response(html_to_pdf(service.preview_html(session=session, draft=draft, record=record)),
                    media_type="application/pdf")


def _step(request: Request, session: Session, user: Any, visible: set[int], draft_id: int, done: str,
          call: Any) -> Response:
    try:
        call()
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        errors, code = messages.form_errors(exc)
        return _draft_page(request, session, user, visible, draft_id, errors=errors, status_code=code)
    return redirect(f"/drafts/{draft_id}?{urlencode({'flash': done})}")


@router.post("/drafts/{draft_id}/redraft")
def redraft(draft_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
            visible: Visible) -> Response:
    """A new version from the form."""
    values = form_dict(form)
    draft, _ = service.get_visible(session=session, draft_id=draft_id, visible=visible)
    params = _params(draft.action, values)
    return _step(request, session, user, visible, draft_id, "已保存新版本",
                 lambda: service.redraft(session=session, user=user, visible=visible, draft_id=draft_id,
                                         data={"params": params}))


@router.post("/drafts/{draft_id}/submit")
def submit(draft_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
           visible: Visible) -> Response:
    """提交审核."""
    return _step(request, session, user, visible, draft_id, "已提交",
                 lambda: service.submit(session=session, user=user, visible=visible, draft_id=draft_id))


@router.post("/drafts/{draft_id}/approve")
def approve(draft_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
            visible: Visible) -> Response:
    """法制审核通过."""
    values = form_dict(form)
    return _step(request, session, user, visible, draft_id, "法制审核通过",
                 lambda: service.approve(session=session, user=user, visible=visible, draft_id=draft_id, data=values))


@router.post("/drafts/{draft_id}/return")
def return_draft(draft_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
                 visible: Visible) -> Response:
    """退回修改 with a comment."""
    values = form_dict(form)
    return _step(request, session, user, visible, draft_id, "已退回修改",
                 lambda: service.return_for_changes(session=session, user=user, visible=visible, draft_id=draft_id,
                                                    data=values))


@router.get("/drafts/{draft_id}/sign")
def sign_page(draft_id: RowId, request: Request, session: SessionDep, user: WebUser, visible: Visible) -> Response:
    """签发: the final letter (as it will be issued) first; below it, the wet-stamp confirmation."""
    try:
        draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
    except NotFound:
        return _not_found(request)
    return render(request, "draft_sign.html", d=draft, r=record, errors={},
                  status_label=DRAFT_STATUS_LABELS[DraftStatus(draft.status)])


@router.post("/drafts/{draft_id}/sign")
def sign(draft_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
         visible: Visible) -> Response:
    """Sign: the stamp confirmed, the action performed and the letter numbered; the letter page opens."""
    values = form_dict(form)
    try:
        _, letter = service.sign(session=session, user=user, visible=visible, draft_id=draft_id,
                                 data={"seal_confirmed": values.get("seal_confirmed") == "true"})
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        errors, code = messages.form_errors(exc)
        draft, record = service.get_visible(session=session, draft_id=draft_id, visible=visible)
        return render(request, "draft_sign.html", status_code=code, d=draft, r=record, errors=errors,
                      status_label=DRAFT_STATUS_LABELS[DraftStatus(draft.status)])
    return redirect(f"/letters/{letter.id}")


@router.post("/requests/{request_id}/assign")
def assign(request_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: WebUser,
           visible: Visible) -> Response:
    """分办 from the case page (approver): the handler and the internal deadline."""
    values = {k: v for k, v in form_dict(form).items() if v not in ("", None)}
    try:
        service.assign(session=session, user=user, visible=visible, request_id=request_id, data=values)
    except NotFound:
        return _not_found(request)
    except DomainError as exc:
        session.rollback()
        errors, _ = messages.form_errors(exc)
        return redirect(f"/requests/{request_id}?{urlencode({'service_error': '分办：' + '；'.join(errors.values())})}")
    return redirect(f"/requests/{request_id}?{urlencode({'flash': '已分办'})}")
