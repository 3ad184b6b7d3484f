"""The working-day calendar: official data against an independent source, hand-computed due dates,
provisional years, the 广西 overlay, installed files and data-file validation."""

from __future__ import annotations

import warnings
from datetime import date, timedelta
from pathlib import Path

import chinese_calendar
import pytest

from workflow.calendar import (
    CalendarError,
    CalendarFileError,
    ExplainedDay,
    Pause,
    UnknownRegion,
    available_regions,
    get_calendar,
)
from workflow.calendar.files import parse_region_file, parse_year_file
from workflow.calendar.schedule import NATIONAL_DIR
from workflow.calendar.statutory import estimate_year, qingming, rules_for

NATIONAL = get_calendar()
GX = get_calendar("gx")


def days(first: date, last: date) -> list[date]:
    return [first + timedelta(days=i) for i in range((last - first).days + 1)]


# -- official data ------------------------------------------------------------------------------


def test_every_day_2018_to_2026_matches_chinese_calendar() -> None:
    wrong = [d for d in days(date(2018, 1, 1), date(2026, 12, 31))
             if NATIONAL.is_working_day(d) != chinese_calendar.is_workday(d)]
    assert wrong == []


def test_days_off_named_like_the_independent_source() -> None:
    # Every weekday off in 2018–2026 is a holiday there too, and every day we name is off there.
    for year in range(2018, 2027):
        for d, name in NATIONAL.year_schedule(year).days_off:
            assert name
            assert chinese_calendar.is_holiday(d), (d, name)


def test_one_file_per_official_year_naming_its_notice() -> None:
    files = sorted(p.stem for p in NATIONAL_DIR.glob("*.toml"))
    assert files == [str(y) for y in range(2018, 2027)]
    for year in range(2018, 2027):
        sched = NATIONAL.year_schedule(year)
        assert not sched.provisional
        assert f"国务院办公厅关于{year}年部分节假日安排的通知" in sched.source


def test_agrees_with_workalendar_china_where_its_data_is_right() -> None:
    from workalendar.asia import China

    china = China()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        wrong = [d for d in days(date(2018, 1, 1), date(2023, 12, 31))
                 if china.is_working_day(d) != NATIONAL.is_working_day(d)]
    # workalendar misses 国办发明电〔2020〕1号, which extended the 2020 Spring Festival to 2 February.
    assert wrong == [date(2020, 1, 31), date(2020, 2, 1)]


def test_index_agrees_with_its_workalendar_class() -> None:
    wcal = GX.workalendar
    assert all(wcal.is_working_day(d) == GX.is_working_day(d) for d in days(date(2010, 1, 1), date(2040, 12, 31)))
    for start in days(date(2024, 1, 1), date(2024, 3, 1)):
        assert wcal.add_working_days(start, 20) == GX.add_working_days(start, 20)


# -- hand-computed due dates (HOLIDAYS.md) -------------------------------------------------------


