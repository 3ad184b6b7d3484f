"""Void and reissue (作废/重新出具): POST /letters/{id}/supersede and the desk's letter page."""

from __future__ import annotations

import pytest
from freezegun import freeze_time
from sqlmodel import select

from tests.conftest import auth

BODY = {"applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                      "id_number": "11010519491231002X", "phone": "13900000000"},
        "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00", "description": "某小区的立项批复"}


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


def _replied(client, world) -> tuple[int, int]:  # type: ignore[no-untyped-def]
    rid = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    r = client.post(f"/api/v1/requests/{rid}/actions", headers=auth(world, "approver"),
                    json={"action": "reply", "decision": "disclose", "disclosure": "可至本机关档案室查阅立项批复（一）", "issued_on": "2026-10-10",
                          "seal_confirmed": True})
    assert r.status_code == 200, r.text
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()
    return rid, next(x["id"] for x in letters if x["kind"] == "reply")


@pytest.mark.usefixtures("today")
def test_approver_voids_a_reply_and_reissues_it_with_a_new_number(client, world, db_url) -> None:
    rid, reply = _replied(client, world)
    url = f"/api/v1/letters/{reply}/supersede"
    r = client.post(url, json={"reason": "附件编号有误"}, headers=auth(world, "handler"))
    assert r.status_code == 409 and r.json()["detail"]["code"] == "reissue.needs_approver"
    assert client.post(url, json={"reason": ""}, headers=auth(world, "approver")).status_code == 422
    r = client.post(url, json={"reason": "附件编号有误", "fields": {"disclosure": "可至本机关档案室查阅立项批复（二）"}, "seal_confirmed": True},
                    headers=auth(world, "approver"))
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["status"] == "作废" and got["voided_number"] == "常住建依申复〔2026〕1号"
    assert got["new_number"] == "常住建依申复〔2026〕2号"
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()
    old = next(x for x in letters if x["id"] == reply)
    new = next(x for x in letters if x["id"] == got["new_id"])
    assert old["superseded_by"] == new["id"] and new["supersedes"] == reply
    html = client.get(f"/api/v1/letters/{new['id']}/html", headers=auth(world, "clerk")).text
    assert "立项批复（二）" in html
    # Only the newest version can be voided again.
    again = client.post(url, json={"reason": "再次更正"}, headers=auth(world, "approver"))
    assert again.status_code == 409
    kinds = [e["kind"] for e in client.get(f"/api/v1/requests/{rid}", headers=auth(world, "clerk")).json()["events"]]
    assert kinds[-1] == "letter_superseded"
    # Reading: a superseded reply is one reply defect (ogi.reply_defect), keyed on the voided letter.
    from service.assessment.models import AssessmentEventRecord
    from service.db import transaction

    with transaction(db_url) as session:
        rows = session.exec(select(AssessmentEventRecord)).all()
        defects = [row for row in rows if row.kind == "ogi.reply_defect"]
        assert len(defects) == 1 and defects[0].subject == f"superseded:{reply}"


@pytest.mark.usefixtures("today")
def test_desk_letter_page_voids_and_shows_zuofei(client, world) -> None:
    from tests.test_web import login, post_form

    rid, reply = _replied(client, world)
    login(client, "approver")
    r = post_form(client, f"/letters/{reply}/supersede", {"reason": "文号引用错误", "seal_confirmed": "true"},
                  page_url=f"/letters/{reply}")
    assert r.status_code == 303
    new_page = client.get(r.headers["location"]).text
    assert "已作废" in new_page
    old_page = client.get(f"/letters/{reply}").text
    assert "作废" in old_page and "重新出具" in old_page and 'id="supersede"' not in old_page
    case_page = client.get(f"/requests/{rid}").text
    assert "作废" in case_page
