"""What the workflow needs to decide for one agency: its calendar, its policy, its legal "today"."""

from __future__ import annotations

from datetime import date, datetime
from functools import lru_cache
from zoneinfo import ZoneInfo

from service.agencies.models import Agency
from service.settings import get_settings
from workflow.calendar import WorkingCalendar, get_calendar
from workflow.policy import Policy


def calendar_for(agency: Agency) -> WorkingCalendar:
    """The agency's working-day calendar: national, its region's overlay, and installed year files."""
    from service.calendar.store import refresh

    refresh()  # installed calendars come from the database (throttled; service/calendar/store.py)
    settings = get_settings()
    region = agency.region or settings.region or None
    return get_calendar(region=region, extra_dirs=(settings.calendar_dir,))


@lru_cache(maxsize=32)
def _policy(timezone: str, fee_pauses_clock: bool, reminder_days: tuple[int, ...]) -> Policy:
    return Policy.load(timezone=timezone, fee_pauses_clock=fee_pauses_clock, reminder_days=reminder_days)


def policy_for(agency: Agency) -> Policy:
    """The legal periods and switches for the agency (data file + operator settings)."""
    settings = get_settings()
    return _policy(agency.timezone, settings.fee_pauses_clock, tuple(settings.reminder_days))


def local_today(agency: Agency, now: datetime) -> date:
    """The agency's legal day at instant ``now`` (servers may run on UTC; users live in Beijing time)."""
    return now.astimezone(ZoneInfo(agency.timezone)).date()
