"""Web hardening for every response: a Content-Security-Policy, HSTS over HTTPS, and request-body limits
per route.

* CSP: scripts only from this site (no inline script, no eval), frames only by the desk itself, forms
  only to this site, no plugins, no ``<base>``. Inline styles stay allowed: letters and the annual
  report carry their own ``<style>`` and are shown in frames of the desk.
* HSTS: sent only when the request arrived over HTTPS. Behind a reverse proxy that terminates TLS,
  ``ogi serve`` trusts ``X-Forwarded-Proto`` only from ``settings.forwarded_allow_ips`` (uvicorn's
  proxy headers), so a client cannot claim HTTPS by sending the header itself.
* Body limits: a body longer than the route's limit is refused with 413 before the handler reads it,
  whether the length is declared (``Content-Length``) or streamed (chunked): nothing of it is parsed
  or stored. The default is ``settings.max_body_bytes``; the routes in :data:`ROUTE_LIMITS` (file
  uploads) have their own.
"""

from __future__ import annotations

import json
import re

from fastapi import HTTPException
from starlette.datastructures import MutableHeaders
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from service.settings import get_settings

CSP = ("default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; "
       "font-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; "
       "frame-ancestors 'self'")
HSTS = "max-age=31536000; includeSubDomains"

# Routes whose bodies may be larger than the default (path pattern → settings attribute; the
# attribute's absence falls back to UPLOAD_FALLBACK). Uploads of attachments are the only such routes.
ROUTE_LIMITS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"^/api/v1/requests/\d+/attachments"), "max_upload_bytes"),
    (re.compile(r"^/requests/\d+/attachments"), "max_upload_bytes"),
    (re.compile(r"^(/api/v1)?/letters/\d+/service/attachments$"), "max_upload_bytes"),  # proofs of service
    (re.compile(r"^/api/v1/letters/check$"), "max_upload_bytes"),  # a scanned letter (its own limit: 20 MB)
]
UPLOAD_FALLBACK = 50_000_000


def body_limit(path: str) -> int:
    """The largest request body accepted on ``path``, in bytes."""
    settings = get_settings()
    for pattern, attribute in ROUTE_LIMITS:
        if pattern.match(path):
            return int(getattr(settings, attribute, UPLOAD_FALLBACK))
    return settings.max_body_bytes


class _TooLarge(HTTPException):
    """Raised from ``receive`` when a streamed body passes the limit. An HTTPException, so FastAPI's
    body parsing passes it on (other errors there become a 400) and the app answers 413."""

    def __init__(self, limit: int) -> None:
        super().__init__(status_code=413, detail=f"request body larger than {limit} bytes")


class HardeningMiddleware:
    """Adds the security headers to every response and enforces the per-route body limit."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return
        limit = body_limit(scope.get("path", ""))
        declared = dict(scope.get("headers") or []).get(b"content-length")
        if declared is not None and declared.isdigit() and int(declared) > limit:
            await _refuse(send, limit)
            return
        https = scope.get("scheme") == "https"
        started = False
        too_large = False

        async def send_with_headers(message: Message) -> None:
            nonlocal started
            if too_large:
                # Whatever an inner layer made of the interrupted read (a 400 for a body it could not
                # parse, after BaseHTTPMiddleware wrapped the error), the answer is the 413.
                if message["type"] == "http.response.start" and not started:
                    started = True
                    await _refuse(send, limit)
                return
            if message["type"] == "http.response.start":
                started = True
                headers = MutableHeaders(scope=message)
                headers.setdefault("content-security-policy", CSP)
                headers.setdefault("x-content-type-options", "nosniff")
                if https:
                    headers.setdefault("strict-transport-security", HSTS)
            await send(message)

        received = 0

        async def counted_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    too_large = True
                    raise _TooLarge(limit)
            return message

        try:
            await self.app(scope, counted_receive, send_with_headers)
        except Exception:
            if not too_large or started:
                raise
            await _refuse(send, limit)


async def _refuse(send: Send, limit: int) -> None:
    body = json.dumps({"detail": [{"loc": ["body"], "msg": f"request body larger than {limit} bytes",
                                   "type": "value_error.too_large"}]}).encode()
    await send({"type": "http.response.start", "status": 413,
                "headers": [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
                            (b"content-security-policy", CSP.encode()), (b"connection", b"close")]})
    await send({"type": "http.response.body", "body": body})
