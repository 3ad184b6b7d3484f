"""HTTP routes for the calendar: due dates, explanations, year schedules (no login needed)."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Annotated, TypeVar

from fastapi import APIRouter, Path, Query
from fastapi.exceptions import RequestValidationError

from service.calendar import service
from service.calendar.schemas import DueOut, ExplainOut, YearScheduleOut
from service.errors import INVALID_RESPONSE
from workflow.calendar import UnknownRegion

router = APIRouter(tags=["calendar"])

T = TypeVar("T")

Start = Annotated[date, Query(description="start date (receipt date), YYYY-MM-DD")]
Days = Annotated[int, Query(ge=0, description="period in working days")]
Region = Annotated[str | None, Query(max_length=16, description="regional overlay code, e.g. gx "
                                                                   "(default: the configured region; empty: national)")]


# Where each input the service may reject lives in the request.
LOCATION = {"start": "query", "days": "query", "year": "path"}


def _answer(call: Callable[[], T]) -> T:
    """Run a service call, turning calendar errors into FastAPI's 422 format naming the field."""
    try:
        return call()
    except UnknownRegion as exc:
        raise RequestValidationError([{"loc": ("query", "region"), "msg": str(exc), "type": "value_error",
                                       "input": exc.region}]) from exc
    except service.OutOfRange as exc:
        raise RequestValidationError([{"loc": (LOCATION[exc.field], exc.field),
                                       "msg": str(exc), "type": "value_error"}]) from exc


@router.get("/calendar/due", response_model=DueOut, responses=INVALID_RESPONSE)
def get_due(start: Start, days: Days = 20, region: Region = None) -> DueOut:
    """The due date: the `days`-th working day after `start` (LAW.md §3), and whether it is provisional."""
    return _answer(lambda: service.due(start=start, days=days, region=region))


@router.get("/calendar/explain", response_model=ExplainOut, responses=INVALID_RESPONSE)
def get_explain(start: Start, days: Days = 20, region: Region = None) -> ExplainOut:
    """The due date with every day after `start` up to it: counted (with its ordinal) or skipped, and why."""
    return _answer(lambda: service.explain(start=start, days=days, region=region))


@router.get("/calendar/years/{year}", response_model=YearScheduleOut, responses=INVALID_RESPONSE)
def get_year(year: Annotated[int, Path(description="calendar year")], region: Region = None) -> YearScheduleOut:
    """A year's days off and weekend make-up working days with their names, source and provisional flag."""
    return _answer(lambda: service.year_schedule(year=year, region=region))
