"""Issue 13 through the service: unit attributes by period (file, CLI, API, admin page), assessors'
adjustments with their trail, namespaced event keys, a request's assessment events, bad input."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

from tests.conftest import auth
from tests.test_assessment_api import submit, workflow_event

# A second office (苏州 side) with its own assessor: what one office's assessor may not touch.
OTHER_TOML = """
[[agency]]
code = "county"
name = "砀山县人民政府"
letter_prefix = "砀政依申"
reconsideration_body = "宿州市人民政府"
court = "砀山县人民法院"
contact = "0557-8000000"
type = "county_gov"
level = "county"
target_points = 8

[[agency]]
code = "county-edu"
name = "砀山县教育局"
parent = "county"
letter_prefix = "砀教依申"
reconsideration_body = "砀山县人民政府"
court = "砀山县人民法院"
contact = "0557-8000001"
type = "county_dept"

[[agency]]
code = "county-dev"
name = "砀山经济开发区管委会"
parent = "county"
letter_prefix = "砀开依申"
reconsideration_body = "砀山县人民政府"
court = "砀山县人民法院"
contact = "0557-8000002"
type = "city_dept"
target_points = 10

[[agency.changes]]
from = 2026-07-01
type = "county_gov"
target_points = 6
"""


def other_office(db_url: str, tmp_path: Path) -> dict[str, str]:
    """Import the second office's units (attributes included) and give it an assessor and an admin."""
    from service.agencies.service import import_file
    from service.db import transaction
    from service.users.service import add_user, create_token

    path = tmp_path / "other.toml"
    path.write_text(OTHER_TOML, encoding="utf-8")
    tokens = {}
    with transaction(db_url) as session:
        import_file(session=session, path=path)
        for username, role in (("county_assessor", "assessor"), ("county_admin", "admin")):
            add_user(session=session, username=username, password="correct horse", role=role, agency_code="county")
            tokens[username] = create_token(session=session, username=username)
    return {k: f"Bearer {v}" for k, v in tokens.items()}


def test_attributes_from_the_file_api_and_by_period(client, world, db_url, tmp_path) -> None:
    other = other_office(db_url, tmp_path)
    head = {"Authorization": other["county_admin"]}
    got = client.get("/api/v1/agencies/county-dev/attributes", headers=head).json()
    # The file's attributes: since always a department (target 10), from 1 July a county government (6).
    assert [(r["valid_from"], r["type"], r["target_points"]) for r in got] == [
        (None, "city_dept", 10.0), ("2026-07-01", "county_gov", 6.0)]
    # Set through the API: a level from 2026-10-01; type and target carried over from July.
    r = client.put("/api/v1/agencies/county-dev/attributes", json={"valid_from": "2026-10-01", "level": "county"},
                   headers=head)
    assert r.status_code == 200, r.text
    assert r.json()[-1] == {"valid_from": "2026-10-01", "type": "county_gov", "level": "county", "sum_parent": None,
                            "target_points": 6.0, "set_by": "county_admin"}
    # An unknown type is a 422 naming the field; another office's unit is a 404; only admins set them.
    bad = client.put("/api/v1/agencies/county-dev/attributes", json={"type": "province_gov"}, headers=head)
    assert bad.status_code == 422 and "type" in json.dumps(bad.json()) and "province_gov" in bad.text
    assert client.put("/api/v1/agencies/housing/attributes", json={"type": "county_dept"},
                      headers=head).status_code == 404
    assert client.put("/api/v1/agencies/county-dev/attributes", json={"type": "county_dept"},
                      headers={"Authorization": other["county_assessor"]}).status_code == 403
    # The scheme sees the type in force for the period: H1 a department, H2 a county government, the
    # year both (as history), with the target points in force at the period's end.
    from scoring import parse_period
    from service.assessment.service import _population
    from service.db import transaction

    with transaction(db_url) as session:
        h1 = {u.code: u for u in _population(session=session, scheme_id="zhenping-2021",
                                              period=parse_period("2026H1"))}["county-dev"]
        h2 = {u.code: u for u in _population(session=session, scheme_id="zhenping-2021",
                                              period=parse_period("2026H2"))}["county-dev"]
        year = {u.code: u for u in _population(session=session, scheme_id="zhenping-2021",
                                                period=parse_period("2026"))}["county-dev"]
    assert (h1.type, h1.params, h1.history) == ("city_dept", {"target_points": 10.0}, ())
    assert (h2.type, h2.params["target_points"]) == ("county_gov", 6.0)
    assert year.history == ((date(2026, 1, 1), "city_dept"), (date(2026, 7, 1), "county_gov"))


