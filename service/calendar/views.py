"""HTML page for the calendar (日历): a year view with days off, make-up working days and provisional
years marked, national or with a regional overlay. The schedule comes from ``calendar.service``."""

from __future__ import annotations

import calendar as pycal
from datetime import date

from fastapi import APIRouter, Request
from starlette.responses import Response

from service.calendar import service
from service.settings import get_settings
from service.web.deps import WebUser, render
from workflow.calendar import CalendarError, available_regions

router = APIRouter(include_in_schema=False)

REGION_NAMES = {"gx": "广西壮族自治区"}


def month_grid(year: int, month: int) -> list[list[date | None]]:
    """Weeks (Monday first) of a month; None outside it."""
    weeks = pycal.Calendar(firstweekday=0).monthdatescalendar(year, month)
    return [[d if d.month == month else None for d in week] for week in weeks]


@router.get("/calendar")
def calendar_page(request: Request, user: WebUser, year: int | None = None, region: str = "") -> Response:
    """A year of the working-day calendar: days off (with names), make-up working days, provisional flag."""
    settings = get_settings()
    regions = available_regions(extra_dirs=(settings.calendar_dir,))
    region = region if region in regions else ""
    year = year or date.today().year
    try:
        sched = service.year_schedule(year=year, region=region)
    except (service.OutOfRange, CalendarError) as exc:
        return render(request, "error.html", status_code=422, heading="无法显示该年度",
                      message=f"{year}年不在日历支持的范围内（{exc}）。", back="/calendar")
    off = {d.date: d.name for d in sched.days_off}
    makeup = {d.date: d.name for d in sched.makeup_days}
    months = [(m, month_grid(year, m)) for m in range(1, 13)]
    weekday_off = sum(1 for d in off if d.weekday() < 5)
    return render(request, "calendar.html", year=year, region=region, regions=regions, region_names=REGION_NAMES,
                  sched=sched, off=off, makeup=makeup, months=months, weekday_off=weekday_off,
                  today=date.today())
