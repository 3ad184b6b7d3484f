"""HTML page for assessment (考核): per scheme and period, the units' totals and grades as a table and
a chart, each unit's trail down to the request, and manual entry forms for assessors."""

from __future__ import annotations

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.web.deps import WebUser, render

router = APIRouter(include_in_schema=False)


@router.get("/assessment")
def assessment_page(request: Request, user: WebUser) -> Response:
    """Scheme results (waits for the assessment service)."""
    return render(request, "error.html", status_code=503, heading="考核",
                  message="考核服务尚未就绪。")
