"""The official working-day calendar (LAW.md §3–4): national schedules 2018–2026 from data files,
provisional estimates for other years, regional overlays, and fast working-day arithmetic.

    from workflow.calendar import get_calendar, Pause
    cal = get_calendar()                      # national; get_calendar("gx") adds 广西's overlay
    cal.add_working_days(date(2026, 9, 21), 20)

Pure Python: nothing here imports web or database code.
"""

from workflow.calendar.files import MAX_YEAR, MIN_YEAR, load_region_file, load_year_file
from workflow.calendar.index import WorkingCalendar
from workflow.calendar.model import (
    CalendarError,
    CalendarFileError,
    ExplainedDay,
    Pause,
    SkipReason,
    UnknownRegion,
    YearSchedule,
)
from workflow.calendar.registry import available_regions, clear_cache, get_calendar

__all__ = [
    "MAX_YEAR",
    "MIN_YEAR",
    "CalendarError",
    "CalendarFileError",
    "ExplainedDay",
    "Pause",
    "SkipReason",
    "UnknownRegion",
    "WorkingCalendar",
    "YearSchedule",
    "available_regions",
    "clear_cache",
    "get_calendar",
    "load_region_file",
    "load_year_file",
]
