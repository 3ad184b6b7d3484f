"""Dates written the Chinese way (``2026年3月5日``), the one spelling used by letters, pages and notices."""

from __future__ import annotations

from datetime import date

_WEEKDAYS = "一二三四五六日"


def cn_date(value: date | str | None, weekday: bool = False, *, missing: str = "") -> str:
    """``2026-03-05`` → ``2026年3月5日`` (GB/T 9704 writes dates with Arabic numerals).

    ``value`` is a date, a datetime or an ISO string (only its first ten characters are read);
    ``weekday`` adds ``（周四）``; ``missing`` is what None or an empty string prints as (a notice
    says ``（待定）``, a letter or a page prints nothing).
    """
    if value in (None, ""):
        return missing
    day = value if isinstance(value, date) else date.fromisoformat(str(value)[:10])
    text = f"{day.year}年{day.month}月{day.day}日"
    return f"{text}（周{_WEEKDAYS[day.weekday()]}）" if weekday else text
