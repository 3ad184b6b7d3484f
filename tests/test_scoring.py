"""Scenario tests for the five seed schemes: expected figures computed by hand from the documents."""

from __future__ import annotations

import dataclasses
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest

from scoring import (
    Adjustment,
    EntryError,
    Event,
    EventSet,
    ManualEntry,
    Unit,
    load_scheme,
    load_schemes,
    score,
)
from scoring.report import format_result

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"
WORKFLOW_KINDS = ("ogi.reply_late", "ogi.reply_defect", "ogi.notice_late", "ogi.case_closed",
                  "ogi.review_corrected")
D = Decimal


@pytest.fixture(scope="module")
def schemes():
    return load_schemes(SCHEMES)


def ev(kind: str, unit: str, on: date, n: int | str, **kw) -> Event:
    """An event with a unique key and a request number in its details."""
    ref = f"{unit}-{n}"
    details = kw.pop("details", {"request_no": f"{on.year}-{n}", "letter_no": f"答〔{on.year}〕{n}号"})
    return Event(kind, unit, on, key=f"{kind}:{ref}", subject=kw.pop("subject", ref), request_ref=ref,
                 details=details, **kw)


def many(kind: str, unit: str, count: int, year: int = 2026, start: int = 0, **kw) -> list[Event]:
    return [ev(kind, unit, date(year, 1 + (i % 12), 1 + (i % 28)), f"{kind[-4:]}{start + i}", **kw)
            for i in range(count)]


def one(scheme, period, events=(), entries=(), unit=Unit("U1"), units=None):
    results = score(scheme, period, units or [unit], events, entries)
    return next(r for r in results if r.unit == unit.code)


def test_all_schemes_load_and_map_every_workflow_kind(schemes):
    assert set(schemes) == {"changshu-2020", "linzi-2021", "zhenping-2021", "sanmenxia-2017",
                            "sanmenxia-2017-example", "suzhou-2020"}
    for scheme in schemes.values():
        handled = scheme.kinds() | set(scheme.ignore)
        assert set(WORKFLOW_KINDS) <= handled, scheme.id


# ─── 常熟 2020 ────────────────────────────────────────────────────────────────

def test_changshu_late_and_defective_capped_at_category(schemes):
    s = schemes["changshu-2020"]
    events = many("ogi.reply_late", "U1", 3) + many("ogi.reply_defect", "U1", 2)
    r = one(s, "2026", events)
    # 3 late × 5 + 2 defective × 2 = 15 + 4 = 19 → 依申请公开 15 − 19 capped at 0 (never below zero).
    assert r.subtotal("ysq") == 0
    assert r.item("11")[0].delta == D(-19)
    # 制度建设 15 + 政府网站 30 + 政务新媒体 30 + 依申请公开 0 = 75 → 合格 (79分~60分).
    assert r.total == D(75)
    assert r.grade == "合格"
    ysq = next(c for c in r.categories if c.id == "ysq")
    assert [t.points for t in ysq.trail] == [D(4)]  # the cap gives back 4 points
    # The trail names the requests and letters verbatim.
    late = [t for t in r.item("11")[0].trail if t.rule == "11.late"]
    assert len(late) == 3 and late[0].events[0].details["letter_no"].startswith("答〔2026〕")
    # The trail is Chinese by default, quotes the clause and names the request and letter numbers.
    text = format_result(r, kinds=s.kind_names)
    assert "〔未在法定期限内答复的，一次扣5分〕" in text and "逾期答复 申请 U1-" in text and "文号 答〔2026〕" in text
    assert "依申请公开以 0 分为限" in text
    english = format_result(r, "en")
    assert "request_no=2026-" in english and "cap:ysq" in english


def test_changshu_mixed_deductions_boundary_80_is_good(schemes):
    s = schemes["changshu-2020"]
    events = (many("ogi.reply_late", "U1", 1) + many("ogi.reply_defect", "U1", 1)
              + many("ogi.review_corrected", "U1", 1))
    r = one(s, "2026", events)
    # 15 − 5 − 2 − 3 = 5; total 15 + 30 + 30 + 5 = 80 → 良好 (80 is inside "89分~80分").
    assert r.subtotal("ysq") == 5
    assert (r.total, r.grade) == (D(80), "良好")