def test_unknown_type_in_the_agency_file_names_entry_and_field(db_url, tmp_path) -> None:
    from typer.testing import CliRunner

    from service.cli import app

    path = tmp_path / "bad.toml"
    path.write_text(OTHER_TOML.replace('type = "county_dept"', 'type = "bureau"'), encoding="utf-8")
    out = CliRunner().invoke(app, ["agency", "import", str(path)])
    assert out.exit_code != 0 and "agency[1](county-edu).type" in out.output and "bureau" in out.output
    path.write_text(OTHER_TOML.replace("from = 2026-07-01\n", ""), encoding="utf-8")
    out = CliRunner().invoke(app, ["agency", "import", str(path)])
    assert out.exit_code != 0 and "agency[2](county-dev).changes[0].from" in out.output


def test_zhenping_target_points_per_unit_through_the_service(client, world, db_url, tmp_path) -> None:
    other_office(db_url, tmp_path)
    from service.assessment.service import assign
    from service.db import transaction

    with transaction(db_url) as session:
        assign(session=session, scheme_id="zhenping-2021", office_code="county")
    # 45 late proactive disclosures in 2021: 时效性 40 → 0; total 60 → 一般 → 40% of the unit's target.
    events = [{"kind": "zhenping.proactive_late", "unit": "county-edu", "on": f"2021-{1 + i % 12:02d}-{1 + i % 28:02d}",
               "key": f"p{i}", "subject": f"p{i}"} for i in range(45)]
    submit(db_url, events)
    from service.assessment.service import results

    with transaction(db_url) as session:
        edu = results(session=session, scheme_id="zhenping-2021", period="2021", visible=None, unit="county-edu")[0]
    # county-edu has no target points: the grade's share cannot be converted, and the result says so.
    assert (edu.total, edu.grade) == (60, "一般")
    assert edu.target["points"] is None and any("目标分值未设置" in c for c in edu.consequences)
    with transaction(db_url) as session:
        from service.agencies.attributes import set_from
        from service.agencies.repository import by_code

        set_from(session=session, agency=by_code(session=session, code="county-edu"), valid_from=None,
                 change={"target_points": 5}, set_by="test")
    with transaction(db_url) as session:
        edu = results(session=session, scheme_id="zhenping-2021", period="2021", visible=None, unit="county-edu")[0]
    # 一般: 40% of 5 = 2 → 3 target points remain.
    assert edu.target["grade_deduction"] == 2 and edu.target["remaining"] == 3


def test_event_keys_are_namespaced_by_producer_and_unit(client, world, db_url, tmp_path) -> None:
    other = other_office(db_url, tmp_path)
    number = "常住建依申〔2026〕9号"
    workflow_key = f"ogi.reply_late:{number}:reply"
    # The workflow's kinds cannot be posted at all…
    r = client.post("/api/v1/assessment-events", json={"key": workflow_key, "kind": "ogi.reply_late", "unit": "housing",
                                                       "on": "2026-05-01"}, headers=auth(world, "assessor"))
    assert r.status_code == 422 and "kind" in r.text
    # …and a posted key never meets the workflow's: the sweep's real penalty is still recorded.
    body = {"key": workflow_key, "kind": "changshu.website_error", "unit": "housing", "on": "2026-05-01"}
    assert client.post("/api/v1/assessment-events", json=body, headers=auth(world, "assessor")).status_code == 201
    assert submit(db_url, [workflow_event("ogi.reply_late", "housing", number, "2026-05-02")]) == 1
    # Another office's assessor: the same key for its own unit is its own event (201, nothing revealed);
    # for our unit it is refused as an unknown unit, whether or not anything was posted under that key.
    theirs = {**body, "unit": "county-edu"}
    assert client.post("/api/v1/assessment-events", json=theirs,
                       headers={"Authorization": other["county_assessor"]}).json() == {"key": workflow_key,
                                                                                     "recorded": True}
    ours = client.post("/api/v1/assessment-events", json=body, headers={"Authorization": other["county_assessor"]})
    fresh = client.post("/api/v1/assessment-events", json={**body, "key": "never-used"},
                        headers={"Authorization": other["county_assessor"]})
    assert ours.status_code == fresh.status_code == 422 and ours.json()["detail"] == fresh.json()["detail"]
    # Entry keys likewise: the same client key on two units makes two entries.
    e = {"target": "1", "period": "2026", "amount": 0.5, "note": "x", "key": "same"}
    assert client.post("/api/v1/schemes/changshu-2020/entries", json={**e, "unit": "housing"},
                       headers=auth(world, "assessor")).status_code == 201
    assert client.post("/api/v1/schemes/changshu-2020/entries", json={**e, "unit": "county-edu"},
                       headers={"Authorization": other["county_assessor"]}).status_code == 201


