"""The one Chinese date spelling (workflow/cn_dates.py) as letters, pages and notices print it."""

from __future__ import annotations

from datetime import date, datetime

from workflow.cn_dates import cn_date


def test_a_date_a_datetime_and_an_iso_string_print_alike() -> None:
    for value in (date(2026, 3, 5), datetime(2026, 3, 5, 23, 59), "2026-03-05", "2026-03-05T10:00:00+08:00"):
        assert cn_date(value) == "2026年3月5日"
        assert cn_date(value, True) == "2026年3月5日（周四）"


def test_no_date_prints_what_the_caller_says() -> None:
    assert cn_date(None) == cn_date("") == ""
    assert cn_date(None, missing="（待定）") == cn_date("", True, missing="（待定）") == "（待定）"


def test_every_caller_uses_it() -> None:
    from service.letters import templates
    from service.notify import texts
    from service.web import deps
    from workflow.letters import compose

    assert compose.cn_date is templates.cn_date is deps.cn_date is cn_date
    assert deps.TEMPLATES.env.filters["cn_date"] is cn_date
    assert texts.cn_date(None) == "（待定）" and texts.cn_date(date(2026, 8, 5)) == "2026年8月5日"
