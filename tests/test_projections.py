"""Read projections (issue 15) equal a full recomputation from the events, on SQLite and PostgreSQL:
after random sequences of real actions (the demo's lawful random paths through the service layer,
with hypothesis choosing the seed, the size and "today"), the annual-report facts, the status
counts, the list keys and the search index are what folding every request's events gives; the
annual report read from the facts equals the report folded from every event; a rebuild changes
nothing. Also: search input is bounded and escaped, the CSV streams every row past its batch size,
keyset pages, and a database too busy to write answers 503 with Retry-After."""

from __future__ import annotations

import sqlite3
from datetime import date, timedelta
from itertools import groupby

import pytest
from freezegun import freeze_time
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from sqlalchemy import text
from sqlmodel import select

from tests.conftest import auth

PASSWORD = "correct horse"


def _snapshot(session) -> dict:  # type: ignore[no-untyped-def]
    conn = session.connection()
    return {
        "facts": sorted(tuple(r) for r in conn.execute(text(
            "SELECT request_id, agency_id, number, received_on, \"column\", finished_on, finish_row, finish_error, "
            "fee_paid_on, fee_amount FROM report_fact"))),
        "reviews": sorted(tuple(r) for r in conn.execute(text(
            "SELECT request_id, review_id, agency_id, grp, filed_on, outcome, decided_on FROM report_review"))),
        "counts": sorted(tuple(r) for r in conn.execute(text(
            "SELECT agency_id, status, n FROM request_status_count WHERE n <> 0"))),
        "keys": sorted(tuple(r) for r in conn.execute(text("SELECT id, due_key, is_open FROM disclosure_request"))),
    }


def _recomputed(session) -> dict:  # type: ignore[no-untyped-def]
    """The projections computed from scratch: fold every request's events; count the rows."""
    from service.projections.listeners import OPEN, due_key
    from service.projections.report import rows_of
    from service.requests.eventlog import as_domain
    from service.requests.models import RequestEvent, RequestRecord
    from workflow.annual_report import fact_of
    from workflow.machine import fold

    records = {r.id: r for r in session.exec(select(RequestRecord))}
    facts, reviews = [], []
    events = session.exec(select(RequestEvent).order_by(RequestEvent.request_id, RequestEvent.seq))
    for rid, group in groupby(events, key=lambda e: e.request_id):
        row, revs = rows_of(rid, records[rid].agency_id, fact_of(fold(as_domain(group))))
        facts.append(tuple(row.values()))
        reviews += [tuple(r.values()) for r in revs]
    counts: dict[tuple[int, str], int] = {}
    for r in records.values():
        counts[(r.agency_id, r.status)] = counts.get((r.agency_id, r.status), 0) + 1
    return {"facts": sorted(facts), "reviews": sorted(reviews),
            "counts": sorted((a, s, n) for (a, s), n in counts.items()),
            "keys": sorted((r.id, due_key(r.due_on), r.status in OPEN) for r in records.values())}


def _normalise(snapshot: dict) -> dict:
    # SQLite hands dates back as strings through text(); compare everything as text.
    def cell(v: object) -> str | None:
        if isinstance(v, bool):
            v = int(v)
        return None if v is None else str(v)

    return {k: sorted(tuple(cell(v) for v in row) for row in rows) for k, rows in snapshot.items()}


@settings(max_examples=3, deadline=None, suppress_health_check=list(HealthCheck),
          phases=[Phase.explicit, Phase.reuse, Phase.generate])  # shrinking reloads the demo: minutes
