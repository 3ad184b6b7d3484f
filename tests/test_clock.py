"""The statutory clock (LAW.md §3) on the official 2026 calendar, with due dates counted by hand.

2026 (HOLIDAYS.md): days off 1/1–1/3, 2/15–2/23, 4/4–4/6, 5/1–5/5, 6/19–6/21, 9/25–9/27, 10/1–10/7;
make-up working days 1/4 (Sun), 2/14 (Sat), 2/28 (Sat), 5/9 (Sat), 9/20 (Sun), 10/10 (Sat).
Day 1 is the first working day after the start; the act on the N-th working day is on time.
"""

from __future__ import annotations

from datetime import date

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from workflow_support import CAL, HANDLER, POLICY, Story

from workflow.calendar import Pause
from workflow.clock import explain
from workflow.delivery import estimated_receipt
from workflow.errors import ActionNotAllowed
from workflow.policy import Policy

D = date


@pytest.mark.parametrize(
    ("receipt", "due"),
    [
        # Mon 3/2: 3/3–3/6 (4), 3/9–13 (9), 3/16–20 (14), 3/23–27 (19), Mon 3/30 (20).
        (D(2026, 3, 2), D(2026, 3, 30)),
        # Mon 9/21: 9/22–24 (3), 9/25–27 off, 9/28–30 (6), 10/1–7 off, 10/8–9 (8), Sat 10/10 make-up (9),
        # 10/12–16 (14), 10/19–23 (19), Mon 10/26 (20).
        (D(2026, 9, 21), D(2026, 10, 26)),
        # Tue 2/10: 2/11–13 (3), Sat 2/14 make-up (4), 2/15–23 off, 2/24–27 (8), Sat 2/28 make-up (9),
        # 3/2–6 (14), 3/9–13 (19), Mon 3/16 (20).
        (D(2026, 2, 10), D(2026, 3, 16)),
        # Fri 4/24: 4/27–30 (4), 5/1–5 off, 5/6–8 (7), Sat 5/9 make-up (8), 5/11–15 (13), 5/18–22 (18),
        # 5/25 (19), Tue 5/26 (20).
        (D(2026, 4, 24), D(2026, 5, 26)),
        # Wed 12/31/2025 → 2026: 1/1–3 off, Sun 1/4 make-up (1), 1/5–9 (6), 1/12–16 (11), 1/19–23 (16),
        # 1/26–29 (20): Thu 1/29.
        (D(2025, 12, 31), D(2026, 1, 29)),
    ],
)
def test_reply_due_twenty_working_days_after_receipt(receipt: date, due: date) -> None:
    story = Story(receipt)
    status = story.clock(receipt)
    assert status.start == receipt
    assert status.due_on == due
    assert (status.days_used, status.days_left) == (0, 20)
    assert status.paused_since is None and not status.extended and not status.provisional
    assert story.case.due_on == due  # recorded with the registered event


def test_days_used_and_left_mid_period() -> None:
    story = Story(D(2026, 3, 2))
    # As of Fri 3/13: used 3/3–6, 3/9–13 = 9; left 3/16–20, 3/23–27, 3/30 = 11.
    status = story.clock(D(2026, 3, 13))
    assert (status.days_used, status.days_left) == (9, 11)
    # Overdue: as of Wed 4/1, due 3/30 → 3/31, 4/1 late = -2.
    assert story.clock(D(2026, 4, 1)).days_left == -2


def test_correction_restarts_the_clock_from_the_corrected_application() -> None:
    story = Story(D(2026, 3, 2))
    # Notice on Wed 3/4 = working day 2 after receipt: within 7, no notice_late.
    out = story.do("request_correction", D(2026, 3, 4), actor=HANDLER, items=["文件名称"], period_days=10)
    assert out.assessment == []
    # Period of 10 working days from 3/4: 3/5–6 (2), 3/9–13 (7), 3/16–18 (10) → Wed 3/18.
    assert out.letters[0].fields["period_ends_on"] == "2026-03-18"
    waiting = story.clock(D(2026, 3, 10))
    assert waiting.due_on is None and waiting.paused_since == D(2026, 3, 4)
    story.do("receive_correction", D(2026, 3, 16), actor=HANDLER)
    # Restart Mon 3/16: 3/17–20 (4), 3/23–27 (9), 3/30–4/3 (14), 4/4–6 off, 4/7–10 (18), 4/13 (19), Tue 4/14 (20).
    status = story.clock(D(2026, 3, 16))
    assert status.start == D(2026, 3, 16)
    assert status.due_on == D(2026, 4, 14)
    assert (status.days_used, status.days_left) == (0, 20)
    # Replay: as of 3/10 the case still waits for the correction.
    assert story.clock(D(2026, 3, 10)).due_on is None


