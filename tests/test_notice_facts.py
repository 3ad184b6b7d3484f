"""What the fee notice and the extension notice print (text extracted from the PDF): the fee's arithmetic
band by band and how to pay, once; an extension whose new due date lies in a year without a published
holiday schedule is not promised as a firm date."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from freezegun import freeze_time

from service.letters.extract import pdf_text
from tests.conftest import auth

PERSON = {"kind": "natural_person", "name": "张三", "id_type": "resident_id", "id_number": "11010519491231002X",
          "phone": "13900000000"}


@pytest.fixture
def today(client) -> Iterator[None]:  # type: ignore[no-untyped-def]  # after the app: pydantic must not see freezegun's date
    with freeze_time("2026-12-10 02:00:00", tick=True):  # Thursday 10 December 2026, Beijing
        yield


def _accepted(client, world, day: str) -> int:  # type: ignore[no-untyped-def]
    body = {"applicant": PERSON, "channel": "in_person", "arrival_at": f"{day}T10:00:00+08:00",
            "description": f"{day} 申请的文件"}
    rid = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk")).json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": day}, headers=auth(world, "clerk"))
    return rid


def _letter_text(client, world, rid: int, kind: str) -> str:  # type: ignore[no-untyped-def]
    """The last letter of ``kind`` as printed: the PDF's text, lines joined, spaces removed."""
    h = auth(world, "clerk")
    letter = [x for x in client.get(f"/api/v1/requests/{rid}/letters", headers=h).json() if x["kind"] == kind][-1]
    text = pdf_text(client.get(f"/api/v1/letters/{letter['id']}/pdf", headers=h).content) or ""
    return re.sub(r"—\s*\d+\s*—", "", text).replace("\n", "").replace(" ", "")


def _act(client, world, rid: int, user: str = "handler", **body: object):  # type: ignore[no-untyped-def]
    r = client.post(f"/api/v1/requests/{rid}/actions", headers=auth(world, user), json={"seal_confirmed": True, **body})
    assert r.status_code == 200, r.text
    return r.json()


@pytest.mark.usefixtures("today")
def test_fee_notice_prints_the_arithmetic_and_how_to_pay_once(client, world) -> None:
    rid = _accepted(client, world, "2026-12-01")
    # 120 pages: 1–30 free; 31–100: 70 × 10 = 700; 101–120: 20 × 20 = 400; total 1100; less 100 → 1000.
    _act(client, world, rid, action="issue_fee_notice", sent_on="2026-12-10", fee_method="per_volume", pages=120,
         reduction_yuan="100", waiver_reason="部分材料重复")
    text = _letter_text(client, world, rid, "fee_notice")
    assert "金额为人民币1000.00元。" in text
    assert ("计算方式：按量计收，共120页；第1–30页：30页，不收费；第31–100页：70页×10元＝700元；"
            "第101–120页：20页×20元＝400元；合计1100元；减免100.00元（部分材料重复），应缴1000.00元。") in text
    # How to pay: the unit's office and contact, said once; by when: a period from the day after receipt.
    assert text.count("缴纳方式") == 1 and "缴费方式" not in text
    assert "请您自收到本通知书之次日起20个工作日内缴纳。缴纳方式：请持本通知书到本机关政府信息公开工作机构缴纳" in text


@pytest.mark.usefixtures("today")
def test_fee_notice_per_item_prints_the_count_and_rate(client, world) -> None:
    ids = [_accepted(client, world, f"2026-12-{d:02d}") for d in (1, 2, 3, 4, 7, 8, 9, 10)]
    ids += [_accepted(client, world, "2026-12-10") for _ in range(3)]
    # The 11th request of the month: 10 free, the 11th to 30th 100 元 each.
    _act(client, world, ids[-1], action="issue_fee_notice", sent_on="2026-12-10", fee_method="per_item")
    text = _letter_text(client, world, ids[-1], "fee_notice")
    assert "金额为人民币100.00元。计算方式：按件计收；本月第11件申请：1件×100元＝100元。" in text


@pytest.mark.usefixtures("today")
def test_extension_into_an_unpublished_year_is_not_a_firm_date(client, world) -> None:
    # Received Fri 20 Nov 2026; extended on 10 Dec by 20 working days: the new due date lies in January
    # 2027, whose holiday schedule is not published, so the clock marks it provisional.
    late = _accepted(client, world, "2026-11-20")
    out = _act(client, world, late, "approver", action="extend", notified_on="2026-12-10", days=20, reason="需要调取档案")
    assert out["clock"]["provisional"] is True
    text = _letter_text(client, world, late, "extension_notice")
    assert "答复期限延长20个工作日，本机关将在延长后的期限届满前作出答复。按现行办公日历推算" in text
    assert "所涉年度的节假日安排尚未公布" in text and "本机关将于" not in text
    # An extension wholly within 2026 (published) promises its date.
    early = _accepted(client, world, "2026-10-12")
    out = _act(client, world, early, "approver", action="extend", notified_on="2026-11-02", days=10, reason="需要调取档案")
    assert out["clock"]["provisional"] is False
    text = _letter_text(client, world, early, "extension_notice")
    assert re.search(r"答复期限延长10个工作日，本机关将于2026年\d+月\d+日前作出答复。", text)
    assert "尚未公布" not in text


@pytest.mark.usefixtures("today")
def test_receipt_names_the_agent_and_has_a_signature_line(client, world) -> None:
    body = {"applicant": {**PERSON, "representative": {"name": "李四", "phone": "13800000000"}},
            "channel": "in_person", "arrival_at": "2026-12-09T10:00:00+08:00", "description": "某项目的立项批复"}
    rid = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk")).json()["id"]
    text = _letter_text(client, world, rid, "receipt")
    assert "代理人：李四。" in text
    assert "签收" in text or "签名" in text
