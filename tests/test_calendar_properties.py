"""Property tests of the working-day arithmetic (hypothesis), against a day-by-day reference."""

from __future__ import annotations

from datetime import date, timedelta

from hypothesis import given, settings
from hypothesis import strategies as st

from workflow.calendar import Pause, WorkingCalendar, get_calendar

CALENDARS = [get_calendar(), get_calendar("gx")]

starts = st.dates(min_value=date(2010, 1, 1), max_value=date(2038, 12, 31))
periods = st.integers(min_value=0, max_value=250)
calendars = st.sampled_from(CALENDARS)


@st.composite
def pause_lists(draw: st.DrawFn, near: date) -> list[Pause]:
    """Up to four pauses around ``near``: before it, across it, after it, overlapping each other."""
    out = []
    for _ in range(draw(st.integers(0, 4))):
        s = near + timedelta(days=draw(st.integers(-40, 300)))
        out.append(Pause(s, s + timedelta(days=draw(st.integers(0, 60)))))
    return out


def reference_due(cal: WorkingCalendar, start: date, n: int, pauses: list[Pause]) -> date:
    """Day by day: the n-th working day after start outside every pause (LAW.md §3, read literally)."""
    d, counted = start, 0
    while counted < n:
        d += timedelta(days=1)
        if cal.is_working_day(d) and not any(p.start < d <= p.end for p in pauses):
            counted += 1
    return d


common = settings(max_examples=150, deadline=None)


@common
@given(cal=calendars, start=starts, n=periods, data=st.data())
def test_matches_the_day_by_day_reference(cal: WorkingCalendar, start: date, n: int, data: st.DataObject) -> None:
    pauses = data.draw(pause_lists(start))
    assert cal.add_working_days(start, n, pauses) == reference_due(cal, start, n, pauses)


@common
@given(cal=calendars, start=starts, n=periods, data=st.data())
def test_add_between_round_trip(cal: WorkingCalendar, start: date, n: int, data: st.DataObject) -> None:
    pauses = data.draw(pause_lists(start))
    due = cal.add_working_days(start, n, pauses)
    assert cal.working_days_between(start, due, pauses) == n
    if n > 0:
        assert cal.is_working_day(due) and not any(p.start < due <= p.end for p in pauses)
        # The day before the due date has not yet reached n.
        assert cal.working_days_between(start, due - timedelta(days=1), pauses) == n - 1


@common
@given(cal=calendars, a=starts, b=starts)
def test_between_then_add_lands_on_or_before(cal: WorkingCalendar, a: date, b: date) -> None:
    n = cal.working_days_between(a, b)
    assert cal.add_working_days(a, n) <= max(a, b)
    if b > a:
        assert n == sum(cal.is_working_day(a + timedelta(days=i)) for i in range(1, (b - a).days + 1))


@common
@given(cal=calendars, s1=starts, s2=starts, n1=periods, n2=periods)
def test_monotone_in_start_and_period(cal: WorkingCalendar, s1: date, s2: date, n1: int, n2: int) -> None:
    s1, s2 = sorted((s1, s2))
    n1, n2 = sorted((n1, n2))
    assert cal.add_working_days(s1, n1) <= cal.add_working_days(s2, n1)
    assert cal.add_working_days(s1, n1) <= cal.add_working_days(s1, n2)


@common
@given(cal=calendars, start=starts, n=periods, data=st.data())
def test_pauses_never_shorten_a_due_date(cal: WorkingCalendar, start: date, n: int, data: st.DataObject) -> None:
    first = data.draw(pause_lists(start))
    more = data.draw(pause_lists(start))
    plain = cal.add_working_days(start, n)
    assert cal.add_working_days(start, n, first) >= plain
    assert cal.add_working_days(start, n, first + more) >= cal.add_working_days(start, n, first)


@common
@given(cal=calendars, a=starts, b=starts, c=starts)
def test_between_is_additive(cal: WorkingCalendar, a: date, b: date, c: date) -> None:
    a, b, c = sorted((a, b, c))
    assert cal.working_days_between(a, b) + cal.working_days_between(b, c) == cal.working_days_between(a, c)


@common
@given(cal=calendars, start=starts, n=periods, data=st.data())
def test_explain_agrees_with_add(cal: WorkingCalendar, start: date, n: int, data: st.DataObject) -> None:
    pauses = data.draw(pause_lists(start))
    due = cal.add_working_days(start, n, pauses)
    listed = cal.explain(start, n, pauses)
    assert [e.day for e in listed] == [start + timedelta(days=i) for i in range(1, (due - start).days + 1)]
    assert [e.ordinal for e in listed if e.counted] == list(range(1, n + 1))
    for e in listed:
        in_pause = any(p.start < e.day <= p.end for p in pauses)
        assert e.counted == (cal.is_working_day(e.day) and not in_pause)
        assert (e.reason is None) == e.counted
        if e.reason == "pause":
            assert in_pause and cal.is_working_day(e.day)
        if e.reason in ("holiday", "regional"):
            assert e.label


@common
@given(cal=calendars, start=starts, end=starts)
def test_provisional_is_about_the_years_touched(cal: WorkingCalendar, start: date, end: date) -> None:
    lo, hi = sorted((start, end))
    touched = set(range(lo.year, hi.year + 1))
    assert cal.provisional_between(start, end) == bool(touched - set(range(2018, 2027)))
