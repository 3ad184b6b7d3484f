"""Property tests: caps, floors, determinism and idempotency hold for any mix of events."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from scoring import Event, Unit, load_scheme, score

SCHEMES = Path(__file__).resolve().parent.parent / "schemes"
CHANGSHU = load_scheme(SCHEMES / "changshu-2020.toml")
LINZI = load_scheme(SCHEMES / "linzi-2021.toml")
KINDS = ("ogi.reply_late", "ogi.reply_defect", "ogi.review_corrected", "ogi.case_closed", "ogi.notice_late",
         "changshu.website_error", "changshu.monitoring_serious", "changshu.innovative_interpretation")

events_st = st.lists(
    st.builds(lambda kind, day, n, unit: Event(kind, unit, date.fromordinal(date(2026, 1, 1).toordinal() + day),
                                               key=f"{kind}:{unit}:{n}:{day}",
                                               subject=f"s{n % 3}"),
              st.sampled_from(KINDS), st.integers(0, 364), st.integers(0, 60), st.sampled_from(["A", "B"])),
    max_size=60,
)


@settings(max_examples=60, deadline=None)
@given(late=st.integers(0, 8), defect=st.integers(0, 8), corrected=st.integers(0, 8))
def test_changshu_ysq_formula(late, defect, corrected):
    events = [Event(k, "A", date(2026, 6, 1), f"{k}{i}") for k, n in
              (("ogi.reply_late", late), ("ogi.reply_defect", defect), ("ogi.review_corrected", corrected))
              for i in range(n)]
    r = score(CHANGSHU, "2026", [Unit("A")], events)[0]
    # 依申请公开 = max(0, 15 − 5·late − 2·defect − 3·corrected).
    assert r.subtotal("ysq") == max(Decimal(0), Decimal(15 - 5 * late - 2 * defect - 3 * corrected))


@settings(max_examples=60, deadline=None)
@given(events=events_st, data=st.data())
def test_deterministic_bounded_and_idempotent(events, data):
    units = [Unit("A"), Unit("B")]
    base = [r.to_dict() for r in score(CHANGSHU, "2026", units, events)]
    shuffled = data.draw(st.permutations(events))
    doubled = list(shuffled) + data.draw(st.lists(st.sampled_from(events), max_size=10)) if events else []
    assert [r.to_dict() for r in score(CHANGSHU, "2026", units, doubled)] == base
    for r in base:
        assert 0 <= r["total"] <= 100
        for c in r["categories"]:
            if c["kind"] == "deduct":
                assert 0 <= c["score"] <= c["points"]


@settings(max_examples=40, deadline=None)
@given(events=events_st)
def test_trail_explains_every_point(events):
    # Every point gained or lost is in a trail: full marks + all trail points = the total.
    for r in score(LINZI, "2026", [Unit("A"), Unit("B")], events) + score(CHANGSHU, "2026", [Unit("A")], events):
        start = sum((c.start or 0 for c in r.categories), Decimal(0))
        moved = sum((t.points or 0 for c in r.categories for t in c.trail), Decimal(0))
        moved += sum((i.delta or 0 for c in r.categories for i in c.items), Decimal(0))
        moved += sum((t.points or 0 for t in r.trail), Decimal(0))
        items = sum((t.points or 0 for c in r.categories for i in c.items for t in i.trail), Decimal(0))
        assert items == sum((i.delta or 0 for c in r.categories for i in c.items), Decimal(0))
        assert start + moved == r.total
