"""Scoring tallies (issue 15) equal a full recomputation, on SQLite and PostgreSQL: after random sequences of
assessment actions (events from the workflow and the API, repeated keys, amounts, assessors'
adjustments, a rebuild in between), the maintained tallies are the count of every event, and every
scheme scored from the tallies gives the same totals, grades, subtotals and counts as scoring every
event, with the same trail for a unit whose trail is asked for. Examples run one after another on the
same database (the audit ledger forbids removing events), so later ones start from what earlier ones left."""

from __future__ import annotations

import contextlib
from datetime import date, timedelta
from pathlib import Path

from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st

from service.assessment.schemas import without_trails
from tests.conftest import auth
from tests.test_assessment_api import submit, workflow_event
from tests.test_scoring_service import other_office

AMOUNTS = [None, None, None, 0.5, 1.0, 2.5, 3]
PERIODS = {"year": "2026", "half": "2026H2", "quarter": "2026Q3", "month": "2026-07"}
UNITS = ["city", "housing", "env", "county", "county-edu", "county-dev"]


def _kinds() -> list[str]:
    from service.assessment.service import all_schemes

    kinds = sorted({k for s in all_schemes().values() for k in s.kinds()})
    return [*kinds, "no.such.kind"]


action = st.one_of(
    st.tuples(st.just("event"), st.integers(0, 10_000), st.integers(0, 5), st.integers(0, 364),
              st.sampled_from(AMOUNTS), st.integers(0, 30), st.sampled_from(["a", "b", ""])),
    st.tuples(st.just("adjust"), st.integers(0, 10_000), st.sampled_from([0.0, 0.5, 1.0, 2.0])),
    st.tuples(st.just("rebuild")),
)


def _act(db_url: str, step: tuple, kinds: list[str], visible: set[int]) -> None:
    from sqlmodel import select

    from service.assessment import inbox, service
    from service.assessment.models import AssessmentEventRecord
    from service.assessment.tallies import rebuild
    from service.db import transaction
    from workflow.errors import InvalidField

    with transaction(db_url) as session:
        if step[0] == "event":
            _, kind, unit, day, amount, key, account = step
            kind_name = kinds[kind % len(kinds)]
            inbox.submit(session=session, events=[{
                "kind": kind_name, "unit": UNITS[unit], "on": date(2026, 1, 1) + timedelta(days=day),
                "key": f"{kind_name}:{UNITS[unit]}:{key}", "subject": f"reply-{key % 3}", "amount": amount,
                "request_ref": f"R{key}", "details": {"account": account} if account else {}}],
                source="workflow" if key % 2 else "api")
        elif step[0] == "adjust":
            events = session.exec(select(AssessmentEventRecord).order_by(AssessmentEventRecord.id)).all()
            if not events:
                return
            event = events[step[1] % len(events)]
            for sid, scheme in sorted(service.all_schemes().items()):
                for _, item, rule in scheme.rules():
                    if rule.discretionary and event.kind in rule.kinds:
                        with contextlib.suppress(InvalidField):
                            service.adjust_event(session=session, scheme_id=sid, visible=visible, author_id=None,
                                                 author_name="考核员", data={"event": str(event.id), "item": item.id,
                                                                          "amount": step[2], "note": "测试"})
        else:
            rebuild(session=session)


@settings(max_examples=12, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])
@given(steps=st.lists(action, min_size=1, max_size=40), pick=st.integers(0, 5))
def test_tallies_and_scores_equal_a_full_recomputation(db_url, world, tmp_path: Path, steps: list[tuple],
                                                       pick: int) -> None:
    from service.agencies.repository import all_agencies
    from service.assessment import service, tallies
    from service.db import transaction

    with transaction(db_url) as session:
        imported = any(a.code == "county" for a in all_agencies(session=session))
    if not imported:
        other_office(db_url, tmp_path)
    with transaction(db_url) as session:
        visible = {a.id for a in all_agencies(session=session)}  # type: ignore[misc]
    kinds = _kinds()
    for step in steps:
        _act(db_url, step, kinds, visible)
    with transaction(db_url) as session:
        maintained = tallies.stored(session=session)
        assert maintained == tallies.recompute(session=session)
        for sid, scheme in sorted(service.all_schemes().items()):
            for kind in scheme.periods:
                period = PERIODS[kind]
                full = [r.to_dict() for r in service.results(session=session, scheme_id=sid, period=period,
                                                             visible=None)]
                summary = [r.to_dict() for r in service.results(session=session, scheme_id=sid, period=period,
                                                                visible=None, trails=set())]
                assert without_trails(summary) == without_trails(full), (sid, period)
                unit = full[pick % len(full)]["unit"]
                one = service.results(session=session, scheme_id=sid, period=period, visible=None, unit=unit,
                                      trails={unit})
                assert [r.to_dict() for r in one] == [r for r in full if r["unit"] == unit], (sid, period, unit)
        tallies.rebuild(session=session)
        assert tallies.stored(session=session) == maintained