def test_changshu_notice_late_listed_without_points(schemes):
    r = one(schemes["changshu-2020"], "2026", many("ogi.notice_late", "U1", 2))
    # The document prices no late notice: listed at 0, total stays 90 → 优秀 (90分以上 includes 90).
    assert r.total == D(90) and r.grade == "优秀"
    assert [t.points for t in r.item("11")[0].trail] == [D(0), D(0)]


def test_changshu_item16_bonus_threshold(schemes):
    s = schemes["changshu-2020"]
    # 12 closed, none lost, 1 late: 90 − 5 + 10 = 95 → 优秀.
    r = one(s, "2026", many("ogi.case_closed", "U1", 12) + many("ogi.reply_late", "U1", 1))
    assert r.subtotal("innovation") == 10 and r.total == D(95) and r.grade == "优秀"
    # Exactly 10 closed: "10件以上" includes 10 → +10 → 100.
    assert one(s, "2026", many("ogi.case_closed", "U1", 10)).total == D(100)
    # 9 closed: no bonus → 90.
    assert one(s, "2026", many("ogi.case_closed", "U1", 9)).total == D(90)
    # 10 closed but one review lost: no bonus, −3 → 87 → 良好.
    r = one(s, "2026", many("ogi.case_closed", "U1", 10) + many("ogi.review_corrected", "U1", 1))
    assert r.subtotal("innovation") == 0 and (r.total, r.grade) == (D(87), "良好")


def test_changshu_bonus_caps_and_total_within_100(schemes):
    s = schemes["changshu-2020"]
    events = many("changshu.innovative_interpretation", "U1", 4)
    entries = [ManualEntry("13", "U1", "2026", amount=20, key="e13")]
    r = one(s, "2026", events, entries)
    # item 15: 4 × 3 = 12 → capped at 10; item 13: 20; base 90 + 30 = 120 → kept within 100.
    assert r.item("15")[0].delta == D(10)
    assert r.subtotal("innovation") == D(30)
    assert r.total == D(100)
    assert any(t.rule == "clamp:scale" and t.points == D(-20) for t in r.trail)


def test_changshu_relative_to_average(schemes):
    s = schemes["changshu-2020"]
    units = [Unit(c) for c in ("A", "B", "C", "D", "E")]
    events = [Event("changshu.website_report_score", u, date(2026, 12, 1), f"w{u}", amount=a)
              for u, a in (("A", 100), ("B", 80), ("C", 60), ("D", 40))]
    results = {r.unit: r for r in score(s, "2026", units, events)}
    # Average over units with a value = (100 + 80 + 60 + 40) / 4 = 70 (E has none: not averaged).
    # B 80 ≥ 70: 0. C 60: 10/70 = 14.3% < one 20% step: 0. D 40: 30/70 = 42.9% → 2 full steps → −10.
    assert [results[u].subtotal("website") for u in "ABCDE"] == [30, 30, 30, 20, 30]
    assert results["D"].total == D(80) and results["D"].grade == "良好"
    # The official 全市平均分 can be given instead: 50 → D 40 is 20% below → one step → −5.
    d = score(s, "2026", units, events, averages={"5.below-average": 50})[3]
    assert d.subtotal("website") == D(25)


def test_changshu_new_media_lowest_account_counts(schemes):
    s = schemes["changshu-2020"]
    events = (many("changshu.newmedia_error", "U1", 2, details={"account": "微信"})
              + many("changshu.newmedia_rectify", "U1", 1, start=10, details={"account": "微博"}))
    r = one(s, "2026", events)
    # 微信 30 − 2×2 = 26; 微博 30 − 5 = 25; the lowest (25) counts, not 30 − 9.
    nm = next(c for c in r.categories if c.id == "newmedia")
    assert (nm.score, nm.group) == (D(25), "微博")
    assert r.total == D(85)