def test_consultation_pauses_the_clock_until_the_answer() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    # Consultation sent Mon 3/9 (5 working days used: 3/3–6, 3/9).
    story.do("start_consultation", D(2026, 3, 9), party="某房地产开发有限公司", kind="third_party")
    during = story.clock(D(2026, 3, 13))
    assert during.paused_since == D(2026, 3, 9)
    assert during.days_used == 5
    story.do("end_consultation", D(2026, 3, 20), opinion="不同意公开")
    # Pause (3/9, 3/20] removes 3/10–13 and 3/16–20. 15 left after 3/20: 3/23–27 (5), 3/30–4/3 (10),
    # 4/4–6 off, 4/7–10 (14), Mon 4/13 (15).
    status = story.clock(D(2026, 3, 20))
    assert status.due_on == D(2026, 4, 13)
    assert status.pauses == [Pause(D(2026, 3, 9), D(2026, 3, 20))]
    assert (status.days_used, status.days_left) == (5, 15)
    assert status.paused_since is None


def test_consultation_silence_ends_the_pause_at_the_end_of_the_window() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("start_consultation", D(2026, 3, 9), party="市自然资源局", kind="agency")
    story.serve("consultation:1", D(2026, 3, 9), D(2026, 3, 9))  # handed over and signed for that day
    # Window of 15 working days from Mon 3/9: 3/10–13 (4), 3/16–20 (9), 3/23–27 (14), Mon 3/30 (15).
    # Nobody records an answer; as of Thu 4/2 the pause has ended on 3/30 and the clock runs again:
    # 15 left after 3/30: 3/31–4/3 (4), 4/4–6 off, 4/7–10 (8), 4/13–17 (13), 4/20 (14), Tue 4/21 (15).
    status = story.clock(D(2026, 4, 2))
    assert status.paused_since is None
    assert status.pauses == [Pause(D(2026, 3, 9), D(2026, 3, 30))]
    assert status.due_on == D(2026, 4, 21)
    # Recording the silence later (Wed 4/8) does not lengthen the pause.
    out = story.do("end_consultation", D(2026, 4, 8))
    assert out.events[0].data["silent"] is True
    assert out.events[0].data["pause_ends_on"] == "2026-03-30"
    assert story.clock(D(2026, 4, 8)).due_on == D(2026, 4, 21)


def test_running_pause_shows_the_earliest_possible_due_date() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("start_consultation", D(2026, 3, 9), party="某公司")
    # As of Fri 3/20, as if the pause ended that day: Mon 4/13 (see the answered consultation above).
    assert story.clock(D(2026, 3, 20)).due_on == D(2026, 4, 13)
    # One working day later (Mon 3/23) the earliest due date moves one working day: Tue 4/14.
    assert story.clock(D(2026, 3, 23)).due_on == D(2026, 4, 14)


def test_fee_notice_pauses_the_clock_until_payment() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    # Fee notice Wed 3/4 (used 3/3, 3/4 = 2); paid Wed 3/11: pause removes 3/5, 3/6, 3/9–11 = 5.
    story.do("issue_fee_notice", D(2026, 3, 4), amount_yuan=100)
    assert story.clock(D(2026, 3, 6)).paused_since == D(2026, 3, 4)
    story.do("receive_payment", D(2026, 3, 11), actor=HANDLER)
    # 18 left after 3/11: 3/12–13 (2), 3/16–20 (7), 3/23–27 (12), 3/30–4/3 (17), 4/4–6 off, Tue 4/7 (18).
    status = story.clock(D(2026, 3, 11))
    assert status.due_on == D(2026, 4, 7)
    assert (status.days_used, status.days_left) == (2, 18)


