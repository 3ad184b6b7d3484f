"""What the request pages share: the units a user may see, and the 404 page for a case that does not
exist or that the user may not see (the same answer, so other units' cases stay unknown)."""

from __future__ import annotations

from fastapi import Request
from sqlmodel import Session
from starlette.responses import Response

from service.agencies.models import Agency
from service.agencies.repository import all_agencies
from service.web.deps import render


def agencies_of(session: Session, ids: set[int]) -> dict[int, Agency]:
    """The units among ``ids``, by id."""
    return {a.id: a for a in all_agencies(session=session) if a.id in ids}  # type: ignore[misc]


def not_found(request: Request) -> Response:
    """The 404 page for a case the user cannot see."""
    return render(request, "error.html", status_code=404, heading="未找到",
                  message="没有找到这件申请，或您无权查看。", back="/")