def test_changshu_forced_outcomes(schemes):
    s = schemes["changshu-2020"]
    twice = [Event("changshu.monitoring_serious", "U1", date(2026, m, 1), f"m{m}", subject="首页链接错误")
             for m in (3, 9)]
    r = one(s, "2026", twice)
    # 2 × −10 = −20, item 18 capped at −10 → 80, but the same problem notified twice → 不合格.
    assert r.total == D(80) and r.grade == "不合格"
    different = [Event("changshu.monitoring_serious", "U1", date(2026, m, 1), f"m{m}", subject=f"问题{m}")
                 for m in (3, 9)]
    r = one(s, "2026", different)
    assert (r.total, r.grade) == (D(80), "良好")
    # Fraud (第十六条) → 不合格 whatever the points (90 here).
    r = one(s, "2026", [Event("changshu.fraud", "U1", date(2026, 5, 1), "f1")])
    assert (r.total, r.grade) == (D(90), "不合格")
    # The same through an assessor's entry on the forced rule.
    r = one(s, "2026", entries=[ManualEntry("fraud", "U1", "2026", count=1)])
    assert r.grade == "不合格"


def test_changshu_fractional_scores_between_bands(schemes):
    s = schemes["changshu-2020"]
    half = [ManualEntry("1", "U1", "2026", amount=0.5)]
    # 90 − 0.5 = 89.5: not yet "90分以上" → 良好 under the file's reading (no rounding).
    r = one(s, "2026", entries=half)
    assert (r.total, r.grade) == (D("89.5"), "良好")
    # The reading is configurable: rounding = "half_up" makes 89.5 → 90 → 优秀.
    rounded = dataclasses.replace(s, band_rounding="half_up")
    assert one(rounded, "2026", entries=half).grade == "优秀"
    # 59.5 is 低于60分 → 不合格: 90 − 15 (依申请公开) − 15.5 (政府网站: 3 × 5 + 0.5) = 59.5.
    events = many("ogi.reply_late", "U1", 3) + many("changshu.website_stale", "U1", 5)
    r = one(s, "2026", events, [ManualEntry("1", "U1", "2026", amount=0.5)])
    assert (r.total, r.grade) == (D("59.5"), "不合格")
    assert "整改" in r.consequences[-1] and "第十五条" in r.consequences[-1]


def test_changshu_item_bound_on_manual_entries(schemes):
    # Item 1 carries 2 points: an entry of 5 is refused, naming the field; 2 takes the item to 0 → 88.
    with pytest.raises(EntryError, match="more than the 2 points the document allows on item 1") as caught:
        one(schemes["changshu-2020"], "2026", entries=[ManualEntry("1", "U1", "2026", amount=5)])
    assert caught.value.field == "amount"
    r = one(schemes["changshu-2020"], "2026", entries=[ManualEntry("1", "U1", "2026", amount=2)])
    assert r.item("1")[0].delta == D(-2) and r.total == D(88)


# ─── 临淄 2021 ────────────────────────────────────────────────────────────────

def test_linzi_year_end_discretionary(schemes):
    s = schemes["linzi-2021"]
    events = many("ogi.reply_late", "U1", 2)
    events.append(ev("ogi.review_corrected", "U1", date(2026, 6, 1), "rv1", amount=5))
    r = one(s, "2026", events)
    # (四) 根据情节酌情扣分 fixes no amount: the 2 late replies await the assessor (0 each for now),
    # the review lost carries the assessor's 5 → 年终 20 − 5 = 15; 日常 4 × 20 = 80 → 95; no grades.
    assert r.subtotal("yearend") == D(15) and r.subtotal("daily") == D(80)
    assert (r.total, r.grade, r.pending) == (D(95), None, 2)
    assert any("待考核员酌情确定" in t.reason for t in r.item("y4")[0].trail)
    # The assessor then judges each late reply: 2 and 1.5 points, with reasons → 20 − 5 − 3.5 = 11.5 → 91.5.
    late = [e for e in events if e.kind == "ogi.reply_late"]
    adj = [Adjustment(late[0].key, "y4", 2, "逾期10个工作日", "张考核", "2026-12-20T09:00"),
           Adjustment(late[1].key, "y4", 1, "逾期1日", "张考核", "2026-12-20T09:05"),
           Adjustment(late[1].key, "y4", 1.5, "复核：逾期3日", "李考核", "2026-12-21T10:00")]
    r = score(s, "2026", [Unit("U1")], events, adjustments=adj)[0]
    assert r.subtotal("yearend") == D("11.5") and r.total == D("91.5") and r.pending == 0
    # Original and adjustments, with who and why, stay in the trail.
    second = next(t for t in r.item("y4")[0].trail if t.events and t.events[0].key == late[1].key)
    assert second.points == D("-1.5") and second.original is None and len(second.adjustments) == 2
    assert "李考核" in second.reason and "复核：逾期3日" in second.reason and "原：待认定" in second.reason


