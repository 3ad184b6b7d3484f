"""The official calendar as a workalendar class: the reference the fast index is built from.

workalendar's own ``China`` knows only 2018–2023, adds lunar 1/1–1/6 and 1–7 October by itself and
is no longer maintained, so this class owns its data instead: ``get_variable_days`` returns the days
off of :class:`~workflow.calendar.schedule.CalendarData` and the weekend make-up days are working days.
"""

from __future__ import annotations

from datetime import date

from workalendar.core import SAT, SUN, Calendar, cleaned_date

from workflow.calendar.files import MAX_YEAR, MIN_YEAR
from workflow.calendar.model import CalendarError
from workflow.calendar.schedule import CalendarData


class OfficialChinaCalendar(Calendar):
    """中国法定工作日历 (national schedule, optionally with a regional overlay) on workalendar."""

    WEEKEND_DAYS = (SAT, SUN)
    # 元旦 comes from the data like every other holiday, not from workalendar's built-in New Year.
    include_new_years_day = False

    def __init__(self, data: CalendarData) -> None:
        super().__init__()
        self.data = data
        by_year: dict[int, list[tuple[date, str]]] = {}
        makeup: set[date] = set()
        for d in {*data.national_off, *data.regional_off, *data.national_makeup, *data.regional_makeup}:
            kind = data.classify(d)
            if not kind.working and kind.label is not None:
                by_year.setdefault(d.year, []).append((d, kind.label))
            elif kind.working and d.weekday() >= 5:
                makeup.add(d)
        self._days_off = by_year
        self.makeup_days = frozenset(makeup)

    def get_variable_days(self, year: int) -> list[tuple[date, str]]:
        """The days off of ``year`` (national, provisional estimate or official, plus the overlay)."""
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarError(f"year {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")
        return [*super().get_variable_days(year), *self._days_off.get(year, [])]

    def is_working_day(self, day: date, extra_working_days: object = None,
                       extra_holidays: object = None) -> bool:
        """Monday–Friday minus the days off, plus the weekend make-up working days."""
        if cleaned_date(day) in self.makeup_days:
            return True
        return super().is_working_day(day, extra_working_days, extra_holidays)  # type: ignore[arg-type]
