"""Drafts and signing through the API: assign → draft → return → redraft → legal review → sign → serve by
EMS → received date → archive; who may do what; the 草稿 preview; the internal stage deadlines."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.conftest import auth

BODY = {"applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                      "id_number": "11010519491231002X", "phone": "13900000000"},
        "channel": "in_person", "arrival_at": "2026-10-12T10:00:00+08:00", "description": "某小区的规划许可文件"}


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


@pytest.fixture
def reviewer(world, db_url) -> dict[str, str]:  # type: ignore[no-untyped-def]
    from service.db import transaction
    from service.users.service import add_user, create_token

    with transaction(db_url) as session:
        add_user(session=session, username="reviewer", password="correct horse", role="reviewer", agency_code="housing")
        token = create_token(session=session, username="reviewer")
    return {"Authorization": f"Bearer {token}"}


def _accepted(client, world) -> int:  # type: ignore[no-untyped-def]
    rid = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-10-12"},
                headers=auth(world, "clerk"))
    return rid


@pytest.mark.usefixtures("today")
def test_the_whole_path_assign_draft_return_review_sign_serve_archive(client, world, reviewer) -> None:
    rid = _accepted(client, world)
    H, A, C = auth(world, "handler"), auth(world, "approver"), auth(world, "clerk")
    # 分办: only the approver; to a handler of the unit, with an internal deadline.
    assert client.post(f"/api/v1/requests/{rid}/assign", json={"handler": "handler"}, headers=H).status_code == 409
    r = client.post(f"/api/v1/requests/{rid}/assign", json={"handler": "handler", "due_on": "2026-10-26"}, headers=A)
    assert r.status_code == 201, r.text
    # 拟稿 v1: a reply whose decision lacks its own field → 422 naming it; then a valid one.
    url = f"/api/v1/requests/{rid}/drafts"
    r = client.post(url, json={"action": "reply", "params": {"decision": "disclose"}}, headers=H)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "disclosure"
    r = client.post(url, json={"action": "reply", "params": {"decision": "disclose", "disclosure": "可至本机关查阅"}}, headers=H)
    assert r.status_code == 201, r.text
    draft = r.json()
    d = f"/api/v1/drafts/{draft['id']}"
    assert (draft["status"], draft["version"]) == ("drafting", 1)
    # The preview is a PDF marked 草稿.
    pdf = client.get(f"{d}/preview.pdf", headers=H)
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    assert "草稿" in client.get(f"{d}/preview", headers=H).text
    # Nobody signs a draft not submitted; a handler cannot sign at all.
    r = client.post(f"{d}/sign", json={"seal_confirmed": True}, headers=A)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "draft.not_submitted"
    assert client.post(f"{d}/submit", headers=H).status_code == 200
    r = client.post(f"{d}/sign", json={"seal_confirmed": True}, headers=H)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "draft.sign_needs_approver"
    # This unit has 法制审核: the approver cannot sign before the reviewer approves.
    r = client.post(f"{d}/sign", json={"seal_confirmed": True}, headers=A)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "draft.needs_legal_review"
    # 退回修改 with a comment; the handler makes version 2.
    assert client.post(f"{d}/return", json={"comment": ""}, headers=reviewer).status_code == 422
    r = client.post(f"{d}/return", json={"comment": "请写明附件名称"}, headers=reviewer)
    assert r.status_code == 200 and r.json()["status"] == "drafting"
    r = client.post(d, json={"params": {"decision": "disclose", "disclosure": "可至本机关查阅规划许可证（2025）"}}, headers=H)
    assert r.status_code == 200 and r.json()["version"] == 2
    assert client.post(f"{d}/submit", headers=H).status_code == 200
    r = client.post(f"{d}/approve", json={"comment": "同意"}, headers=reviewer)
    assert r.status_code == 200 and r.json()["status"] == "approved"
    # 签发: the final letter first (no watermark), then the stamp confirmation.
    final = client.get(f"{d}/preview?final=true", headers=A).text
    assert "草稿" not in final and "规划许可证（2025）" in final
    r = client.post(f"{d}/sign", json={"seal_confirmed": False}, headers=A)
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "draft.stamp_not_confirmed"
    r = client.post(f"{d}/sign", json={"seal_confirmed": True}, headers=A)
    assert r.status_code == 200, r.text
    signed = r.json()
    assert signed["status"] == "signed" and signed["letter_id"]
    stages = [s["stage"] for s in signed["steps"]]
    assert stages == ["draft", "return", "draft", "review", "sign"]
    case = client.get(f"/api/v1/requests/{rid}", headers=C).json()
    assert case["status"] == "replied"
    letter = client.get(f"/api/v1/letters/{signed['letter_id']}", headers=C).json()
    assert letter["number"] == "常住建依申复〔2026〕1号"
    # A signed draft cannot be edited (only its letter superseded).
    r = client.post(d, json={"params": {"decision": "disclose", "disclosure": "改"}}, headers=H)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "draft.signed"
    # Served by EMS, then the received date; then archive.
    s = f"/api/v1/letters/{signed['letter_id']}/service"
    assert client.post(s, json={"method": "post", "ems_number": "EA123456785CN"}, headers=C).status_code == 201
    assert client.post(f"{s}/receipt", json={"received_on": "2026-10-20"}, headers=C).status_code == 200
    r = client.post(f"/api/v1/requests/{rid}/actions", json={"action": "archive"}, headers=H)
    assert r.status_code == 200 and r.json()["status"] == "archived"
    # The timeliness report attributes each stage to its person (internal deadlines only).
    report = {(x["person"], x["stage"]): x for x in client.get("/api/v1/reports/timeliness", headers=A).json()}
    assert report[("handler", "draft")]["done"] == 2 and report[("reviewer", "review")]["done"] == 1
    assert report[("approver", "sign")]["done"] == 1 and report[("approver", "assign")]["done"] == 1


@pytest.mark.usefixtures("today")
def test_a_draft_for_an_action_the_case_does_not_allow_now_is_409(client, world) -> None:
    rid = _accepted(client, world)
    r = client.post(f"/api/v1/requests/{rid}/drafts", headers=auth(world, "handler"),
                    json={"action": "receive_payment"})
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "draft.not_draftable"
    client.post(f"/api/v1/requests/{rid}/actions", headers=auth(world, "handler"),
                json={"action": "request_correction", "items": ["文件名称"], "seal_confirmed": True})
    r = client.post(f"/api/v1/requests/{rid}/drafts", headers=auth(world, "handler"),
                    json={"action": "extend", "params": {"days": 10}})
    assert r.status_code == 409
    detail = r.json()["detail"]
    assert (detail["state"], detail["action"]) == ("awaiting_correction", "extend")
    # The clerk does not draft.
    r = client.post(f"/api/v1/requests/{rid}/drafts", headers=auth(world, "clerk"),
                    json={"action": "reply", "params": {"decision": "not_exist"}})
    assert r.status_code == 409


@pytest.mark.usefixtures("today")
def test_a_disabled_account_cannot_be_assigned_a_case_nor_is_it_offered(client, world, db_url) -> None:
    from service.db import transaction
    from service.users.service import add_user, set_active
    from tests.test_web import login

    with transaction(db_url) as session:
        add_user(session=session, username="leaver", password="correct horse", role="handler", agency_code="housing")
        set_active(session=session, username="leaver", active=False, actor="cli:test")
    rid = _accepted(client, world)
    r = client.post(f"/api/v1/requests/{rid}/assign", json={"handler": "leaver"}, headers=auth(world, "approver"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"][-1] == "handler", r.text
    login(client, "approver")
    page = client.get(f"/requests/{rid}").text
    offered = page.split('id="assign-form"', 1)[1].split("</form>", 1)[0]
    assert 'value="handler"' in offered and 'value="leaver"' not in offered
