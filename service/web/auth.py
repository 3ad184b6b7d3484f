"""Login and logout pages (登录 / 退出). Failures are counted and accounts locked by
``users.service.authenticate``; this module only words the answer."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.deps import SessionDep
from service.settings import get_settings
from service.users.service import authenticate, end_web_sessions, lock_state
from service.web.deps import CheckedForm, redirect, render
from service.web.session import new_session

router = APIRouter(include_in_schema=False)


def _safe_next(value: object) -> str:
    """Only a path on this site (never ``//host`` or ``https://…``): no open redirect after login."""
    if isinstance(value, str) and value.startswith("/") and not value.startswith("//") and "\\" not in value:
        return value
    return "/"


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    if getattr(request.state, "web_user", None) is not None:
        return redirect(_safe_next(next))
    return render(request, "login.html", next=_safe_next(next), error=None, username="")


@router.post("/login")
def login(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    """Check the password; on success start a new session (new CSRF token) and go on."""
    settings = get_settings()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(form.get("next"))
    user = authenticate(session=session, username=username, password=password,
                        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes)
    if user is None:
        # The failure (and a lock-out) is committed with this request; only the wording is decided here.
        if lock_state(session=session, username=username) is not None:
            error = (f"该账户因连续{settings.login_max_failures}次登录失败已被锁定，"
                     f"请{settings.login_lockout_minutes}分钟后再试，或联系管理员。")
        else:
            error = (f"用户名或密码错误。连续失败{settings.login_max_failures}次，"
                     f"账户将被锁定{settings.login_lockout_minutes}分钟。")
        return render(request, "login.html", status_code=401, next=target, error=error, username=username)
    # A fresh session on login: the token a visitor had before logging in is not the one after.
    request.state.web_session_set = new_session(user.id, user.session_version)
    return redirect(target)


@router.post("/logout")
def logout(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    """End the session, and with it every copy of its cookie."""
    user = getattr(request.state, "web_user", None)
    if user is not None:
        end_web_sessions(session=session, user_id=user.id)
    request.state.web_session_set = None
    return redirect("/login")
