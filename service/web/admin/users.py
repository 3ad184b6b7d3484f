"""Admin pages for users (用户): the list of the admin's users, adding one, lifting a lock-out,
issuing and revoking API tokens, and disabling or enabling an account."""

from __future__ import annotations

from typing import Any, Literal
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from sqlmodel import Session
from starlette.responses import Response

from service.adminlog import service as adminlog
from service.deps import RowId, SessionDep
from service.users import service as users
from service.web import messages
from service.web.admin.base import Admin, admin_page, units_of
from service.web.deps import CheckedForm, Visible, form_dict, redirect
from workflow.errors import DomainError
from workflow.machine import Role

router = APIRouter(include_in_schema=False)


def _users_page(request: Request, session: Session, visible: set[int], status_code: int = 200,
                **context: Any) -> Response:
    units = units_of(session, visible)
    listed = users.users_of(session=session, agency_ids=visible)
    accounts = [(u, users.is_locked(u)) for u in listed]
    tokens: dict[int, list[Any]] = {}
    for token in users.tokens_of(session=session, user_ids={u.id for u in listed}):  # type: ignore[misc]
        if token.revoked_at is None:
            tokens.setdefault(token.user_id, []).append(token)
    response = admin_page(request, session, "admin_users.html", status_code=status_code, units=units,
                          names={a.id: a.name for a in units}, unit_options=[(a.code, a.name) for a in units],
                          accounts=accounts, tokens=tokens,
                          roles=[(r.value, messages.ROLES.get(r.value, r.value)) for r in Role], **context)
    # A page showing a new token must not be kept by the browser's or a proxy's cache.
    response.headers["Cache-Control"] = "no-store"
    return response


def _row_refused(request: Request, session: Session, visible: set[int], exc: DomainError) -> Response:
    """The users page again with a refusal of a row's button, after rolling back."""
    session.rollback()
    # Said above the list: the button pressed belongs to a row, not to the form for adding users.
    return _users_page(request, session, visible, status_code=422,
                       errors={"_": "、".join(messages.admin_errors(exc).values())})


@router.get("/admin/users")
def users_page(request: Request, session: SessionDep, _: Admin, visible: Visible) -> Response:
    """The users of the admin's units, with unlock and token buttons, and the form to add one."""
    return _users_page(request, session, visible)


@router.post("/admin/users")
def add_user(request: Request, form: CheckedForm, session: SessionDep, _: Admin, visible: Visible) -> Response:
    """Add a user to one of the admin's units."""
    values = form_dict(form)
    username = str(values.get("username", ""))
    try:
        users.add_user(session=session, username=username, password=str(form.get("password") or ""),
                       role=str(values.get("role", "")), agency_code=str(values.get("agency", "")),
                       display_name=str(values.get("display_name", "")), visible=visible)
    except DomainError as exc:
        session.rollback()
        return _users_page(request, session, visible, status_code=422, errors=messages.admin_errors(exc),
                           values=values)
    return redirect("/admin/users?" + urlencode({"flash": f"已添加用户 {username}"}))


@router.post("/admin/users/{username}/unlock")
def unlock_user(username: str, request: Request, form: CheckedForm, session: SessionDep, _: Admin,
                visible: Visible) -> Response:
    """Lift a lock-out (the failed logins are forgotten; the password stays)."""
    try:
        users.unlock(session=session, username=username, visible=visible)
    except DomainError as exc:
        return _row_refused(request, session, visible, exc)
    return redirect("/admin/users?" + urlencode({"flash": f"已解除 {username} 的锁定"}))


@router.post("/admin/tokens/{token_id}/revoke")
def revoke_token(token_id: RowId, request: Request, form: CheckedForm, session: SessionDep, user: Admin,
                 visible: Visible) -> Response:
    """吊销 one API token of a user in the admin's units: it stops working at once."""
    try:
        revoked = users.revoke_tokens(session=session, token_id=token_id, visible=visible)
    except DomainError:
        session.rollback()
        return _users_page(request, session, visible, status_code=404, errors={"_": "没有这个令牌，或不是您管理的单位的令牌"})
    adminlog.record(session=session, actor=user, action="token_revoke", target=f"token {token_id}",
                    tokens=[t.id for t in revoked])
    return redirect("/admin/users?" + urlencode({"flash": f"已吊销令牌 #{token_id}"}))


@router.post("/admin/users/{username}/token")
def issue_token(username: str, request: Request, form: CheckedForm, session: SessionDep, _: Admin,
                visible: Visible) -> Response:
    """Issue an API token and show it on this one answer (only its hash is stored; no redirect, so it
    never appears in a URL)."""
    try:
        token = users.create_token(session=session, username=username, name=str(form_dict(form).get("name", "")),
                                   visible=visible)
    except DomainError as exc:
        return _row_refused(request, session, visible, exc)
    return _users_page(request, session, visible, new_token={"username": username, "token": token})


# After the other /admin/users/{username}/… routes: its path would match theirs.
_ACTIVE = {"disable": (False, "已停用 {}：其接口令牌和登录会话已失效"), "enable": (True, "已启用 {}")}


@router.post("/admin/users/{username}/{change}")
def set_user_active(username: str, change: Literal["disable", "enable"], request: Request, form: CheckedForm,
                    session: SessionDep, user: Admin, visible: Visible) -> Response:
    """停用 (the account's API tokens and web sessions stop working at once) or 启用 again; recorded
    with the admin. An admin cannot disable themselves (another admin must)."""
    active, flash = _ACTIVE[change]
    try:
        users.set_active(session=session, username=username, active=active, actor=user, visible=visible)
    except DomainError as exc:
        return _row_refused(request, session, visible, exc)
    return redirect("/admin/users?" + urlencode({"flash": flash.format(username)}))
