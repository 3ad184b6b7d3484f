"""Information processing fees under 国办函〔2020〕109号: 按件 per applicant per natural month, 按量 per page,
one method per request, counts from the records (the same person across ID spellings), the fee notice's
arithmetic, waivers, and methods a unit has not enabled."""

from __future__ import annotations

from decimal import Decimal

import pytest
from freezegun import freeze_time

from tests.conftest import auth
from workflow import fees
from workflow.errors import InvalidField
from workflow.identity import id_key


@pytest.mark.parametrize(("nth", "yuan"), [
    (1, 0), (10, 0),          # 1st–10th of the month: free
    (11, 100), (30, 100),     # 11th–30th: 100 元 each
    (31, 200), (40, 200),     # 31st–40th: the first further band of 10, +100 → 200 元
    (41, 300), (50, 300),     # 41st–50th: +100 again → 300 元
    (51, 400),
])
def test_per_item_bands(nth: int, yuan: int) -> None:
    assert fees.per_item_rate(nth) == yuan
    assert fees.per_item(nth).total == Decimal(yuan)


def test_per_volume_each_rate_applies_within_its_band() -> None:
    # 30 pages: all within the free band → 0.
    assert fees.per_volume(30).total == 0
    # 31 pages: 30 free + 1 × 10 = 10.
    assert fees.per_volume(31).total == 10
    # 100 pages: 30 free + 70 × 10 = 700.
    assert fees.per_volume(100).total == 700
    # 250 pages: 30 free + 70 × 10 (700) + 100 × 20 (2000) + 50 × 40 (2000) = 4700.
    q = fees.per_volume(250)
    assert q.total == 4700
    assert q.lines == ("第1–30页共30页不收费", "第31–100页共70页 × 10元 = 700元", "第101–200页共100页 × 20元 = 2000元",
                       "第201–250页共50页 × 40元 = 2000元", "合计：4700元")


def test_one_method_per_request() -> None:
    with pytest.raises(InvalidField) as err:
        fees.quote("per_item", monthly_count=11, pages=40)
    assert err.value.code == "fee.one_method"
    with pytest.raises(InvalidField) as err:
        fees.quote("both", pages=40)
    assert err.value.field == "fee_method"


def test_the_same_person_across_id_spellings() -> None:
    assert id_key("11010519491231002x") == id_key(" 110105 19491231 002X ") == "11010519491231002X"
    # The first-generation 15-digit number of the same person (birth 491231, no century, no check digit).
    assert id_key("110105491231002") == "11010519491231002X"
    assert id_key("１１０１０５１９４９１２３１００２Ｘ") == "11010519491231002X"  # full-width


# --- through the API ----------------------------------------------------------------------------------

PERSON = {"kind": "natural_person", "name": "张三", "id_type": "resident_id", "id_number": "11010519491231002X",
          "phone": "13900000000"}


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


def _register(client, world, day: str, applicant: dict | None = None) -> int:  # type: ignore[no-untyped-def]
    body = {"applicant": applicant or PERSON, "channel": "in_person", "arrival_at": f"{day}T10:00:00+08:00",
            "description": f"{day} 申请的文件"}
    r = client.post("/api/v1/requests", json=body, headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text
    rid = r.json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": day}, headers=auth(world, "clerk"))
    return rid


def _fee(client, world, rid: int, **body: object):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/requests/{rid}/actions", headers=auth(world, "handler"),
                       json={"action": "issue_fee_notice", "sent_on": "2026-10-20", "seal_confirmed": True, **body})


@pytest.mark.usefixtures("today")
def test_per_item_counts_the_natural_month_from_the_records(client, world) -> None:
    # One request on 9/30 (September: does not count for October), then 11 in October, two of them with the
    # ID typed another way: lower-case x, and the old 15-digit number recorded as "other".
    _register(client, world, "2026-09-30")
    october = []
    for i in range(11):
        applicant = dict(PERSON)
        if i == 3:
            applicant["id_number"] = "11010519491231002x"
        if i == 7:
            applicant.update(id_type="other", id_number="110105491231002")
        october.append(_register(client, world, f"2026-10-{8 + i:02d}"))
        if i in (3, 7):  # re-register with the other spelling in place of the plain one
            october[-1] = _register(client, world, f"2026-10-{8 + i:02d}", applicant)
    # Registered in October: 11 plain + 2 other spellings = 13 requests of the same person. The request of
    # 10/08 is the 1st → free; the last one (10/18, registered 13th) is the 13th → 100 元.
    r = _fee(client, world, october[0], fee_method="per_item")
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "fee.nothing_to_charge"
    r = _fee(client, world, october[-1], fee_method="per_item")
    assert r.status_code == 200, r.text
    event = r.json()["events"][-1]
    assert event["kind"] == "fee_notice_issued"
    assert (event["data"]["count"], event["data"]["amount_yuan"]) == (13, "100.00")
    letters = client.get(f"/api/v1/requests/{october[-1]}/letters", headers=auth(world, "clerk")).json()
    html = client.get(f"/api/v1/letters/{letters[-1]['id']}/html", headers=auth(world, "clerk")).text
    # The notice prints the method, the count, the arithmetic, how to pay and by when.
    assert "计算方式：按件计收；本月第13件申请：1件×100元＝100元。" in html
    assert "缴纳方式：" in html and "100.00" in html
    # A hand-typed amount that disagrees with the rules is refused.
    r = _fee(client, world, october[-2], fee_method="per_item", amount_yuan="50")
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "fee.amount_mismatch"


@pytest.mark.usefixtures("today")
def test_per_volume_reduction_waiver_and_disabled_method(client, world, monkeypatch) -> None:
    rid = _register(client, world, "2026-10-12")
    # 120 pages: 30 free + 70 × 10 (700) + 20 × 20 (400) = 1100; reduced by 100 → 1000.
    r = _fee(client, world, rid, fee_method="per_volume", pages=120, reduction_yuan="100")
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "fee.waiver_reason_required"
    r = _fee(client, world, rid, fee_method="per_volume", pages=120, reduction_yuan="100", waiver_reason="部分材料重复")
    assert r.status_code == 200, r.text
    assert r.json()["events"][-1]["data"]["amount_yuan"] == "1000.00"
    # A full waiver, recorded with its reason (no notice): 50 pages → 30 free + 20 × 10 = 200 waived.
    other = _register(client, world, "2026-10-13")
    r = client.post(f"/api/v1/requests/{other}/actions", headers=auth(world, "handler"),
                    json={"action": "waive_fee", "fee_method": "per_volume", "pages": 50, "waiver_reason": "低保户"})
    assert r.status_code == 200 and r.json()["events"][-1]["data"]["total_yuan"] == "200"
    again = _fee(client, world, other, fee_method="per_volume", pages=50)
    assert again.status_code == 409 and again.json()["detail"]["code"] == "fee.already_waived"
    # A unit that enabled only 按件: 按量 is refused with 422.
    base = fees.rules()
    monkeypatch.setattr(fees, "rules", lambda: {**base, "units": {"housing": ["per_item"]}})
    third = _register(client, world, "2026-10-14")
    r = _fee(client, world, third, fee_method="per_volume", pages=120)
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "fee.method_not_enabled"