@pytest.mark.parametrize(("start", "n", "due"), [
    # 2026 Mid-Autumn + National Day: 9/22–24 (3); 9/25–27 中秋 off; 9/28–30 (6); 10/1–7 国庆 off;
    # 10/8 (7), 10/9 (8), Sat 10/10 make-up (9); 10/12–16 (14); 10/19–23 (19); 10/26 (20).
    (date(2026, 9, 21), 20, date(2026, 10, 26)),
    # 2026 Spring Festival: 2/11–13 (3), Sat 2/14 make-up (4); 2/15–23 off; 2/24–27 (8),
    # Sat 2/28 make-up (9); 3/2–6 (14); 3/9–13 (19); 3/16 (20).
    (date(2026, 2, 10), 20, date(2026, 3, 16)),
    # Year boundary 2025→2026: 12/16–19 (4); 12/22–26 (9); 12/29–31 (12); 1/1–3 元旦 off;
    # Sun 1/4 make-up (13); 1/5–9 (18); 1/12 (19); 1/13 (20).
    (date(2025, 12, 15), 20, date(2026, 1, 13)),
    # 2025 National Day + Mid-Autumn: 9/22–26 (5); Sun 9/28 make-up (6); 9/29–30 (8); 10/1–8 off;
    # 10/9–10 (10); Sat 10/11 make-up (11); 10/13–17 (16); 10/20–23 (20).
    (date(2025, 9, 19), 20, date(2025, 10, 23)),
    # Year boundary 2024→2025: 12/23–27 (5); 12/30–31 (7); 1/1 off; 1/2–3 (9); 1/6–10 (14);
    # 1/13–17 (19); 1/20 (20).
    (date(2024, 12, 20), 20, date(2025, 1, 20)),
    # 2025 Spring Festival: Sun 1/26 make-up (1); 1/27 (2); 1/28–2/4 off; 2/5–7 (5), Sat 2/8 make-up (6);
    # 2/10–14 (11); 2/17–21 (16); 2/24–27 (20).
    (date(2025, 1, 24), 20, date(2025, 2, 27)),
    # Start on a holiday: 2024-10-03 (国庆) → 10/8–11 (4), Sat 10/12 make-up (5).
    (date(2024, 10, 3), 5, date(2024, 10, 12)),
    (date(2026, 9, 21), 0, date(2026, 9, 21)),
    (date(2026, 9, 25), 1, date(2026, 9, 28)),
])
def test_hand_computed_due_dates(start: date, n: int, due: date) -> None:
    assert NATIONAL.add_working_days(start, n) == due
    assert NATIONAL.working_days_between(start, due) == n
    assert not NATIONAL.provisional_between(start, due)


def test_pause_removes_its_working_days() -> None:
    # 2026-09-21 + 20 is 10/26 (above). A pause (10/8, 10/12] removes 10/9, Sat 10/10 (make-up) and
    # 10/12: three working days, so the due date moves three working days on: 10/27, 10/28, 10/29.
    pause = Pause(date(2026, 10, 8), date(2026, 10, 12))
    assert NATIONAL.add_working_days(date(2026, 9, 21), 20, [pause]) == date(2026, 10, 29)
    assert NATIONAL.working_days_between(date(2026, 9, 21), date(2026, 10, 29), [pause]) == 20
    # A pause entirely before the start changes nothing; overlapping pauses count once.
    assert NATIONAL.add_working_days(date(2026, 9, 21), 20, [Pause(date(2026, 9, 1), date(2026, 9, 20))]) == \
        date(2026, 10, 26)
    twice = [pause, Pause(date(2026, 10, 9), date(2026, 10, 12))]
    assert NATIONAL.add_working_days(date(2026, 9, 21), 20, twice) == date(2026, 10, 29)


def test_explain_names_every_skipped_day() -> None:
    pause = Pause(date(2026, 10, 8), date(2026, 10, 12))
    listed = NATIONAL.explain(date(2026, 9, 21), 20, [pause])
    assert listed[0] == ExplainedDay(date(2026, 9, 22), True, 1, None, None)
    assert listed[-1] == ExplainedDay(date(2026, 10, 29), True, 20, None, None)
    by_day = {e.day: e for e in listed}
    assert by_day[date(2026, 9, 25)] == ExplainedDay(date(2026, 9, 25), False, None, "holiday", "中秋节")
    assert by_day[date(2026, 10, 1)].label == "国庆节"
    assert by_day[date(2026, 10, 9)].reason == "pause"
    assert by_day[date(2026, 10, 10)].reason == "pause"  # a make-up working day inside the pause
    assert by_day[date(2026, 10, 11)].reason == "weekend"
    assert [e.day for e in listed] == days(date(2026, 9, 22), date(2026, 10, 29))
    make_up = NATIONAL.explain(date(2026, 2, 13), 1)
    assert make_up == [ExplainedDay(date(2026, 2, 14), True, 1, None, "春节调休上班")]
    assert NATIONAL.explain(date(2026, 2, 13), 0) == []


# -- provisional years ---------------------------------------------------------------------------