def test_linzi_quarters(schemes):
    s = schemes["linzi-2021"]
    events = [ev("linzi.proactive_late", "U1", date(2026, 5, d), f"p{d}") for d in (6, 7, 8)]
    events.append(ev("linzi.task_missed", "U1", date(2026, 6, 2), "t1", amount=2.5))
    events += [ev("linzi.not_rectified", "U1", date(2026, 2, 1 + i), f"n{i}", amount=5) for i in range(5)]
    r = one(s, "2026", events)
    q = {c.label: c.score for c in r.categories if c.id == "daily"}
    # Q1: 5 × 5 = 25 → 20 − 25 → 0 (never below zero); Q2: the 3 late disclosures await the assessor
    # (0 each), the missed task 2.5 → 17.5; Q3, Q4: 20.
    assert q == {"日常考核 2026Q1": 0, "日常考核 2026Q2": D("17.5"), "日常考核 2026Q3": 20, "日常考核 2026Q4": 20}
    # Year: 0 + 17.5 + 20 + 20 + 20 (年终) = 77.5.
    assert r.total == D("77.5")
    # A quarter run gives that quarter's daily score only.
    rq = one(s, "2026Q2", events)
    assert [c.id for c in rq.categories] == ["daily"] and rq.total == D("17.5") and rq.grade is None


def test_linzi_bonus_within_the_year_end_20_and_the_100(schemes):
    s = schemes["linzi-2021"]
    events = [ev("linzi.innovation_recognised", "U1", date(2026, 3, 1), "i1", amount=3),
              ev("linzi.standardisation_recognised", "U1", date(2026, 8, 1), "i2", amount=4)]
    # No deductions: 年终 20 + 3 + 4 = 27 → the year-end part stays at its 20 (第十四条 年终考核（20分）)
    # → total 100, never 107; no invented 5-point cap either.
    r = one(s, "2026", events)
    assert r.subtotal("yearend") == D(20) and r.total == D(100)
    assert any(t.rule == "cap:yearend" and t.points == D(-7) for t in next(
        c for c in r.categories if c.id == "yearend").trail)
    # With 6 deducted under (一) the bonus wins back 6 of its 7: 20 − 6 + 7 = 21 → 20 → 100.
    r = one(s, "2026", events, [ManualEntry("y1", "U1", "2026", amount=6, note="要点落实不到位")])
    assert r.total == D(100)
    # With 10 deducted: 20 − 10 + 7 = 17 → 97.
    r = one(s, "2026", events, [ManualEntry("y1", "U1", "2026", amount=10, note="要点落实不到位")])
    assert r.total == D(97)


# ─── 镇坪 2021 ────────────────────────────────────────────────────────────────

def test_zhenping_late_replies_as_timeliness(schemes):
    s = schemes["zhenping-2021"]
    events = many("zhenping.proactive_late", "U1", 12, 2021) + many("ogi.reply_late", "U1", 3, 2021)
    r = one(s, "2021", events, unit=Unit("U1", params={"target_points": 10}))
    # 时效性 40 − 12 − 3 = 25 → total 85 → 良好 (70分及以上，90分以下) → no target deduction.
    assert r.subtotal("timeliness") == D(25)
    assert (r.total, r.grade) == (D(85), "良好")
    assert r.target == {"points": D(10), "grade_deduction": D(0), "direct_deductions": D(0), "remaining": D(10)}


def test_zhenping_general_grade_costs_40_percent_and_direct_deductions(schemes):
    s = schemes["zhenping-2021"]
    events = (many("zhenping.no_newmedia", "U1", 1, year=2021) + many("zhenping.proactive_late", "U1", 15, 2021)
              + many("zhenping.criticism_province", "U1", 1, 2021) + many("zhenping.criticism_county", "U1", 1, 2021))
    r = one(s, "2021", events, unit=Unit("U1", params={"target_points": 8}))
    # 无两微一端: platform 20 → 0; 时效性 40 − 15 = 25; total 15 + 25 + 0 + 25 = 65 → 一般.
    assert (r.total, r.grade) == (D(65), "一般")
    # Target 8: grade takes 40% = 3.2; criticisms −1 (省) −0.25 (县) → 8 − 3.2 − 1.25 = 3.55.
    assert r.target["grade_deduction"] == D("3.2")
    assert r.target["direct_deductions"] == D("-1.25")
    assert r.target["remaining"] == D("3.55")


