"""HTML page for the annual report (年度报告): choose a unit and a year, read Tables 3 and 4 in the page,
download the PDF or the xlsx workbook (the API's GET /reports/annual, which accepts the desk's cookie)."""

from __future__ import annotations

from datetime import date
from typing import Annotated

from fastapi import APIRouter, Depends, Request
from sqlmodel import select
from starlette.responses import Response

from service.agencies.models import Agency
from service.deps import SessionDep
from service.reports import render as report_render
from service.reports import service
from service.reports.endpoints import REPORT_ROLES
from service.users.models import User
from service.web.deps import Visible, hidden_unless_role, render
from workflow.errors import DomainError

router = APIRouter(include_in_schema=False)
Reporter = Annotated[User, Depends(hidden_unless_role(*REPORT_ROLES))]


@router.get("/reports")
def reports_page(request: Request, session: SessionDep, user: Reporter, visible: Visible,
                 agency: str | None = None, year: int | None = None) -> Response:
    """The report of one unit and year (default: the user's own unit, last year)."""
    units = list(session.exec(select(Agency).where(Agency.id.in_(sorted(visible))).order_by(Agency.code)))  # type: ignore[union-attr]
    own = next((a for a in units if a.id == user.agency_id), units[0] if units else None)
    code = agency or (own.code if own else "")
    year = year or date.today().year - 1
    table, error = "", ""
    try:
        found = service.annual_report(session=session, agency_code=code, year=year, visible=visible)
        table = report_render.html(found.report, agency_name=found.agency.name)
    except DomainError as exc:
        error = str(exc)
    return render(request, "reports.html", units=units, code=code, year=year, table=table, error=error,
                  years=list(range(date.today().year, service.FIRST_YEAR - 1, -1)))