def test_summary_pages_then_one_units_trail(client, world, db_url, tmp_path: Path) -> None:
    other_office(db_url, tmp_path)
    submit(db_url, [workflow_event("ogi.reply_late", unit, f"N{i}", f"2026-0{i + 1}-10")
                    for i, unit in enumerate(UNITS)])
    h = auth(world, "admin")
    url = "/api/v1/schemes/changshu-2020"
    full = client.get(f"{url}/results", params={"period": "2026"}, headers=h).json()["units"]
    assert len(full) >= 3
    pages, after = [], None
    while True:
        r = client.get(f"{url}/summary", params={"period": "2026", "limit": 2, **({"after": after} if after else {})},
                       headers=h)
        assert r.status_code == 200, r.text
        body = r.json()
        pages.append(body["units"])
        after = body["next_after"]
        assert r.headers.get("X-Next-After") == after
        if after is None:
            break
    assert [len(p) for p in pages[:-1]] == [2] * (len(pages) - 1) and 1 <= len(pages[-1]) <= 2
    summary = [u for p in pages for u in p]
    assert [{k: v for k, v in u.items() if k != "trail_url"} for u in summary] == without_trails(full)
    assert "trail" not in summary[0] and "'events'" not in str(summary)  # no trail, no case anywhere
    # Its trail_url gives the unit's results with the trail /results gives for every unit.
    one = client.get(summary[1]["trail_url"], headers=h).json()["units"]
    assert one == [full[1]] and one[0]["categories"][0]["items"]
    # /results pages too; without limit it still answers every unit (existing clients).
    first = client.get(f"{url}/results", params={"period": "2026", "limit": 1}, headers=h).json()
    assert first["units"] == full[:1] and first["next_after"] == full[0]["unit"]
    # Bad paging input names its field.
    for params in ({"limit": 0}, {"limit": 5000}, {"after": "x" * 100}):
        r = client.get(f"{url}/summary", params={"period": "2026", **params}, headers=h)
        assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] in params
    paths = client.get("/openapi.json").json()["paths"]
    assert "/api/v1/schemes/{scheme_id}/summary" in paths
    assert {"limit", "after"} <= {p["name"] for p in paths["/api/v1/schemes/{scheme_id}/results"]["get"]["parameters"]}


def test_drifted_tallies_fall_back_for_trails_and_ogi_score_rebuild_repairs_them(world, db_url) -> None:
    from sqlalchemy import text
    from typer.testing import CliRunner

    from service.assessment import service, tallies
    from service.cli import app
    from service.db import transaction

    submit(db_url, [workflow_event("ogi.reply_late", "housing", f"N{i}", "2026-03-02") for i in range(3)])

    def totals(trails: set[str]) -> dict:
        with transaction(db_url) as session:
            return {r.unit: r.total for r in service.results(session=session, scheme_id="changshu-2020",
                                                             period="2026", visible=None, trails=trails)}

    before = totals(set())
    assert before["housing"] == 75 and totals({"housing"}) == before  # 15 points, less 3 late replies × 5
    with transaction(db_url) as session:  # rows lost around the inbox (a bulk load, a hand edit)
        session.connection().execute(text("DELETE FROM assessment_tally"))
    # The unit whose trail is read has more events than tallies: every event is scored instead.
    assert totals({"housing"}) == before
    # From the tallies alone the loss cannot be seen (as with every projection): `ogi score rebuild`.
    assert totals(set())["housing"] == 90
    runner = CliRunner()
    assert runner.invoke(app, ["score", "changshu-2020"]).exit_code == 2  # scoring still needs --period
    out = runner.invoke(app, ["score", "rebuild"])
    assert out.exit_code == 0 and "rebuilt 1 scoring tallies" in out.output, out.output
    with transaction(db_url) as session:
        assert tallies.stored(session=session) == tallies.recompute(session=session) != {}
    assert totals(set()) == before