def test_zhenping_fail_takes_all_target_points_never_below_zero(schemes):
    s = schemes["zhenping-2021"]
    events = (many("zhenping.no_newmedia", "U1", 1, 2021) + many("zhenping.proactive_late", "U1", 50, 2021)
              + many("zhenping.criticism_state", "U1", 1, 2021))
    r = one(s, "2021", events, unit=Unit("U1", params={"target_points": 10}))
    # 时效性 40 − 50 → 0; platform 0; total 15 + 25 = 40 → 不合格 → 100% of the unit's 10 target points;
    # the 国务院办公厅 criticism (−2) finds nothing left: 扣完为止 → 0.
    assert (r.total, r.grade) == (D(40), "不合格")
    assert r.target["remaining"] == D(0)


def test_zhenping_band_boundaries(schemes):
    s = schemes["zhenping-2021"]

    def total_after(amount: str) -> tuple:
        r = one(s, "2021", entries=[ManualEntry("jgzz", "U1", "2021", amount=D(amount))])
        return r.total, r.grade

    # 及以上 includes the number; 以下 excludes it.
    assert total_after("10") == (D(90), "优秀")
    assert total_after("10.25") == (D("89.75"), "良好")
    assert total_after("15") == (D(85), "良好")
    r = one(s, "2021", many("zhenping.proactive_late", "U1", 30, 2021))
    assert (r.total, r.grade) == (D(70), "良好")
    r = one(s, "2021", many("zhenping.proactive_late", "U1", 40, 2021))
    assert (r.total, r.grade) == (D(60), "一般")


def test_zhenping_quarter_run_is_not_graded(schemes):
    s = schemes["zhenping-2021"]
    events = [ev("zhenping.proactive_late", "U1", date(2021, 8, 1), "a"),
              ev("zhenping.proactive_late", "U1", date(2021, 2, 1), "b")]
    r = one(s, "2021Q3", events)
    # Only the Q3 event counts: 100 − 1 = 99; quarters are reported, not graded.
    assert (r.total, r.grade) == (D(99), None)


# ─── 三门峡 2017 ──────────────────────────────────────────────────────────────

SMX_EVENTS = (many("ogi.reply_late", "C1", 4, 2018) + many("ogi.review_corrected", "C1", 1, 2018)
              + many("ogi.case_closed", "C1", 2, 2018))


def test_sanmenxia_structure_only_lists_events_but_refuses_total(schemes):
    r = one(schemes["sanmenxia-2017"], "2018", SMX_EVENTS, unit=Unit("C1", type="county_gov"))
    assert r.total is None and r.grade is None and not r.complete
    assert "structure only" in (r.refusal_en or "") and "不计算总分" in (r.refusal or "")
    assert [len(i.trail) for i in r.item("ysq-handle")] == [4]
    assert [len(i.trail) for i in r.item("ysq-review")] == [1]
    assert all(t.points is None for t in r.item("ysq-handle")[0].trail)


def test_sanmenxia_example_overlay(schemes):
    s = schemes["sanmenxia-2017-example"]
    assert s.example and "示例" in s.title
    events = SMX_EVENTS + many("sanmenxia.media_positive", "C1", 2, 2018) + many("sanmenxia.office_criticism", "C1",
                                                                                   1, 2018)
    r = one(s, "2018", events, unit=Unit("C1", type="county_gov"))
    # (example points) 4 late × −2 = −8 → item ysq-handle capped at −6; 1 corrected × −2; closed 0;
    # 政府信息公开 25 − 8 = 17; table 100 − 8 = 92; special: +2 and −1, outside the table → 93 → 优秀.
    assert r.subtotal("ogi") == D(17)
    assert r.total == D(93) and r.grade == "优秀"


def test_sanmenxia_fraud_zero_and_table_by_unit_type(schemes):
    s = schemes["sanmenxia-2017-example"]
    r = one(s, "2018", [Event("sanmenxia.fraud", "C1", date(2018, 4, 1), "f")], unit=Unit("C1", type="county_gov"))
    # 直接归零 → 0 → 低于60分 → 不合格.
    assert (r.total, r.grade) == (D(0), "不合格")
    dept = one(s, "2018", unit=Unit("D1", type="city_dept"))
    county = one(s, "2018", unit=Unit("C1", type="county_gov"))
    assert not dept.item("sys-coordination") and county.item("sys-coordination")