def test_2027_is_provisional_and_flagged() -> None:
    # 12/22–25 (4); 12/28–31 (8); 2027-01-01 元旦 (estimated) off; 1/4–8 (13); 1/11–15 (18); 1/18–19 (20).
    due = NATIONAL.add_working_days(date(2026, 12, 21), 20)
    assert due == date(2027, 1, 19)
    assert NATIONAL.provisional_between(date(2026, 12, 21), due)
    assert NATIONAL.is_provisional(date(2027, 1, 1))
    assert not NATIONAL.is_provisional(date(2026, 12, 31))
    assert not NATIONAL.provisional_between(date(2026, 1, 1), date(2026, 12, 31))
    sched = NATIONAL.year_schedule(2027)
    assert sched.provisional and sched.makeup_days == []
    assert "暂定" in sched.source and "国务院令第795号" in sched.source


def test_2027_estimate_uses_the_2025_rules() -> None:
    off = dict(NATIONAL.year_schedule(2027).days_off)
    # Spring Festival: eve (2/5) + lunar 1/1–1/3 (2/6–2/8); statutory days only (data/estimate.toml:
    # no substitute days by default, the applicant-protective estimate).
    assert [d for d, n in off.items() if n.startswith("春节")] == days(date(2027, 2, 5), date(2027, 2, 8))
    assert NATIONAL.is_working_day(date(2027, 2, 9))
    assert off[date(2027, 4, 5)] == "清明节"  # solar term
    assert off[date(2027, 5, 1)] == off[date(2027, 5, 2)] == "劳动节"  # two days since 2025
    assert off[date(2027, 6, 9)] == "端午节"  # lunar 5/5
    assert off[date(2027, 9, 15)] == "中秋节"  # lunar 8/15
    assert [off[date(2027, 10, d)] for d in (1, 2, 3)] == ["国庆节"] * 3
    assert NATIONAL.is_working_day(date(2027, 10, 4))  # 10/2–3 fall on a weekend: nothing given back
    # Received Fri 2027-04-23: 4/26–4/30 (1–5), 5/1–5/2 a weekend anyway, 5/3–5/7 (6–10), 5/10–5/14
    # (11–15), 5/17–5/21 (16–20) → 2027-05-21, provisional.
    assert NATIONAL.add_working_days(date(2027, 4, 23), 20) == date(2027, 5, 21)


def test_2027_estimate_with_article_6_substitute_days() -> None:
    off = dict(estimate_year(2027, substitute_days=True))
    # 2/6–7 fall on a weekend → 补休 2/9, 2/10; 5/1–2 → 5/3–4; 10/2–3 → 10/4–5.
    assert [d for d, n in off.items() if n.startswith("春节")] == days(date(2027, 2, 5), date(2027, 2, 10))
    assert off[date(2027, 2, 9)] == "春节（补休）"
    assert off[date(2027, 5, 3)] == off[date(2027, 5, 4)] == "劳动节（补休）"
    assert date(2027, 10, 4) in off and date(2027, 10, 5) in off and date(2027, 10, 6) not in off


def test_older_statutory_rules() -> None:
    assert rules_for(2012).spring_eve and rules_for(2012).spring_lunar_days == 2
    assert not rules_for(2015).spring_eve and rules_for(2024).labour_days == 1
    assert rules_for(2025).spring_eve and rules_for(2025).labour_days == 2
    spring_2015 = [d for d, n in estimate_year(2015) if n == "春节"]
    assert spring_2015 == [date(2015, 2, 19), date(2015, 2, 20), date(2015, 2, 21)]  # lunar 1/1–1/3, no eve
    assert NATIONAL.is_provisional(date(2015, 6, 1))


def test_qingming_is_the_solar_term() -> None:
    for year in range(2010, 2041):
        terms = chinese_calendar.get_solar_terms(date(year, 4, 1), date(year, 4, 10))
        assert qingming(year) == next(d for d, name in terms if name == "清明"), year


def test_outside_the_supported_range() -> None:
    with pytest.raises(CalendarError):
        NATIONAL.is_working_day(date(2009, 12, 31))
    with pytest.raises(CalendarError):
        NATIONAL.add_working_days(date(2041, 1, 1), 1)
    with pytest.raises(CalendarError):
        NATIONAL.add_working_days(date(2040, 12, 1), 40)
    with pytest.raises(CalendarError):
        NATIONAL.year_schedule(2041)
    with pytest.raises(ValueError):
        NATIONAL.add_working_days(date(2026, 1, 1), -1)
    with pytest.raises(ValueError):
        Pause(date(2026, 1, 2), date(2026, 1, 1))
    assert NATIONAL.working_days_between(date(2026, 3, 2), date(2026, 3, 1)) == 0