def test_adjustments_bounds_and_trail(client, world, db_url) -> None:
    number = "常住建依申〔2026〕3号"
    submit(db_url, [workflow_event("ogi.reply_late", "housing", number, "2026-03-02"),
                    workflow_event("ogi.reply_late", "env", "常环依申〔2026〕4号", "2026-04-02")])
    events = client.get("/api/v1/requests/0/assessment-events", headers=auth(world, "assessor"))
    assert events.status_code == 422  # row ids start at 1
    key = f"ogi.reply_late:{number}:reply"
    head = auth(world, "assessor")
    # 临淄 (四) 根据情节酌情扣分: awaiting the assessor (0), then 2 points with a reason.
    before = client.get("/api/v1/schemes/linzi-2021/results", params={"period": "2026", "unit": "housing"},
                        headers=head).json()["units"][0]
    assert before["total"] == 100 and before["pending"] == 1
    r = client.post("/api/v1/schemes/linzi-2021/adjustments",
                    json={"event": key, "item": "y4", "amount": 2, "note": "逾期3个工作日，情节较轻"}, headers=head)
    assert r.status_code == 201, r.text
    r = client.post("/api/v1/schemes/linzi-2021/adjustments",
                    json={"event": key, "item": "y4", "amount": 3, "note": "复核：未告知延期"}, headers=head)
    got = client.get("/api/v1/schemes/linzi-2021/results", params={"period": "2026", "unit": "housing"},
                     headers=head).json()["units"][0]
    # 年终 20 − 3 (the later amount) = 17 → 97; both adjustments, with who and why, in the trail.
    assert got["total"] == 97 and got["pending"] == 0
    line = next(t for c in got["categories"] if c["id"] == "yearend" for i in c["items"] if i["id"] == "y4"
                for t in i["trail"])
    assert line["points"] == -3 and line["original"] is None
    assert [a["note"] for a in line["adjustments"]] == ["逾期3个工作日，情节较轻", "复核：未告知延期"]
    assert line["adjustments"][0]["author"] == "assessor" and "酌情" in line["clause"]
    # Bounds and kinds of item, each naming the field.
    cases = [({"item": "y4", "amount": 25}, "amount"),            # more than the year-end part's 20
             ({"item": "d3", "amount": 1}, "item"),               # d3 scores no late replies
             ({"item": "y4", "amount": 1, "note": " "}, "note")]  # a reason is required
    for change, field in cases:
        bad = client.post("/api/v1/schemes/linzi-2021/adjustments",
                          json={"event": key, "item": "y4", "amount": 1, "note": "n", **change}, headers=head)
        assert bad.status_code == 422 and field in json.dumps(bad.json()["detail"]), (change, bad.text)
    # 常熟 item 11 fixes 5 points per case (一次扣5分): no judgement, refused naming the item.
    fixed = client.post("/api/v1/schemes/changshu-2020/adjustments",
                        json={"event": key, "item": "11", "amount": 1, "note": "n"}, headers=head)
    assert fixed.status_code == 422 and "item" in fixed.text and "fixes the amount" in fixed.text
    # 宿州 七(二) is bounded by its 5%.
    over = client.post("/api/v1/schemes/suzhou-2020/adjustments",
                       json={"event": key, "item": "a7.2", "amount": 6, "note": "n"}, headers=head)
    assert over.status_code == 422 and "amount" in over.text and "5" in over.text
    # An amount on an item that takes counts: the field named.
    count = client.post("/api/v1/schemes/changshu-2020/entries",
                        json={"target": "11", "unit": "housing", "period": "2026", "amount": 3}, headers=head)
    assert count.status_code == 422 and "amount" in json.dumps(count.json()["detail"]) and "count" in count.text


def test_request_assessment_events_scoped_like_the_request(client, world, db_url) -> None:
    from tests.test_requests_api import register_body

    got = client.post("/api/v1/requests", json=register_body(), headers=auth(world, "clerk")).json()
    client.post(f"/api/v1/requests/{got['id']}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    r = client.post(f"/api/v1/requests/{got['id']}/actions",
                    json={"action": "reply", "decision": "not_exist", "issued_on": "2026-10-30",
                          "service_method": "post", "seal_confirmed": True}, headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    events = client.get(f"/api/v1/requests/{got['id']}/assessment-events", headers=auth(world, "handler"))
    assert events.status_code == 200, events.text
    kinds = {e["kind"]: e for e in events.json()}
    late = kinds["ogi.reply_late"]
    assert late["unit"] == "housing" and late["kind_name"] == "逾期答复"
    by_scheme = {(a["scheme"], a["item"]): a for a in late["affects"]}
    assert by_scheme[("changshu-2020", "11")]["points"] == -5
    assert by_scheme[("changshu-2020", "11")]["clause"] == "未在法定期限内答复的，一次扣5分"
    assert by_scheme[("linzi-2021", "y4")]["discretionary"] is True
    # Someone who may not see the request gets 404, as for the request itself.
    assert client.get(f"/api/v1/requests/{got['id']}/assessment-events",
                      headers=auth(world, "env_clerk")).status_code == 404