# ─── 宿州 2020 ────────────────────────────────────────────────────────────────

def _suzhou_units() -> list[Unit]:
    return [Unit("X", type="county_gov"), Unit("X1", parent="X", type="county_dept"),
            Unit("X2", parent="X", type="county_dept"), Unit("T1", parent="X", type="township"),
            Unit("C", type="city_dept")]


def test_suzhou_weighted_composite_with_2_1_1(schemes):
    s = schemes["suzhou-2020"]
    events = many("ogi.reply_late", "X1", 2, 2020) + many("ogi.reply_late", "X2", 6, 2020, start=100)
    entries = [ManualEntry("third-party", u, "2020", value=v) for u, v in
               (("X", 80), ("X1", 70), ("X2", 90), ("T1", 60))]
    entries += [ManualEntry("process", "X", "2020Q1", value=80), ManualEntry("process", "X", "2020Q2", value=90),
                ManualEntry("mutual", "X", "2020", value=88)]
    results = {r.unit: r for r in score(s, "2020", _suzhou_units(), events, entries)}
    x = results["X"]
    comps = {c.id: c.score for c in x.components}
    # 专业机构测评: the late replies await the assessor's amounts (七(二) is judged by hand), so every
    # unit's table is 100 for now → (2 × 100 + 100 + 100) / 4 = 100.
    assert comps["professional"] == D(100) and results["X1"].pending == 2 and results["X2"].pending == 6
    # 第三方: (2 × 80 + (70 + 90)/2 + 60) / 4 = (160 + 80 + 60) / 4 = 75.
    assert comps["third-party"] == D(75)
    # 过程测评: mean of Q1 80 and Q2 90 = 85. 双向互评: 88.
    assert comps["process"] == D(85) and comps["mutual"] == D(88)
    # 0.1 × 100 + 0.3 × 75 + 0.2 × 85 + 0.4 × 88 = 10 + 22.5 + 17 + 35.2 = 84.7.
    assert x.total == D("84.7") and x.grade is None
    assert "目标管理绩效考核" in x.consequences[0]


def test_suzhou_missing_component_refuses_total(schemes):
    s = schemes["suzhou-2020"]
    entries = [ManualEntry("third-party", "C", "2020", value=90), ManualEntry("process", "C", "2020Q4", value=90)]
    c = {r.unit: r for r in score(s, "2020", _suzhou_units(), [], entries)}["C"]
    assert c.total is None and "双向互评" in (c.refusal or "")


def test_suzhou_discretionary_override(schemes):
    s = schemes["suzhou-2020"]
    events = [ev("ogi.reply_late", "C", date(2020, 3, 1), "a", amount=2.5), ev("ogi.reply_late", "C", date(2020, 3, 2), "b")]
    entries = [ManualEntry(c, "C", "2020", value=100) for c in ("third-party", "mutual")]
    entries.append(ManualEntry("process", "C", "2020Q1", value=100))
    c = {r.unit: r for r in score(s, "2020", _suzhou_units(), events, entries)}["C"]
    # 七(二): 2.5 (assessor's amount) + the second awaiting judgement (0) → professional 97.5
    # → 0.1 × 97.5 + 0.9 × 100 = 99.75.
    assert c.components[0].score == D("97.5") and c.total == D("99.75") and c.pending == 1


# ─── issue 13: judgement, attributes by period, consequences ──────────────────

def test_changshu_official_average_entered_by_the_office(schemes):
    s = schemes["changshu-2020"]
    units = [Unit(c, type="county_dept") for c in ("A", "B", "C", "D")]
    events = [Event("changshu.website_report_score", u, date(2026, 12, 1), f"w{u}", amount=a)
              for u, a in (("A", 100), ("B", 80), ("C", 60), ("D", 40))]
    # The office enters the city's official 全市平均分 (62.5) as a value on the rule, filed under its unit.
    official = [ManualEntry("5.below-average", "A", "2026", value=62.5, note="市政府办公室通报")]
    d = {r.unit: r for r in score(s, "2026", units, events, official)}["D"]
    # D 40 is (62.5 − 40) / 62.5 = 36% below: one full 20% step → −5 (not −10 as against the units' mean 70).
    assert d.subtotal("website") == D(25)
    line = d.item("5")[0].trail[0]
    assert "考核办录入的全市平均分 62.5" in line.reason and line.clause == "得分每低于全市平均分20%的，扣5分"