def test_fee_pause_is_a_policy_switch() -> None:
    story = Story(D(2026, 3, 2), policy=Policy.load(fee_pauses_clock=False))
    story.do("accept", D(2026, 3, 2))
    story.do("issue_fee_notice", D(2026, 3, 4), amount_yuan="100")
    story.do("receive_payment", D(2026, 3, 11))
    assert story.clock(D(2026, 3, 11)).due_on == D(2026, 3, 30)  # as if no fee notice
    assert story.clock(D(2026, 3, 6)).paused_since is None


def test_extension_notified_on_the_due_date_adds_its_days() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    out = story.do("extend", D(2026, 3, 30), days=20, reason="需调取多年档案")  # on the due date: in time
    # 20 more after Mon 3/30: 3/31–4/3 (4), 4/4–6 off, 4/7–10 (8), 4/13–17 (13), 4/20–24 (18), 4/27 (19),
    # Tue 4/28 (20).
    assert out.letters[0].kind == "extension_notice"
    assert out.letters[0].fields["original_due_on"] == "2026-03-30"
    assert out.letters[0].fields["new_due_on"] == "2026-04-28"
    status = story.clock(D(2026, 3, 30))
    assert status.due_on == D(2026, 4, 28) and status.extended
    assert story.case.due_on == D(2026, 4, 28)


def test_extension_of_fewer_days() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 3), actor=HANDLER)
    story.do("extend", D(2026, 3, 20), days=10, reason="涉及多个部门")
    # 10 after 3/30: 3/31–4/3 (4), 4/4–6 off, 4/7–10 (8), 4/13 (9), Tue 4/14 (10).
    assert story.clock(D(2026, 3, 20)).due_on == D(2026, 4, 14)


def test_extension_after_the_due_date_is_refused_and_extends_nothing() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    before = list(story.events)
    with pytest.raises(ActionNotAllowed) as err:
        story.do("extend", D(2026, 3, 31), days=20, reason="太晚了")
    assert "2026-03-30" in err.value.reason and err.value.action == "extend"
    assert "extend" not in err.value.allowed
    assert story.events == before
    assert story.clock(D(2026, 3, 31)).due_on == D(2026, 3, 30)


def test_extension_during_a_consultation_counts_against_the_paused_due_date() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("start_consultation", D(2026, 3, 9), party="某公司")
    story.serve("consultation:1", D(2026, 3, 9), D(2026, 3, 9))
    # On Wed 4/1 the unpaused due date (3/30) has passed, but the case was paused from 3/9 until its
    # window ran out on 3/30 (15 working days from 3/9): 5 used, 15 left after 3/30 → Tue 4/21 (see the
    # silence test), so an extension notified on 4/1 is in time.
    assert story.clock(D(2026, 4, 1)).due_on == D(2026, 4, 21)
    story.do("extend", D(2026, 4, 1), days=5, reason="第三方意见需研究")
    # 5 more after 4/21: 4/22–24 (3), 4/27–28 (5) → Tue 4/28.
    assert story.clock(D(2026, 4, 1)).due_on == D(2026, 4, 28)


def test_art35_deadline_replaces_the_computed_due_date() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("request_reasons", D(2026, 3, 5), actor=HANDLER, reason="一个月内申请120件")
    out = story.do("set_deadline", D(2026, 3, 20), due_on="2026-05-29", reason="理由合理但数量大")
    assert out.letters[0].fields["art35"] is True
    status = story.clock(D(2026, 3, 20))
    assert status.due_on == D(2026, 5, 29) and status.deadline_set
    # A later consultation does not move an explicit deadline.
    story.do("start_consultation", D(2026, 3, 23), party="某公司")
    story.do("end_consultation", D(2026, 4, 3))
    assert story.clock(D(2026, 4, 3)).due_on == D(2026, 5, 29)


def test_reply_stops_the_clock() -> None:
    story = Story(D(2026, 3, 2))
    story.do("reply", D(2026, 3, 13), decision="not_exist")
    status = story.clock(D(2026, 6, 1))
    # Used 3/3–6, 3/9–13 = 9 and frozen there.
    assert (status.days_used, status.days_left, status.due_on) == (9, 11, D(2026, 3, 30))


