"""The fast path: a precomputed working-day index over the supported range.

``_cum[i]`` is the number of working days from the first supported day up to day ``i`` inclusive and
``_workdays[k]`` is the (k+1)-th working day, so "the n-th working day after d" is one subtraction
and two list look-ups, and "working days in (a, b]" is ``_cum[b] - _cum[a]``. A pause adds one hop
per pause. The index is filled from the workalendar class, which stays the reference.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date, timedelta

from workflow.calendar.files import MAX_YEAR, MIN_YEAR
from workflow.calendar.model import CalendarError, ExplainedDay, Pause, YearSchedule
from workflow.calendar.schedule import CalendarData
from workflow.calendar.wcal import OfficialChinaCalendar

FIRST_DAY = date(MIN_YEAR, 1, 1)
LAST_DAY = date(MAX_YEAR, 12, 31)


class WorkingCalendar:
    """Working-day arithmetic on the official calendar (LAW.md §3–4), optionally with a regional overlay.

    Counting rule: day 1 is the first working day *after* the start; a pause from S to E removes the
    working days d with S < d <= E from the count.
    """

    def __init__(self, data: CalendarData) -> None:
        self.data = data
        self.region: str | None = data.region
        self.fingerprint: str = data.fingerprint
        self.workalendar = OfficialChinaCalendar(data)
        self._base = FIRST_DAY.toordinal()
        self._size = LAST_DAY.toordinal() - self._base + 1
        working = bytearray(self._size)
        cum = [0] * self._size
        workdays: list[date] = []
        is_working_day = self.workalendar.is_working_day
        for i in range(self._size):
            d = date.fromordinal(self._base + i)
            if is_working_day(d):
                working[i] = 1
                workdays.append(d)
            cum[i] = len(workdays)
        self._working = bytes(working)
        self._cum = cum
        self._workdays = workdays
        self._provisional = frozenset(y for y in range(MIN_YEAR, MAX_YEAR + 1) if not data.is_official(y))

    def __repr__(self) -> str:
        return f"WorkingCalendar(region={self.region!r}, fingerprint={self.fingerprint!r})"

    # -- index helpers ---------------------------------------------------------------------------

    def _index(self, d: date) -> int:
        i = d.toordinal() - self._base
        if 0 <= i < self._size:
            return i
        raise CalendarError(f"{d.isoformat()} is outside the supported range {FIRST_DAY} … {LAST_DAY}")

    def _nth(self, k: int) -> date:
        """The k-th working day of the index (1-based)."""
        if k > len(self._workdays):
            raise CalendarError(f"the due date falls after {LAST_DAY}, the end of the supported range")
        return self._workdays[k - 1]

    def _spans(self, pauses: Iterable[Pause], lo: int, hi: int) -> list[tuple[int, int]]:
        """Pauses as merged, sorted index spans (s, e] clipped to (lo, hi]; empty ones dropped."""
        raw = sorted((max(p.start.toordinal() - self._base, lo), min(p.end.toordinal() - self._base, hi))
                     for p in pauses)
        spans: list[tuple[int, int]] = []
        for s, e in raw:
            if e <= s:
                continue
            if spans and s <= spans[-1][1]:
                spans[-1] = (spans[-1][0], max(spans[-1][1], e))
            else:
                spans.append((s, e))
        return spans

    # -- public interface ------------------------------------------------------------------------

    def is_working_day(self, d: date) -> bool:
        """Whether ``d`` is a working day (CalendarError outside the supported range)."""
        return self._working[self._index(d)] == 1

    def add_working_days(self, start: date, n: int, pauses: Sequence[Pause] = ()) -> date:
        """The n-th counted working day after ``start`` (``start`` itself when n == 0)."""
        if n < 0:
            raise ValueError(f"a period cannot be negative ({n} working days)")
        i = self._index(start)
        if n == 0:
            return start
        if not pauses:
            return self._nth(self._cum[i] + n)
        pos = self._cum[i]  # working days up to the point reached so far
        remaining = n
        for s, e in self._spans(pauses, i, self._size - 1):
            available = self._cum[s] - pos
            if remaining <= available:
                break
            remaining -= available
            pos = self._cum[e]
        return self._nth(pos + remaining)

    def working_days_between(self, a: date, b: date, pauses: Sequence[Pause] = ()) -> int:
        """How many working days d with a < d <= b lie outside every pause (0 when b <= a)."""
        ia, ib = self._index(a), self._index(b)
        if ib <= ia:
            return 0
        total = self._cum[ib] - self._cum[ia]
        for s, e in self._spans(pauses, ia, ib):
            total -= self._cum[e] - self._cum[s]
        return total

    def explain(self, start: date, n: int, pauses: Sequence[Pause] = ()) -> list[ExplainedDay]:
        """Every calendar day from the day after ``start`` to the due date: counted or not, and why."""
        due = self.add_working_days(start, n, pauses)
        i0 = self._index(start)
        spans = self._spans(pauses, i0, self._index(due))
        out: list[ExplainedDay] = []
        ordinal = 0
        d = date.fromordinal(start.toordinal())  # a datetime start counts as its date
        for i in range(i0 + 1, i0 + 1 + (due - start).days):
            d += timedelta(days=1)
            kind = self.data.classify(d)
            if not self._working[i]:
                out.append(ExplainedDay(d, False, None, kind.reason, kind.label))
            elif any(s < i <= e for s, e in spans):
                out.append(ExplainedDay(d, False, None, "pause", None))
            else:
                ordinal += 1
                out.append(ExplainedDay(d, True, ordinal, None, kind.label))
        return out

    def is_provisional(self, d: date) -> bool:
        """Whether ``d`` lies in a year without an official schedule (an estimate)."""
        self._index(d)
        return d.year in self._provisional

    def provisional_between(self, a: date, b: date) -> bool:
        """Whether any day from ``a`` to ``b`` (either order) lies in a year without an official schedule."""
        self._index(a)
        self._index(b)
        lo, hi = sorted((a.year, b.year))
        return any(y in self._provisional for y in range(lo, hi + 1))

    def year_schedule(self, year: int) -> YearSchedule:
        """The days off and weekend make-up working days of ``year``, with their names and sources."""
        if not MIN_YEAR <= year <= MAX_YEAR:
            raise CalendarError(f"year {year} is outside the supported range {MIN_YEAR}–{MAX_YEAR}")
        days_off = sorted(self.workalendar.holidays(year))
        names = {**self.data.national_makeup, **self.data.regional_makeup}
        makeup = sorted((d, names[d]) for d in self.workalendar.makeup_days if d.year == year)
        return YearSchedule(year=year, days_off=days_off, makeup_days=makeup,
                            provisional=year in self._provisional, source="；".join(self.data.sources(year)))