def test_changshu_item14_ranks_for_departments_only(schemes):
    s = schemes["changshu-2020"]
    rank = [ManualEntry("14", "U1", "2026", value=5, note="录用数量第5名")]
    # 前5名 includes the 5th → +10: 90 + 10 = 100.
    assert one(s, "2026", entries=rank, unit=Unit("U1", type="county_dept")).total == D(100)
    # 11th → 前20名 → +5; 21st → nothing.
    assert one(s, "2026", entries=[ManualEntry("14", "U1", "2026", value=11)],
               unit=Unit("U1", type="county_dept")).total == D(95)
    assert one(s, "2026", entries=[ManualEntry("14", "U1", "2026", value=21)],
               unit=Unit("U1", type="county_dept")).total == D(90)
    # A town (乡镇) has no item 14: "…的部门".
    town = one(s, "2026", unit=Unit("U1", type="township"))
    assert town.item("14") == []


def test_changshu_fraud_is_fail_with_public_criticism(schemes):
    s = schemes["changshu-2020"]
    r = one(s, "2026", [Event("changshu.fraud", "U1", date(2026, 11, 1), "f1", subject="自查材料不实")])
    # The points stay 90, the grade is 不合格 (第十六条), and the criticism is a consequence.
    assert (r.total, r.grade) == (D(90), "不合格")
    assert "给予通报批评（第十六条）" in r.consequences
    assert any("折算" in c for c in r.consequences) and any("综合考核" in c for c in r.consequences)


def test_sanmenxia_fraud_is_fail_without_points(schemes):
    # Structure only, no overlay: no total, but 第十六条 makes the result 不合格 all the same.
    r = one(schemes["sanmenxia-2017"], "2018", [Event("sanmenxia.fraud", "C1", date(2018, 4, 1), "f")],
            unit=Unit("C1", type="county_gov"))
    assert (r.total, r.grade) == (None, "不合格")
    assert "给予通报批评（第十六条）" in r.consequences
    # With the example overlay: 直接归零 and 不合格, and 第十三条/第十四条 carried.
    r = one(schemes["sanmenxia-2017-example"], "2018", [Event("sanmenxia.fraud", "C1", date(2018, 4, 1), "f")],
            unit=Unit("C1", type="county_gov"))
    assert (r.total, r.grade) == (D(0), "不合格")
    assert any("占比为4%" in c for c in r.consequences) and any("次年4月底前" in c for c in r.consequences)


def test_type_changed_in_july_scores_each_half_with_its_type(tmp_path):
    # A test scheme: item A only for county governments (−2 per event), item B only for departments (−1).
    text = """
[scheme]
id = "t"
title = "t"
document = "t"
year = 2026
scale = 100
periods = ["year", "half"]

[[category]]
id = "c"
name = "c"
points = 100
period = "any"

[[category.item]]
id = "A"
name = "县政府项目"
applies_to = ["county_gov"]

[[category.item.rule]]
when = "x.late"
points = -2
clause = "县政府：一次扣2分"

[[category.item]]
id = "B"
name = "部门项目"
applies_to = ["city_dept"]

[[category.item.rule]]
when = "x.late"
points = -1
clause = "部门：一次扣1分"
"""
    path = tmp_path / "t.toml"
    path.write_text(text, encoding="utf-8")
    s = load_scheme(path)
    events = [Event("x.late", "U", date(2026, 3, 1), "m"), Event("x.late", "U", date(2026, 9, 1), "s1"),
              Event("x.late", "U", date(2026, 10, 1), "s2")]
    changed = ((date(2026, 1, 1), "city_dept"), (date(2026, 7, 1), "county_gov"))
    # H1: a department → the March event under B: −1 → 99.
    assert one(s, "2026H1", events, unit=Unit("U", type="city_dept")).total == D(99)
    # H2: a county government → the two autumn events under A: −4 → 96.
    assert one(s, "2026H2", events, unit=Unit("U", type="county_gov")).total == D(96)
    # The year: each event under the type of its day: −1 − 4 = −5 → 95 (not −6 or −3).
    year = one(s, "2026", events, unit=Unit("U", type="county_gov", history=changed))
    assert year.total == D(95)
    note = year.item("A")[0].trail[0]
    assert note.rule == "type:A" and "2026-07-01 至 2026-12-31" in note.reason


