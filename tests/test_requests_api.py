"""Requests through the REST API on SQLite and PostgreSQL: registration, visibility, errors,
idempotency, the clock in the JSON, and the hash-chained event log."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlalchemy import text

from tests.conftest import auth

# "Today" for these tests: 2026-10-20 10:00 in Beijing (the clock and the guards depend on it).
pytestmark = pytest.mark.usefixtures("beijing_2026_10_20")


@pytest.fixture
def beijing_2026_10_20(client):  # after the app is built: pydantic must not see freezegun's date class
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


def register_body(**overrides: object) -> dict:
    body = {
        "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                      "id_number": "11010519491231002X", "phone": "13900000000"},
        "channel": "in_person",
        "arrival_at": "2026-09-21T10:00:00+08:00",
        "description": "申请公开某小区旧城改造项目的立项批复文件",
    }
    body.update(overrides)
    return body


def test_register_computes_number_receipt_and_due_date(client, world) -> None:
    r = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["number"] == "常住建依申〔2026〕1号"
    assert got["agency"] == "housing"
    assert got["status"] == "registered"
    assert got["received_on"] == "2026-09-21"
    # 2026-09-21 (Mon) + 20 working days: 9/22–9/24 (1–3), 9/25–9/27 中秋 off, 9/28–9/30 (4–6),
    # 10/1–10/7 国庆 off, 10/8 (7), 10/9 (8), Sat 10/10 make-up day (9), 10/12–10/16 (10–14),
    # 10/19–10/23 (15–19), 10/26 (20).
    assert got["due_on"] == "2026-10-26"
    assert got["provisional"] is False
    assert got["events"][0]["kind"] == "registered"
    assert set(got["clock"]) >= {"days_used", "days_left", "paused_since", "extended"}
    second = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()
    assert second["number"] == "常住建依申〔2026〕2号"


def test_receipt_day_is_beijing_day_for_a_utc_timestamp(client, world) -> None:
    # 2026-09-20 16:30 UTC is 2026-09-21 00:30 in Beijing: received on the 21st.
    r = client.post("/api/v1/requests", json=register_body(arrival_at="2026-09-20T16:30:00Z"),
                    headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text
    assert r.json()["received_on"] == "2026-09-21"


def test_other_units_never_see_a_request(client, world) -> None:
    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    assert client.get(f"/api/v1/requests/{rid}", headers=auth(world, "env_clerk")).status_code == 404
    assert client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept"},
                       headers=auth(world, "env_approver")).status_code == 404
    # The supervising office's assessor sees the units below it.
    assert client.get(f"/api/v1/requests/{rid}", headers=auth(world, "assessor")).status_code == 200
    assert client.get("/api/v1/requests", headers=auth(world, "env_clerk")).json() == []


def test_login_required(client, world) -> None:
    assert client.get("/api/v1/requests").status_code == 401
    assert client.get("/api/v1/requests", headers={"Authorization": "Bearer nope"}).status_code == 401
    assert client.get("/healthz").status_code == 200


def test_bad_fields_get_422_naming_the_field(client, world) -> None:
    bad_id = register_body(applicant={"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                                      "id_number": "110105194912310021"})
    r = client.post("/api/v1/requests", json=bad_id, headers=auth(world, "clerk"))
    assert r.status_code == 422
    assert "id_number" in r.json()["detail"][0]["loc"]
    r = client.post("/api/v1/requests", json=register_body(channel="email"), headers=auth(world, "clerk"))
    assert r.status_code == 422
    assert "confirmed_on" in r.json()["detail"][0]["loc"]
    r = client.post("/api/v1/requests", json=register_body(channel="pigeon"), headers=auth(world, "clerk"))
    assert r.status_code == 422
    assert "channel" in str(r.json()["detail"][0]["loc"])
    # Nothing half-written: no number was used up by the refused registrations.
    ok = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()
    assert ok["number"] == "常住建依申〔2026〕1号"


def test_action_not_allowed_is_409_naming_state_action_and_allowed(client, world) -> None:
    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    r = client.post(f"/api/v1/requests/{rid}/actions", json={"action": "archive", "on": "2026-09-22"},
                    headers=auth(world, "handler"))
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert detail["state"] == "registered"
    assert detail["action"] == "archive"
    assert "accept" in detail["allowed"]
    r = client.post(f"/api/v1/requests/{rid}/actions", json={"action": "fly"}, headers=auth(world, "handler"))
    assert r.status_code in (409, 422)


def test_extension_once_and_only_by_an_approver(client, world) -> None:
    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    assert client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                       headers=auth(world, "handler")).status_code == 200
    ext = {"action": "extend", "notified_on": "2026-10-20", "days": 20, "reason": "需要调取档案", "seal_confirmed": True}
    r = client.post(f"/api/v1/requests/{rid}/actions", json=ext, headers=auth(world, "handler"))
    assert r.status_code == 409
    r = client.post(f"/api/v1/requests/{rid}/actions", json=ext, headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    # 2026-10-26 was the 20th working day; 20 more: 10/27–10/30 (4), 11/2–11/6 (9), 11/9–11/13 (14),
    # 11/16–11/20 (19), 11/23 (20).
    assert r.json()["due_on"] == "2026-11-23"
    assert r.json()["clock"]["extended"] is True
    again = client.post(f"/api/v1/requests/{rid}/actions", json=ext, headers=auth(world, "approver"))
    assert again.status_code == 409
    too_long = client.post(f"/api/v1/requests/{rid}/actions",
                           json={**ext, "days": 21}, headers=auth(world, "approver"))
    assert too_long.status_code in (409, 422)


def test_idempotency_key_registers_once(client, world) -> None:
    headers = {**auth(world, "clerk"), "Idempotency-Key": "desk-42"}
    first = client.post("/api/v1/requests", json=register_body(), headers=headers)
    again = client.post("/api/v1/requests", json=register_body(), headers=headers)
    assert first.status_code == 201 and again.status_code == 200
    assert first.json()["id"] == again.json()["id"]
    other = client.post("/api/v1/requests", json=register_body(description="别的"), headers=headers)
    assert other.status_code == 409
    listed = client.get("/api/v1/requests", headers=auth(world, "clerk"))
    assert listed.headers["X-Total-Count"] == "1"


def test_event_chain_verifies_and_detects_tampering(client, world, db_url) -> None:
    from typer.testing import CliRunner

    from service.cli import app
    from service.db import get_engine

    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    with get_engine(db_url).begin() as conn:
        conn.execute(text("UPDATE request_event SET kind = 'withdrawn' WHERE seq = 2"))
    broken = runner.invoke(app, ["audit", "verify"])
    assert broken.exit_code == 1
    assert "常住建依申〔2026〕1号" in broken.output


def test_clock_replays_as_of_an_earlier_day(client, world) -> None:
    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    client.post(f"/api/v1/requests/{rid}/actions",
                json={"action": "extend", "notified_on": "2026-10-20", "days": 20, "reason": "需要调取档案",
                      "seal_confirmed": True}, headers=auth(world, "approver"))
    now = client.get(f"/api/v1/requests/{rid}", headers=auth(world, "clerk")).json()
    before = client.get(f"/api/v1/requests/{rid}", params={"as_of": "2026-10-19"},
                        headers=auth(world, "clerk")).json()
    assert (now["due_on"], now["clock"]["extended"]) == ("2026-11-23", True)
    # On 10/19 no extension had been notified: due 10/26, 15 working days used (9/22–10/19), 5 left.
    assert (before["due_on"], before["clock"]["extended"]) == ("2026-10-26", False)
    assert (before["clock"]["days_used"], before["clock"]["days_left"]) == (15, 5)
    assert [e["kind"] for e in before["events"]] == ["registered", "accepted"]
    assert client.get(f"/api/v1/requests/{rid}", params={"as_of": "yesterday"},
                      headers=auth(world, "clerk")).status_code == 422


def test_recorded_events_cannot_be_edited_through_the_orm(client, world, db_url) -> None:
    import pytest as _pytest
    from sqlmodel import select

    from service.db import transaction
    from service.requests.models import RequestEvent
    from workflow.errors import Conflict

    client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk"))
    with _pytest.raises(Conflict), transaction(db_url) as session:
        row = session.exec(select(RequestEvent)).first()
        row.kind = "withdrawn"
        session.add(row)
        session.flush()


def test_actions_in_the_short_form_of_design_md(client, world) -> None:
    """`extend {notified_on, days}`, `set_deadline {due_on, notified_on}` and a 不予公开 reply whose
    `reason` is the category number 1–8 work as DESIGN.md writes them."""
    def new() -> int:
        rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
        client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                    headers=auth(world, "handler"))
        return rid

    a = new()
    r = client.post(f"/api/v1/requests/{a}/actions", headers=auth(world, "approver"),
                    json={"action": "extend", "notified_on": "2026-10-12", "days": 5, "seal_confirmed": True})
    assert r.status_code == 200, r.text
    # 10/26 + 5 working days: 10/27–10/30 (4), 11/2 (5).
    assert r.json()["due_on"] == "2026-11-02"
    b = new()
    r = client.post(f"/api/v1/requests/{b}/actions", headers=auth(world, "approver"),
                    json={"action": "set_deadline", "due_on": "2026-12-31", "notified_on": "2026-10-12",
                          "seal_confirmed": True})
    assert r.status_code == 200, r.text
    assert r.json()["due_on"] == "2026-12-31"
    c = new()
    r = client.post(f"/api/v1/requests/{c}/actions", headers=auth(world, "approver"),
                    json={"action": "reply", "decision": "withhold", "reason": 3, "issued_on": "2026-10-15",
                          "served_on": "2026-10-15", "service_method": "post", "seal_confirmed": True})
    assert r.status_code == 200, r.text
    letters = client.get(f"/api/v1/requests/{c}/letters", headers=auth(world, "approver")).json()
    reply = next(x for x in letters if x["kind"] == "reply")
    html = client.get(f"/api/v1/letters/{reply['id']}/html", headers=auth(world, "approver")).text
    # The category's sentence, never the annual report's label ("危及“三安全一稳定”") as a reason.
    assert "危及国家安全、公共安全、经济安全、社会稳定" in html and "三安全一稳定" not in html
    assert "第十四条" in html and "行政复议" in html


def test_typed_text_ending_in_a_full_stop_is_not_doubled(client, world) -> None:
    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    r = client.post(f"/api/v1/requests/{rid}/actions", headers=auth(world, "approver"),
                    json={"action": "reply", "decision": "already_public", "issued_on": "2026-09-30",
                          "access_route": "本机关门户网站“政府信息公开”栏目。", "seal_confirmed": True})
    assert r.status_code == 200, r.text
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "approver")).json()
    reply = next(x for x in letters if x["kind"] == "reply")
    html = client.get(f"/api/v1/letters/{reply['id']}/html", headers=auth(world, "approver")).text
    assert "栏目。" in html and "。。" not in html


def test_nul_characters_are_refused_with_422(client, world) -> None:
    r = client.get("/api/v1/requests", params={"q": "a\x00b"}, headers=auth(world, "clerk"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["query", "q"]
    body = register_body(description="申请\x00公开")
    r = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk"))
    assert r.status_code in (201, 422)  # SQLite stores it; PostgreSQL cannot, and says so with 422


def test_clock_explanation_names_every_skipped_day(client, world) -> None:
    rid = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()["id"]
    got = client.get(f"/api/v1/requests/{rid}/clock", headers=auth(world, "clerk")).json()
    assert (got["start"], got["due_on"]) == ("2026-09-21", "2026-10-26")
    days = {d["date"]: d for d in got["days"]}
    assert days["2026-09-22"]["ordinal"] == 1
    assert (days["2026-09-25"]["counted"], days["2026-09-25"]["reason"], days["2026-09-25"]["label"]) == (
        False, "holiday", "中秋节")
    assert days["2026-10-10"]["counted"] is True  # Saturday make-up working day (国庆节调休)
    assert days["2026-10-11"]["reason"] == "weekend"
    assert days["2026-10-26"]["ordinal"] == 20
    assert sum(d["counted"] for d in got["days"]) == 20
    assert client.get(f"/api/v1/requests/{rid}/clock", headers=auth(world, "env_clerk")).status_code == 404
