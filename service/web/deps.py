"""Dependencies and helpers shared by every page: the logged-in user, CSRF-checked forms, rendering.

Pages never decide who may do what: visibility comes from ``users.service.visible_agency_ids`` and
actions from the workflow's ``allowed_actions``, exactly as for the API.
"""

from __future__ import annotations

import hmac
from collections.abc import Callable
from pathlib import Path
from typing import Annotated, Any

from fastapi import Depends, Request
from fastapi.templating import Jinja2Templates
from starlette.datastructures import FormData
from starlette.responses import HTMLResponse, Response

from service.deps import SessionDep
from service.users.models import User
from service.users.service import visible_agency_ids
from service.web import messages
from workflow.cn_dates import cn_date

TEMPLATES = Jinja2Templates(directory=str(Path(__file__).with_name("templates")))


TEMPLATES.env.filters["cn_date"] = cn_date
TEMPLATES.env.filters["trail_cn"] = messages.trail_reason
TEMPLATES.env.globals.update(
    STATUS=messages.STATUS, ACTION_LABELS=messages.ACTION_LABELS, CHANNELS=messages.CHANNELS, ROLES=messages.ROLES,
    DECISION_LABELS=messages.DECISION_LABELS, EVENT_LABELS=messages.EVENT_LABELS, SKIP_LABELS=messages.SKIP_LABELS,
    FIELD_LABELS=messages.FIELD_LABELS,
)


class LoginRequired(Exception):
    """No logged-in user: the page answers with a redirect to the login form."""


class CsrfRejected(Exception):
    """A POST without the session's CSRF token: refused with 403."""


class PageNotFound(Exception):
    """A page this user may not know of (e.g. 管理 for a non-admin): 404, like any hidden resource."""


class Forbidden(Exception):
    """The user's role may not use this page: 403 with a Chinese explanation."""

    def __init__(self, message: str) -> None:
        super().__init__(message)
        self.message = message




def web_user(request: Request, session: SessionDep) -> User:
    """The logged-in user of the desk (set by the session middleware); computes the units they may see."""
    user = getattr(request.state, "web_user", None)
    if user is None:
        raise LoginRequired()
    request.state.visible_agencies = visible_agency_ids(session=session, user=user)
    # The header names the person's unit (not its code): one primary-key read per page.
    from service.agencies.models import Agency

    unit = session.get(Agency, user.agency_id)
    request.state.user_unit = unit.name if unit is not None else ""
    return user


WebUser = Annotated[User, Depends(web_user)]


def require_roles(*roles: str, message: str) -> Callable[[User], User]:
    """A page dependency admitting only users with one of ``roles`` (the API's role checks, for pages)."""

    def _check(user: WebUser) -> User:
        if user.role not in roles:
            raise Forbidden(message)
        return user

    return _check


def hidden_unless_role(*roles: str) -> Callable[[User], User]:
    """A page dependency for pages only ``roles`` know of: anyone else gets 404, not 403, so the page
    does not even admit it exists (as with another unit's case)."""

    def _check(user: WebUser) -> User:
        if user.role not in roles:
            raise PageNotFound()
        return user

    return _check


def visible(request: Request, _: WebUser) -> set[int]:
    """The agency ids the logged-in user may see."""
    return request.state.visible_agencies


Visible = Annotated[set[int], Depends(visible)]


def csrf_token(request: Request) -> str:
    """The session's CSRF token (put into every form as ``csrf_token``)."""
    pending = getattr(request.state, "web_session_set", None)
    data = pending if pending is not None else getattr(request.state, "web_session", {})
    return str((data or {}).get("c", ""))


async def checked_form(request: Request) -> FormData:
    """The posted form, after checking its CSRF token against the session's (403 otherwise).

    htmx requests may send the token in the ``X-CSRF-Token`` header instead.
    """
    form = await request.form()
    sent = form.get("csrf_token") or request.headers.get("x-csrf-token") or ""
    expected = str((getattr(request.state, "web_session", {}) or {}).get("c", ""))
    if not expected or not isinstance(sent, str) or not hmac.compare_digest(sent, expected):
        raise CsrfRejected()
    return form


CheckedForm = Annotated[FormData, Depends(checked_form)]


def render(request: Request, template: str, status_code: int = 200, **context: Any) -> HTMLResponse:
    """Render a page with the user, the CSRF token and the navigation."""
    user = getattr(request.state, "web_user", None)
    return TEMPLATES.TemplateResponse(request, template, {
        "user": user, "csrf_token": csrf_token(request), "path": request.url.path,
        "user_unit": getattr(request.state, "user_unit", ""), **context,
    }, status_code=status_code)


def redirect(url: str) -> Response:
    """303 See Other (after a POST, the browser follows with a GET)."""
    return Response(status_code=303, headers={"Location": url})


def form_dict(form: FormData) -> dict[str, Any]:
    """Form fields as a dict: repeated fields become lists, blanks are dropped (the domain fills defaults)."""
    out: dict[str, Any] = {}
    for key in form:
        if key == "csrf_token":
            continue
        values = [v for v in form.getlist(key) if isinstance(v, str)]
        values = [v.strip() for v in values if v.strip()]
        if not values:
            continue
        out[key] = values if len(values) > 1 else values[0]
    return out