def test_zhenping_month_run(schemes):
    s = schemes["zhenping-2021"]
    events = [ev("zhenping.proactive_late", "U1", date(2021, 7, d), f"j{d}") for d in (5, 6)]
    events.append(ev("zhenping.proactive_late", "U1", date(2021, 8, 2), "a1"))
    # 月度考核: July alone −2 → 98, not graded; the year counts every month: −3 → 97.
    assert (one(s, "2021-07", events).total, one(s, "2021-07", events).grade) == (D(98), None)
    assert one(s, "2021", events, unit=Unit("U1", params={"target_points": 4})).total == D(97)


def test_suzhou_bonus_after_weighting_and_mock_tests_in_third_party(schemes):
    s = schemes["suzhou-2020"]
    entries = [ManualEntry(c, "C", "2020", value=80) for c in ("third-party", "mutual")]
    entries += [ManualEntry("process", "C", "2020Q1", value=80), ManualEntry("b8.4", "C", "2020", amount=2,
                                                                              note="优秀政策解读材料一等奖")]
    events = [Event("suzhou.mock_request_failed", "C", date(2020, 11, 3), "m1", amount=10,
                    request_ref="模拟测试-07", note="第三方模拟申请逾期未答复")]
    c = {r.unit: r for r in score(s, "2020", _suzhou_units(), events, entries)}["C"]
    # 第三方 80 − 10 (a failed mock request, the third party's figure) = 70.
    assert {x.id: x.score for x in c.components}["third-party"] == D(70)
    # 0.1 × 100 + 0.3 × 70 + 0.2 × 80 + 0.4 × 80 = 10 + 21 + 16 + 32 = 79; 八(四) +2 after weighting → 81.
    assert c.total == D(81)
    assert any(t.rule == "outside:bonus" and t.points == D(2) for t in c.trail)


# ─── engine-wide properties ───────────────────────────────────────────────────

def test_idempotent_on_key_and_order(schemes):
    s = schemes["changshu-2020"]
    events = many("ogi.reply_late", "U1", 2) + many("ogi.case_closed", "U1", 11)
    once = one(s, "2026", events).to_dict()
    twice = one(s, "2026", events + events).to_dict()
    reversed_ = one(s, "2026", list(reversed(events))).to_dict()
    assert once == twice == reversed_
    entries = [ManualEntry("1", "U1", "2026", amount=1, key="k1")] * 2
    assert one(s, "2026", entries=entries).total == D(89)


def test_event_set_is_reusable_across_schemes_and_periods(schemes):
    events = EventSet(many("ogi.reply_late", "U1", 2) + many("ogi.reply_late", "U1", 2, year=2025, start=50))
    assert events.count == 4
    s = schemes["changshu-2020"]
    assert one(s, "2026", events).subtotal("ysq") == D(5)
    assert one(s, "2025", events).subtotal("ysq") == D(5)
    assert one(schemes["zhenping-2021"], "2026", events).subtotal("timeliness") == D(38)


def test_unmatched_kinds_are_reported(schemes):
    r = one(schemes["changshu-2020"], "2026", many("other.system_event", "U1", 2))
    assert r.unmatched == {"other.system_event": 2} and r.total == D(90)


def test_wrong_period_kind_refused(schemes):
    with pytest.raises(ValueError, match="not by quarter"):
        score(schemes["changshu-2020"], "2026Q1", [Unit("U1")], [])


def test_json_form_carries_trail(schemes):
    r = one(schemes["changshu-2020"], "2026", many("ogi.reply_late", "U1", 1))
    data = r.to_dict()
    trail = data["categories"][3]["items"][0]["trail"][0]
    assert trail["points"] == -5 and trail["events"][0]["details"]["request_no"].startswith("2026-")


def test_load_single_file():
    s = load_scheme(SCHEMES / "changshu-2020.toml")
    assert s.document == "常政办发〔2020〕120号" and [b.grade for b in s.bands] == ["优秀", "良好", "合格", "不合格"]
