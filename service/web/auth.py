"""Login and logout pages (登录 / 退出). Failures are counted and accounts locked by
``users.login.authenticate``; this module only words the answer."""

from __future__ import annotations

from urllib.parse import urlsplit

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.deps import SessionDep
from service.settings import get_settings
from service.users.login import authenticate
from service.users.service import end_web_sessions
from service.web.deps import CheckedForm, redirect, render
from service.web.session import new_session

router = APIRouter(include_in_schema=False)


def _safe_next(value: object) -> str:
    """Only a path on this site: no open redirect after login.

    Browsers drop tabs and newlines from a URL and read a backslash as a slash, so ``/%09/evil.example``
    (a tab once decoded) would leave the site: any control character, space or backslash is refused, as
    is anything with a scheme or host, or a path starting with two slashes."""
    if not isinstance(value, str) or not value.startswith("/") or len(value) > 2000:
        return "/"
    if any(ord(ch) <= 0x20 or ord(ch) == 0x7F for ch in value) or "\\" in value or value.startswith("//"):
        return "/"
    parts = urlsplit(value)
    if parts.scheme or parts.netloc:
        return "/"
    return value


@router.get("/login")
def login_form(request: Request, next: str = "/") -> Response:
    """The login form."""
    if getattr(request.state, "web_user", None) is not None:
        return redirect(_safe_next(next))
    return render(request, "login.html", next=_safe_next(next), error=None, username="")


@router.post("/login")
def login(request: Request, form: CheckedForm) -> Response:
    """Check the password; on success start a new session (new CSRF token) and go on.

    No request transaction here: the attempt is counted in its own short one before the password is
    checked (``users.login``), so parallel attempts cannot slip past the lock-out."""
    settings = get_settings()
    username = str(form.get("username") or "").strip()
    password = str(form.get("password") or "")
    target = _safe_next(form.get("next"))
    outcome = authenticate(username=username, password=password, max_failures=settings.login_max_failures,
                           lockout_minutes=settings.login_lockout_minutes)
    if outcome.user is None:
        if outcome.locked:
            error = (f"该账户因连续{settings.login_max_failures}次登录失败已被锁定，"
                     f"请{settings.login_lockout_minutes}分钟后再试，或联系管理员。")
        else:
            error = (f"用户名或密码错误。连续失败{settings.login_max_failures}次，"
                     f"账户将被锁定{settings.login_lockout_minutes}分钟。")
        return render(request, "login.html", status_code=401, next=target, error=error, username=username)
    # A fresh session on login: the token a visitor had before logging in is not the one after.
    request.state.web_session_set = new_session(outcome.user.id, outcome.user.session_version)
    return redirect(target)


@router.post("/logout")
def logout(request: Request, form: CheckedForm, session: SessionDep) -> Response:
    """End the session, and with it every copy of its cookie."""
    user = getattr(request.state, "web_user", None)
    if user is not None:
        end_web_sessions(session=session, user_id=user.id)
    request.state.web_session_set = None
    return redirect("/login")
