"""Stage lateness on the dashboard: a case waiting past its internal deadline at 分办, 拟稿, 审核 or 签发
is flagged on the worklist row and listed with the stage and the person responsible (page test)."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from freezegun import freeze_time

from tests.conftest import auth
from tests.test_web import login

APPLICANT = {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
             "id_number": "11010519491231002X", "phone": "13900000000"}


@pytest.fixture(autouse=True)
def _today(client) -> Iterator[None]:  # type: ignore[no-untyped-def]
    # Monday 23 November 2026 (Beijing).
    with freeze_time("2026-11-23 02:00:00", tick=True):
        yield


def _accepted(client, world, arrival: str, what: str) -> tuple[int, str]:  # type: ignore[no-untyped-def]
    body = {"applicant": APPLICANT, "channel": "in_person", "arrival_at": f"{arrival}T10:00:00+08:00",
            "description": what}
    r = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk")).json()
    client.post(f"/api/v1/requests/{r['id']}/actions", json={"action": "accept", "on": arrival},
                headers=auth(world, "clerk"))
    return r["id"], r["number"]


def _row(page: str, number: str) -> str:
    found = re.search(r"<tr[^>]*>(?:(?!</tr>).)*" + re.escape(number) + r"(?:(?!</tr>).)*</tr>", page, re.S)
    assert found, f"{number} not on the worklist"
    return found.group(0)


def test_dashboard_shows_cases_past_their_internal_stage_deadline(client, world) -> None:
    A, H = auth(world, "approver"), auth(world, "handler")
    # Received Friday 30 October: working day 1 is 2 November, day 15 is 20 November, day 16 is today
    # (23 November); the statutory day 20 is 27 November, so the reply clock itself is not late.
    unassigned, n1 = _accepted(client, world, "2026-10-30", "某路段改造的立项批复")
    reviewing, n2 = _accepted(client, world, "2026-10-30", "某小区的规划许可文件")
    given_time, n3 = _accepted(client, world, "2026-10-30", "某学校的建设用地批复")
    _, n4 = _accepted(client, world, "2026-11-23", "某公园的绿化方案")
    # The reviewing case: assigned on time, drafted and submitted; housing has 法制审核 (day 15), not done.
    assert client.post(f"/api/v1/requests/{reviewing}/assign", json={"handler": "handler"}, headers=A).status_code == 201
    d = client.post(f"/api/v1/requests/{reviewing}/drafts", headers=H,
                    json={"action": "reply", "params": {"decision": "disclose", "disclosure": "可至本机关查阅"}}).json()
    assert client.post(f"/api/v1/drafts/{d['id']}/submit", headers=H).status_code == 200
    # The third case: the approver gave the handler until 30 November to draft, so 拟稿 is not late.
    r = client.post(f"/api/v1/requests/{given_time}/assign", json={"handler": "handler", "due_on": "2026-11-30"},
                    headers=A)
    assert r.status_code == 201

    assert login(client, "approver").status_code == 303
    page = client.get("/").text
    listed = re.search(r'<ul id="stage-late">(.*?)</ul>', page, re.S)
    assert listed, "no 内部办理时限逾期 list on the dashboard"
    items = listed.group(1)
    # 分办 was due on working day 1 (2 November): 15 working days late, the approver answers for it.
    assert re.search(re.escape(n1) + r"</a>：待分办（责任人：负责人），内部时限 2026年11月2日，.*已超 15 个工作日", items)
    # 审核 was due on working day 15 (20 November): one working day late, the legal reviewer's.
    assert re.search(re.escape(n2) + r"</a>：待审核（责任人：法制审核员），内部时限 2026年11月20日，.*已超 1 个工作日", items)
    assert n3 not in items and n4 not in items
    # The worklist rows carry the same flag; the others do not.
    assert "分办超内部时限" in _row(page, n1) and "审核超内部时限" in _row(page, n2)
    assert "超内部时限" not in _row(page, n3) and "超内部时限" not in _row(page, n4)
    # Internal deadlines never move the statutory one: the reply is still due on working day 20.
    case = client.get(f"/api/v1/requests/{reviewing}", headers=A).json()
    assert case["clock"]["due_on"] == "2026-11-27"