def test_deadline_in_an_unpublished_year_is_provisional() -> None:
    # Thu 12/10/2026: 20 working days run into 2027, which has no official schedule yet.
    story = Story(D(2026, 12, 10))
    assert story.clock(D(2026, 12, 10)).provisional is True
    assert Story(D(2026, 3, 2)).clock(D(2026, 3, 2)).provisional is False


def test_explanation_lists_counted_and_skipped_days() -> None:
    story = Story(D(2026, 9, 21))
    days = explain(story.case, CAL, POLICY)
    counted = [d.day for d in days if d.counted]
    assert len(counted) == 20 and counted[-1] == D(2026, 10, 26)
    assert D(2026, 10, 10) in counted  # Saturday make-up working day
    skipped = {d.day: d.reason for d in days if not d.counted}
    assert D(2026, 10, 1) in skipped and D(2026, 9, 25) in skipped


def test_explanation_marks_paused_days() -> None:
    story = Story(D(2026, 3, 2))
    story.do("accept", D(2026, 3, 2))
    story.do("start_consultation", D(2026, 3, 9), party="某公司")
    story.do("end_consultation", D(2026, 3, 20))
    days = explain(story.case, CAL, POLICY)
    assert days[-1].day == D(2026, 4, 13)
    assert [d.day for d in days if d.reason == "pause"][0] == D(2026, 3, 10)


@settings(max_examples=60, deadline=None)
@given(receipt=st.dates(D(2026, 1, 5), D(2026, 11, 20)), offset=st.integers(0, 60))
def test_used_plus_left_is_the_period_without_pauses(receipt: date, offset: int) -> None:
    story = Story(receipt)
    as_of = date.fromordinal(receipt.toordinal() + offset)
    status = story.clock(as_of)
    assert status.days_used + status.days_left == POLICY.reply_days
    assert CAL.working_days_between(receipt, status.due_on) == POLICY.reply_days


@settings(max_examples=40, deadline=None)
@given(receipt=st.dates(D(2026, 1, 5), D(2026, 10, 1)), gap=st.integers(0, 10), length=st.integers(0, 25))
def test_a_consultation_moves_the_due_date_by_exactly_its_paused_working_days(receipt: date, gap: int,
                                                                              length: int) -> None:
    story = Story(receipt)
    plain_due = story.clock(receipt).due_on
    sent = date.fromordinal(receipt.toordinal() + gap)
    answered = date.fromordinal(sent.toordinal() + length)
    story.do("accept", receipt)
    story.do("start_consultation", sent, party="某公司")
    story.do("end_consultation", answered)
    # No service recorded: the party's receipt is estimated by post (policy service_estimate_days).
    window_end = CAL.add_working_days(estimated_receipt("post", sent, POLICY), POLICY.consultation_days)
    paused = CAL.working_days_between(sent, min(answered, window_end))
    # Days used before the letter stay counted; the remaining ones are pushed by the paused ones.
    used_before = CAL.working_days_between(receipt, sent)
    if used_before < POLICY.reply_days:
        assert CAL.working_days_between(plain_due, story.clock(answered).due_on) == paused


def test_policy_file_and_overrides() -> None:
    policy = Policy.load()
    assert (policy.reply_days, policy.correction_notice_days, policy.consultation_days) == (20, 7, 15)
    assert (policy.fee_payment_days, policy.max_extension_days, policy.reminder_days) == (20, 20, (5, 3, 1))
    assert policy.fee_pauses_clock and str(policy.tz) == "Asia/Shanghai"
    assert Policy.load(reminder_days=[1, 10]).reminder_days == (10, 1)


def test_policy_rejects_unknown_and_bad_settings() -> None:
    from workflow.errors import InvalidField

    with pytest.raises(InvalidField) as err:
        Policy.load(reply_dayz=20)
    assert err.value.field == "policy.reply_dayz"
    with pytest.raises(InvalidField):
        Policy.load(reply_days=-1)
    with pytest.raises(InvalidField):
        Policy.load(timezone="Nowhere/Land")