@given(seed=st.integers(0, 10_000), n=st.integers(5, 25), back=st.integers(0, 400))
def test_projections_equal_a_full_recomputation(db_url, seed: int, n: int, back: int) -> None:
    from service.agencies.models import Agency
    from service.db import transaction
    from service.projections.rebuild import rebuild_all
    from service.reports.service import annual_report
    from service.requests.demo import load_demo
    from service.requests.eventlog import as_domain
    from service.requests.models import RequestEvent, RequestRecord
    from workflow.annual_report import compute
    from workflow.machine import fold

    today = date(2026, 11, 20) - timedelta(days=back)
    with transaction(db_url) as session:
        load_demo(session=session, requests=n, seed=seed, today=today)
    with transaction(db_url) as session:
        maintained = _normalise(_snapshot(session))
        assert maintained == _normalise(_recomputed(session))
        # Every annual report read from the facts equals the one folded from every event.
        cases = [fold(as_domain(g)) for _, g in groupby(
            session.exec(select(RequestEvent).order_by(RequestEvent.request_id, RequestEvent.seq)),
            key=lambda e: e.request_id)]
        for agency in session.exec(select(Agency)):
            mine = [c for c in cases if c.agency_code == agency.code]
            for year in range(2024, 2027):
                as_of = min(today, date(year, 12, 31))
                if as_of < date(year, 1, 1):
                    continue
                got = annual_report(session=session, agency_code=agency.code, year=year, visible=None, today=today)
                assert got.report == compute(mine, agency_code=agency.code, year=year, as_of=as_of)
        rebuild_all(session=session)
        assert _normalise(_snapshot(session)) == maintained
        # Every request is found by its number and by its applicant's name through the search index.
        from service.requests.repository import page

        ids = [a.id for a in session.exec(select(Agency))]
        for record in session.exec(select(RequestRecord)).all()[:10]:
            found = page(session=session, agency_ids=ids, q=record.number, limit=500)
            assert record.id in [r.id for r, _ in found.rows]
            found = page(session=session, agency_ids=ids, q=record.applicant_name, limit=500)
            assert record.id in [r.id for r, _ in found.rows]
    # A fresh database for the next example: every table emptied, children first (the demo loader
    # imports the agencies and users again).
    from sqlmodel import SQLModel

    import service.models  # noqa: F401  (every table on the metadata)

    with transaction(db_url) as session:
        session.connection().execute(text("DELETE FROM request_search"))
        for table in reversed(SQLModel.metadata.sorted_tables):
            session.connection().execute(table.delete())


def test_open_states_agree_with_the_workflow() -> None:
    from service.projections.listeners import OPEN
    from workflow.machine import OPEN_STATUSES

    assert {str(s) for s in OPEN_STATUSES} == OPEN


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


def _register(client, world, n: int, **applicant: str) -> list[dict]:  # type: ignore[no-untyped-def]
    out = []
    for i in range(n):
        body = {"applicant": {"kind": "natural_person", "name": applicant.get("name", f"张{'三四五六七八九'[i % 7]}"),
                              "id_type": "resident_id", "id_number": "11010519491231002X", "phone": "13900000000"},
                "channel": "in_person", "arrival_at": f"2026-09-{1 + i % 28:02d}T10:00:00+08:00",
                "description": f"申请公开编码为K{i}Q的地块规划许可文件"}
        r = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk"))
        assert r.status_code == 201, r.text
        out.append(r.json())
    return out


def test_search_finds_text_numbers_and_id_numbers(client, world, today) -> None:
    made = _register(client, world, 3)
    h = auth(world, "clerk")
    by_text = client.get("/api/v1/requests", params={"q": "规划许可"}, headers=h)
    assert by_text.status_code == 200 and len(by_text.json()) == 3
    assert [r["number"] for r in client.get("/api/v1/requests", params={"q": made[1]["number"]}, headers=h).json()] \
        == [made[1]["number"]]
    # The ID number as typed in lower case or with full-width digits is the same number.
    assert len(client.get("/api/v1/requests", params={"q": "１２３１００２x"}, headers=h).json()) == 3
    assert [r["number"] for r in client.get("/api/v1/requests", params={"q": "k1q"}, headers=h).json()] \
        == [made[1]["number"]]
    assert client.get("/api/v1/requests", params={"q": "李四"}, headers=h).json() == []


@pytest.mark.parametrize("q", ["%", "_", "%%__%%", '"', '" OR 1=1 --', "NEAR(a b)", "规划*", "a:b", "^x", "AND OR NOT",
                               "'; DROP TABLE disclosure_request; --", "\\", "{}[]()", "张三%", "地_块",
                               ('%_"*:^(){}NEAR AND OR NOT \\\'-' * 5)[:100]])  # the longest allowed, all operators
def test_search_operators_are_text_not_syntax(client, world, today, q: str) -> None:
    _register(client, world, 2)
    h = auth(world, "clerk")
    r = client.get("/api/v1/requests", params={"q": q}, headers=h)
    assert r.status_code == 200, r.text
    page = _web(client, world, "/search", {"q": q})
    assert page.status_code == 200
    assert len(client.get("/api/v1/requests", headers=h).json()) == 2


