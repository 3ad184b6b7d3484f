"""Sweep of one case (reminders, overdue) and due-date recomputation after a calendar change.

The functions take the day explicitly (``as_of``), so nothing here depends on the real date.
Receipt Mon 2026-03-02 → due Mon 2026-03-30 (see tests/test_clock.py).
"""

from __future__ import annotations

from datetime import date

import pytest
from workflow_support import CAL, HANDLER, NUMBER, POLICY, Story

from workflow.calendar import get_calendar
from workflow.events import REPLY_LATE
from workflow.machine import fold
from workflow.sweep import Reminder, classify_due, recompute_due, sweep_case

D = date


@pytest.mark.parametrize(("as_of", "threshold", "left"), [
    (D(2026, 3, 20), None, 6),  # 3/23–27, 3/30
    (D(2026, 3, 23), 5, 5),
    (D(2026, 3, 25), 3, 3),
    (D(2026, 3, 26), 3, 2),
    (D(2026, 3, 27), 1, 1),
    (D(2026, 3, 30), 1, 0),  # the due day itself: still on time
])
def test_reminders(as_of: date, threshold: int | None, left: int) -> None:
    result = sweep_case(Story(D(2026, 3, 2)).case, as_of=as_of, calendar=CAL, policy=POLICY)
    assert result.assessment == []
    if threshold is None:
        assert result.reminders == []
    else:
        assert result.reminders == [Reminder(threshold=threshold, due_on=D(2026, 3, 30), days_left=left)]


def test_overdue_emits_reply_late_once_per_request() -> None:
    case = Story(D(2026, 3, 2)).case
    first = sweep_case(case, as_of=D(2026, 3, 31), calendar=CAL, policy=POLICY).assessment
    again = sweep_case(case, as_of=D(2026, 4, 15), calendar=CAL, policy=POLICY).assessment
    assert [a.kind for a in first] == [REPLY_LATE]
    assert first[0].key == again[0].key == f"{REPLY_LATE}:{NUMBER}:reply"
    assert first[0].on == D(2026, 3, 31) and first[0].details["due_on"] == "2026-03-30"
    assert first[0].details["request_number"] == NUMBER


def test_closed_and_correction_cases_are_not_swept() -> None:
    replied = Story(D(2026, 3, 2))
    replied.do("reply", D(2026, 3, 5), decision="not_exist")
    assert sweep_case(replied.case, as_of=D(2026, 4, 30), calendar=CAL, policy=POLICY).assessment == []
    waiting = Story(D(2026, 3, 2))
    waiting.do("request_correction", D(2026, 3, 3), actor=HANDLER, items=["x"])
    result = sweep_case(waiting.case, as_of=D(2026, 4, 30), calendar=CAL, policy=POLICY)
    assert result.reminders == [] and result.assessment == []


def test_a_silent_consultation_can_still_make_a_case_overdue() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("start_consultation", D(2026, 3, 9), party="某公司")
    story.serve("consultation:1", D(2026, 3, 9), D(2026, 3, 9))
    # The window ends 3/30, the due date becomes 4/21 (test_clock); nobody records the answer.
    assert sweep_case(story.case, as_of=D(2026, 4, 21), calendar=CAL, policy=POLICY).assessment == []
    assert sweep_case(story.case, as_of=D(2026, 4, 22), calendar=CAL, policy=POLICY).assessment != []


def test_classify_due() -> None:
    assert classify_due(D(2026, 3, 30), as_of=D(2026, 3, 31), calendar=CAL, policy=POLICY) == 0
    assert classify_due(D(2026, 3, 30), as_of=D(2026, 3, 27), calendar=CAL, policy=POLICY) == 1
    assert classify_due(D(2026, 3, 30), as_of=D(2026, 3, 2), calendar=CAL, policy=POLICY) is None


def test_recompute_due_after_a_calendar_change() -> None:
    # Received Wed 4/1 under the national calendar: 4/2–3 (2), 4/4–6 off, 4/7–10 (6), 4/13–17 (11),
    # 4/20–24 (16), 4/27–30 (20) → Thu 4/30. With 广西's 壮族三月三 (Mon 4/20 off, lunar 3/4) one more
    # working day is needed and 5/1–5 are off: Wed 5/6.
    story = Story(D(2026, 4, 1))
    case = story.case
    assert case.due_on == D(2026, 4, 30)
    assert recompute_due(case, calendar=CAL, policy=POLICY, on=D(2026, 4, 2)) is None
    event = recompute_due(case, calendar=get_calendar("gx"), policy=POLICY, on=D(2026, 4, 2), reason="gx overlay")
    assert event is not None and event.kind == "due_date_changed" and event.on == D(2026, 4, 2)
    assert event.data == {"old": "2026-04-30", "new": "2026-05-06", "reason": "gx overlay"}
    after = fold([*story.events, event])
    assert after.due_on == D(2026, 5, 6)
    assert recompute_due(after, calendar=get_calendar("gx"), policy=POLICY, on=D(2026, 4, 3)) is None
    # Replaying the case as of 4/1 still shows the date recorded then.
    assert fold(e for e in [*story.events, event] if e.on <= D(2026, 4, 1)).due_on == D(2026, 4, 30)


def test_recompute_leaves_closed_cases_and_art35_deadlines_alone() -> None:
    story = Story(D(2026, 4, 1))
    story.do("reply", D(2026, 4, 2), decision="not_exist")
    assert recompute_due(story.case, calendar=get_calendar("gx"), policy=POLICY, on=D(2026, 4, 3)) is None
    fixed = Story(D(2026, 4, 1))
    fixed.do("accept", D(2026, 4, 1))
    fixed.do("request_reasons", D(2026, 4, 2))
    fixed.do("set_deadline", D(2026, 4, 3), due_on="2026-06-30", reason="x")
    assert recompute_due(fixed.case, calendar=get_calendar("gx"), policy=POLICY, on=D(2026, 4, 3)) is None