# -- 广西 overlay ---------------------------------------------------------------------------------


def test_guangxi_sanyuesan() -> None:
    assert available_regions() == ["gx"]
    # 2025: lunar 3/3 = Mon 3/31, 3/4 = Tue 4/1. Nationally 3/31, 4/1, 4/2 are days 1–3;
    # in 广西 3/31 and 4/1 are off: 4/2 (1), 4/3 (2), 4/4–6 清明 off, 4/7 (3).
    assert NATIONAL.add_working_days(date(2025, 3, 28), 3) == date(2025, 4, 2)
    assert GX.add_working_days(date(2025, 3, 28), 3) == date(2025, 4, 7)
    listed = GX.explain(date(2025, 3, 28), 3)
    assert listed[2] == ExplainedDay(date(2025, 3, 31), False, None, "regional", "壮族三月三")
    sched = GX.year_schedule(2025)
    assert (date(2025, 3, 31), "壮族三月三") in sched.days_off
    assert "壮族三月三" in sched.source
    assert GX.fingerprint != NATIONAL.fingerprint
    assert get_calendar("GX") is get_calendar("gx")  # codes are case-insensitive; calendars are cached
    # Before the rule (2014) there is no regional day.
    assert GX.is_working_day(date(2013, 4, 12)) == NATIONAL.is_working_day(date(2013, 4, 12))


def test_unknown_region() -> None:
    with pytest.raises(UnknownRegion) as err:
        get_calendar("zz")
    assert "gx" in str(err.value)


# -- installed files -----------------------------------------------------------------------------

YEAR_2027 = """\
year = 2027
source = "国务院办公厅关于2027年部分节假日安排的通知（测试）"

[[holidays]]
name = "元旦"
first = 2027-01-01
last = 2027-01-03

[[holidays]]
name = "春节"
first = 2027-02-05
last = 2027-02-12
work = [2027-02-20]
"""


def test_installed_year_overrides_and_changes_the_fingerprint(tmp_path: Path) -> None:
    empty = get_calendar(extra_dirs=[tmp_path])
    assert empty.fingerprint == NATIONAL.fingerprint and empty.is_provisional(date(2027, 1, 1))
    (tmp_path / "2027.toml").write_text(YEAR_2027, encoding="utf-8")
    cal = get_calendar(extra_dirs=[tmp_path])  # the new file is picked up without clearing any cache
    assert cal is not empty and cal.fingerprint != NATIONAL.fingerprint
    assert not cal.is_provisional(date(2027, 1, 1))
    assert cal.is_working_day(date(2027, 2, 20)) and not cal.is_working_day(date(2027, 2, 11))
    assert cal.year_schedule(2027).source.endswith("（测试）")
    # The shipped 2026 is untouched; a region built on the same directory sees the same year.
    assert cal.year_schedule(2026) == NATIONAL.year_schedule(2026)
    assert not get_calendar("gx", [tmp_path]).is_provisional(date(2027, 6, 1))


def test_installed_year_replaces_a_shipped_one(tmp_path: Path) -> None:
    text = (NATIONAL_DIR / "2026.toml").read_text(encoding="utf-8").replace("work = [2026-10-10]", "")
    text = text.replace("[2026-09-20, 2026-10-10]", "[2026-09-20]")
    (tmp_path / "2026.toml").write_text(text, encoding="utf-8")
    cal = get_calendar(extra_dirs=[tmp_path])
    assert not cal.is_working_day(date(2026, 10, 10)) and NATIONAL.is_working_day(date(2026, 10, 10))