def test_over_long_search_is_refused_naming_q(client, world, today) -> None:
    h = auth(world, "clerk")
    r = client.get("/api/v1/requests", params={"q": "x" * 10_000}, headers=h)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "q"
    r = client.get("/api/v1/requests", params={"q": "规" * 2_000}, headers=h)
    assert r.status_code == 422
    page = _web(client, world, "/search", {"q": "_" * 10_000})
    assert page.status_code == 422 and "100" in page.text


def _web(client, world, path: str, params: dict):  # type: ignore[no-untyped-def]
    import re

    if "ogi_session" not in str(client.cookies):
        token = re.search(r'name="csrf_token" value="([^"]+)"', client.get("/login").text).group(1)  # type: ignore[union-attr]
        client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": token, "next": "/"},
                    follow_redirects=False)
    return client.get(path, params=params or None)  # an empty dict would drop the query in the path


def test_csv_streams_every_row_past_its_batch(client, world, today, monkeypatch) -> None:
    import service.requests.views.search as views

    monkeypatch.setattr(views, "CSV_BATCH", 4)  # smaller than the data: the export must page through it
    made = _register(client, world, 11)
    csv = _web(client, world, "/search.csv", {})
    assert csv.status_code == 200
    lines = csv.content.decode("utf-8-sig").strip().splitlines()
    assert len(lines) == 1 + 11
    assert sorted(line.split(",")[0] for line in lines[1:]) == sorted(r["number"] for r in made)


def test_keyset_pages_walk_the_whole_list_once(client, world, today, monkeypatch) -> None:
    import service.requests.views.search as views

    monkeypatch.setattr(views, "PAGE_SIZE", 3)
    made = _register(client, world, 8)
    seen: list[str] = []
    url, params = "/search", {}
    import re

    for _ in range(5):
        page = _web(client, world, url, params)
        assert page.status_code == 200
        seen += re.findall(r'<a href="/requests/\d+">([^<]+)</a>', page.text)
        nxt = re.search(r'href="/search\?([^"]*after=[^"]+)" rel="next"', page.text)
        if not nxt:
            break
        url, params = "/search?" + nxt.group(1).replace("&amp;", "&"), {}
    assert sorted(seen) == sorted(r["number"] for r in made)
    assert len(seen) == len(set(seen)) == 8


def test_busy_database_answers_503_with_retry_after(client, world, today, db_url) -> None:
    if not db_url.startswith("sqlite"):
        pytest.skip("the pool time-out is the same handler; SQLite's lock is what can be held here")
    from sqlalchemy import event

    from service.db import get_engine

    engine = get_engine(db_url)

    @event.listens_for(engine, "connect")
    def _short_wait(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        dbapi_connection.execute("PRAGMA busy_timeout=50")

    engine.dispose()  # new connections get the short busy time-out
    holder = sqlite3.connect(db_url.removeprefix("sqlite:///"), isolation_level=None)
    holder.execute("BEGIN IMMEDIATE")  # another writer holds SQLite's single write lock
    try:
        body = {"applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                              "id_number": "11010519491231002X", "phone": "13900000000"}, "channel": "in_person",
                "description": "申请公开规划许可文件"}
        r = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk"))
        assert r.status_code == 503, r.text
        assert int(r.headers["Retry-After"]) > 0
        assert r.json()["detail"]["error"] == "overloaded"
    finally:
        holder.rollback()
        holder.close()
        event.remove(engine, "connect", _short_wait)
        engine.dispose()
    assert client.post("/api/v1/requests", json=body, headers=auth(world, "clerk")).status_code == 201


def test_text_counts_stop_at_the_cap_and_say_so(client, world, today, monkeypatch) -> None:
    import service.requests.repository as repository

    monkeypatch.setattr(repository, "COUNT_CAP", 3)
    _register(client, world, 5)
    r = client.get("/api/v1/requests", params={"q": "规划许可"}, headers=auth(world, "clerk"))
    assert r.headers["X-Total-Count"] == "3" and r.headers["X-Total-Count-Exact"] == "false"
    assert len(r.json()) == 5
    # Without a text filter the count comes from the status counts: exact, however many.
    r = client.get("/api/v1/requests", headers=auth(world, "clerk"))
    assert r.headers["X-Total-Count"] == "5" and "X-Total-Count-Exact" not in r.headers
    assert "超过 3 件" in _web(client, world, "/search", {"q": "规划许可"}).text
