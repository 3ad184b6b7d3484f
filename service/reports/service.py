"""Annual report use case: find the unit (if the caller may see it), fold its requests, compute the
tables (``workflow.annual_report``) and hand them to the renderers in the format asked for."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from sqlmodel import Session

from service.agencies.models import Agency
from service.agencies.service import get_by_code
from service.base import utcnow
from service.projections.report import year_facts
from service.reports import render
from service.requests.context import local_today
from workflow.annual_report import AnnualReport, compute_facts
from workflow.errors import InvalidField, NotFound

FORMATS = ("json", "html", "pdf", "xlsx")
MEDIA_TYPES = {
    "json": "application/json",
    "html": "text/html; charset=utf-8",
    "pdf": "application/pdf",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}
# The first year a report can be asked for: the Regulations' annual report exists since 2008; the
# 2021 form is applied to whatever the database holds.
FIRST_YEAR = 2008


@dataclass(frozen=True)
class AnnualReportFor:
    """The report with the unit it is about (the renderers print the unit's name)."""

    agency: Agency
    report: AnnualReport


def annual_report(*, session: Session, agency_code: str, year: int, visible: set[int] | None,
                  today: date | None = None) -> AnnualReportFor:
    """The annual report of ``agency_code`` for ``year`` as of today (31 December once the year is over).

    ``visible`` is the set of unit ids the caller may see (None: no restriction, the command line); a
    unit outside it is NotFound, like a unit that does not exist. A year that has not begun is refused
    (InvalidField ``year``); data that break the form's arithmetic raise ReportCheckFailed (409).
    """
    try:
        agency = get_by_code(session=session, code=agency_code)
    except NotFound:
        raise NotFound(f"agency {agency_code} not found") from None
    if visible is not None and agency.id not in visible:
        raise NotFound(f"agency {agency_code} not found")
    today = today or local_today(agency, utcnow())
    if not FIRST_YEAR <= year <= today.year:
        raise InvalidField("year", f"must be between {FIRST_YEAR} and the current year {today.year}",
                           code="report.year_out_of_range", low=FIRST_YEAR, high=today.year)
    as_of = min(today, date(year, 12, 31))
    # The maintained per-request facts of the year (service.projections.report), not every event of
    # the unit's history: equal to folding the events (tests/test_projections.py), and rebuilt by
    # `ogi report rebuild`.
    facts = year_facts(session=session, agency_id=agency.id, agency_code=agency.code, year=year, cutoff=as_of)  # type: ignore[arg-type]
    return AnnualReportFor(agency=agency, report=compute_facts(facts, agency_code=agency.code, year=year,
                                                               as_of=as_of))


def as_format(found: AnnualReportFor, fmt: str) -> bytes:
    """The report as bytes of ``fmt`` (html, pdf, xlsx; json is the API's schema, see schemas.py)."""
    if fmt == "html":
        return render.html(found.report, agency_name=found.agency.name).encode("utf-8")
    if fmt == "pdf":
        return render.pdf(found.report, agency_name=found.agency.name)
    if fmt == "xlsx":
        return render.xlsx(found.report, agency_name=found.agency.name)
    if fmt == "json":
        from service.reports.schemas import AnnualReportOut

        return AnnualReportOut.of(found).model_dump_json(indent=2).encode("utf-8")
    raise InvalidField("format", f"one of {', '.join(FORMATS)}", code="report.unknown_format")
