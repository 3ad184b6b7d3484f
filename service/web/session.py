"""The web desk's cookie session: a signed cookie holding the user id and the CSRF token.

The cookie is signed (itsdangerous, with the deployment's key from :mod:`service.secret_key`) and time-limited, so it cannot be
forged or kept forever; it carries no password or token, only the user's id. A pure ASGI middleware
reads it once per request and puts the user on ``request.state.web_user``, which is where
``service.deps.current_user`` looks when there is no bearer token: the same user object backs the
HTML pages and the JSON endpoints a page links to (letter HTML and PDF). Cookie authentication is
accepted on the API for GET and HEAD only, so a forged cross-site POST can never act through it.
"""

from __future__ import annotations

import secrets
from typing import Any

from itsdangerous import BadSignature, URLSafeTimedSerializer
from starlette.concurrency import run_in_threadpool
from starlette.datastructures import MutableHeaders
from starlette.requests import HTTPConnection
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service import secret_key

COOKIE = "ogi_session"
# A working day with margin; after that the clerk logs in again.
MAX_AGE_SECONDS = 12 * 3600
_SALT = "ogi-desk-web-session"
_PAGE_HEADERS = (("x-frame-options", "SAMEORIGIN"), ("x-content-type-options", "nosniff"),
                 ("referrer-policy", "same-origin"))


def _serializer() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(secret_key.current(), salt=_SALT)


def new_session(user_id: int | None = None, version: int = 0) -> dict[str, Any]:
    """A fresh session: a new CSRF token, and the user (with their session version) when logged in."""
    data: dict[str, Any] = {"c": secrets.token_urlsafe(24)}
    if user_id is not None:
        data["u"] = user_id
        data["v"] = version
    return data


def read_cookie(value: str | None) -> dict[str, Any] | None:
    """The session in a cookie value, or None if it is missing, forged or expired."""
    if not value:
        return None
    try:
        data = _serializer().loads(value, max_age=MAX_AGE_SECONDS)
    except BadSignature:
        return None
    return data if isinstance(data, dict) and isinstance(data.get("c"), str) else None


def cookie_header(data: dict[str, Any] | None, *, secure: bool = False) -> str:
    """The ``Set-Cookie`` value that stores ``data`` (or deletes the cookie for None); ``secure``
    (HTTPS) keeps the browser from ever sending it over plain HTTP."""
    flags = "; Secure" if secure else ""
    if data is None:
        return f"{COOKIE}=; Path=/; Max-Age=0; HttpOnly; SameSite=Lax{flags}"
    value = _serializer().dumps(data)
    # Lax: the cookie is not sent with cross-site POSTs (a second line of defence besides the token).
    return f"{COOKIE}={value}; Path=/; Max-Age={MAX_AGE_SECONDS}; HttpOnly; SameSite=Lax{flags}"


def _load_user(user_id: int, version: int) -> Any:
    from service.db import transaction
    from service.users.models import User
    from service.users.service import is_locked

    with transaction(readonly=True) as session:
        user = session.get(User, user_id)
        # A cookie from before the user's last logout is dead, even if someone copied it.
        if user is None or not user.active or is_locked(user) or user.session_version != version:
            return None
        session.expunge(user)
        return user


class WebSessionMiddleware:
    """Reads the session cookie, loads its user onto ``request.state.web_user`` and, for a visitor
    without a session on an HTML page, issues one (so the login form has a CSRF token).

    A handler that logs in or out puts the new session on ``request.state.web_session_set``
    (None = delete); the middleware writes the cookie when the response starts.
    """

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        conn = HTTPConnection(scope)
        state = scope.setdefault("state", {})
        path: str = scope.get("path", "")
        is_api = path.startswith("/api/") or path in ("/docs", "/openapi.json", "/healthz")
        data = read_cookie(conn.cookies.get(COOKIE))
        if data is None and not is_api and not path.startswith("/static/"):
            data = new_session()
            state["web_session_set"] = data
        state["web_session"] = data or {}
        user = None
        safe = scope.get("method") in ("GET", "HEAD")
        if data and data.get("u") and "authorization" not in conn.headers and (safe or not is_api):
            user = await run_in_threadpool(_load_user, int(data["u"]), int(data.get("v", 0)))
        state["web_user"] = user

        async def send_with_cookie(message: Message) -> None:
            if message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                if "web_session_set" in state:
                    headers.append("set-cookie", cookie_header(state["web_session_set"],
                                                               secure=scope.get("scheme") == "https"))
                if not is_api:
                    # Pages may be framed only by the desk itself (letter previews), never by another site.
                    for name, value in _PAGE_HEADERS:
                        headers.setdefault(name, value)
            await send(message)

        await self.app(scope, receive, send_with_cookie)
