"""HTTP route for the annual report: JSON by default, or the HTML page, the PDF or the xlsx workbook."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from fastapi.responses import Response

from service.deps import SessionDep, VisibleAgencies, require_roles
from service.errors import CONFLICT_RESPONSE, INVALID_RESPONSE
from service.reports import service
from service.reports.schemas import AnnualReportOut

router = APIRouter(tags=["reports"])

# Who produces the annual report: the unit's approver (负责人) for their own unit, the supervising
# office's assessors and admins for every unit below them. Clerks and handlers do not (403).
REPORT_ROLES = ("approver", "assessor", "admin")

_FILES = {fmt: {"content": {service.MEDIA_TYPES[fmt].split(";")[0]: {}}} for fmt in ("html", "pdf", "xlsx")}


@router.get("/reports/annual", response_model=AnnualReportOut,
            dependencies=[Depends(require_roles(*REPORT_ROLES))],
            responses={200: {"content": {m: {} for f in _FILES.values() for m in f["content"]},
                             "description": "The report in the format asked for"},
                       404: {"description": "no such unit, or not one the caller may see"},
                       **CONFLICT_RESPONSE, **INVALID_RESPONSE})
def annual_report(
    session: SessionDep, visible: VisibleAgencies,
    agency: Annotated[str, Query(min_length=1, max_length=40, description="unit code")],
    year: Annotated[int, Query(ge=service.FIRST_YEAR, le=9999)],
    format: Annotated[Literal["json", "html", "pdf", "xlsx"], Query()] = "json",  # noqa: A002
) -> AnnualReportOut | Response:
    """Tables 3 and 4 of the annual report (年度报告, 国办公开办函〔2021〕30号) and the fees collected, for
    one unit and year; a year still running stands at today. 409 when the data break 一 + 二 = 三（七） + 四
    (the message names the column)."""
    found = service.annual_report(session=session, agency_code=agency, year=year, visible=visible)
    if format == "json":
        return AnnualReportOut.of(found)
    filename = f"annual-report-{found.agency.code}-{year}.{format}"
    disposition = "inline" if format in ("html", "pdf") else "attachment"
    return Response(service.as_format(found, format), media_type=service.MEDIA_TYPES[format],
                    headers={"Content-Disposition": f'{disposition}; filename="{filename}"'})