@pytest.mark.parametrize(("text", "problem"), [
    ("year = 2027\n", "missing key(s) holidays, source"),
    ('year = 2050\nsource = "x"\nholidays = []\n', "year must be an integer from 2010 to 2040"),
    ('year = 2027\nsource = "x"\nholidays = []\n', "no holidays listed"),
    ('year = 2027\nsource = "x"\n[[holidays]]\nname = "元旦"\nfirst = "2027-01-01"\n', "TOML date"),
    ('year = 2027\nsource = "x"\n[[holidays]]\nname = "元旦"\nfirst = 2027-01-03\nlast = 2027-01-01\n',
     "before first"),
    ('year = 2027\nsource = "x"\n[[holidays]]\nname = "元旦"\nfirst = 2027-01-01\nwork = [2027-01-05]\n',
     "is a weekday"),
    ('year = 2027\nsource = "x"\n[[holidays]]\nname = "元旦"\nfirst = 2029-01-01\n', "outside"),
    ('year = 2027\nsource = "x"\n[[holidays]]\nname = "a"\nfirst = 2027-01-01\n'
     '[[holidays]]\nname = "b"\nfirst = 2027-01-01\n', "already a day off (a)"),
    ('year = 2027\nsource = "x"\n[[holidays]]\nname = "元旦"\nfirst = 2027-01-01\nextra = 1\n', "unknown key"),
    ("year = = 2027\n", "not valid TOML"),
    ('region = "gx"\nname = "x"\nsource = "y"\n', "regional overlay file"),
])
def test_year_file_validation(text: str, problem: str) -> None:
    with pytest.raises(CalendarFileError) as err:
        parse_year_file(text.encode(), "bad.toml")
    assert problem in str(err.value)
    assert str(err.value).startswith("bad.toml")


@pytest.mark.parametrize(("text", "problem"), [
    ('region = "GX!"\nname = "x"\nsource = "y"\n', "region code"),
    ('region = "gx"\nname = "x"\nsource = "y"\n', "at least one"),
    ('region = "gx"\nname = "x"\nsource = "y"\n[[rules]]\nname = "r"\nlunar = [3, 3]\n', "[month, day]"),
])
def test_region_file_validation(text: str, problem: str) -> None:
    with pytest.raises(CalendarFileError) as err:
        parse_region_file(text.encode(), "bad.toml")
    assert problem in str(err.value)


def test_region_dated_entry_replaces_the_rule(tmp_path: Path) -> None:
    (tmp_path / "regions").mkdir()
    (tmp_path / "regions" / "gx.toml").write_text(
        'region = "gx"\nname = "广西壮族自治区"\nsource = "测试"\n'
        '[[rules]]\nname = "壮族三月三"\nlunar = [[3, 3], [3, 4]]\nsince = 2014\n'
        '[[holidays]]\nname = "壮族三月三"\nfirst = 2025-04-02\nlast = 2025-04-03\nwork = [2025-04-06]\n',
        encoding="utf-8")
    cal = get_calendar("gx", [tmp_path])
    assert cal.is_working_day(date(2025, 3, 31)) and not cal.is_working_day(date(2025, 4, 2))
    # 4/6 is inside the national 清明 break: a national day off wins over a regional make-up day.
    assert not cal.is_working_day(date(2025, 4, 6))
    assert not cal.is_working_day(date(2026, 4, 20))  # other years keep the rule


def test_a_notice_reaching_into_the_previous_year() -> None:
    # The 2019 notice: 元旦 2018-12-30 … 2019-01-01, Saturday 2018-12-29 a working day.
    sched = NATIONAL.year_schedule(2018)
    assert (date(2018, 12, 29), "元旦") in sched.makeup_days
    assert (date(2018, 12, 31), "元旦") in sched.days_off
    assert "2018年" in sched.source and "2019年" in sched.source
    assert NATIONAL.is_working_day(date(2018, 12, 29)) and not NATIONAL.is_working_day(date(2018, 12, 31))


def test_fingerprint_is_stable_across_builds() -> None:
    from workflow.calendar import clear_cache

    clear_cache()
    rebuilt = get_calendar()
    assert rebuilt is not NATIONAL and rebuilt.fingerprint == NATIONAL.fingerprint
    assert get_calendar("gx").fingerprint == GX.fingerprint
