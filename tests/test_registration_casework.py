"""Registration as offices do it: EMS number of a postal request, the receipt dated the day it is issued
with the receipt date inside, the signature line and the agent on it, search by ID number however typed,
and earlier requests by the same applicant or with near-identical content."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.conftest import auth

PERSON = {"kind": "natural_person", "name": "张三", "id_type": "resident_id", "id_number": "11010519491231002X",
          "phone": "13900000000"}


def body(**over: object) -> dict:
    b = {"applicant": PERSON, "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
         "description": "申请公开某小区旧城改造项目的立项批复文件"}
    b.update(over)
    return b


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


def _receipt_html(client, world, rid: int) -> tuple[dict, str]:  # type: ignore[no-untyped-def]
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()
    receipt = next(x for x in letters if x["kind"] == "receipt")
    return receipt, client.get(f"/api/v1/letters/{receipt['id']}/html", headers=auth(world, "clerk")).text


@pytest.mark.usefixtures("today")
def test_postal_request_with_ems_number_and_receipt_dated_the_day_issued(client, world) -> None:
    h = auth(world, "clerk")
    r = client.post("/api/v1/requests", json=body(channel="registered_post", ems_number="ea123456785cn"), headers=h)
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["events"][0]["data"]["ems_number"] == "EA123456785CN"
    receipt, html = _receipt_html(client, world, got["id"])
    # Issued today (10/20), stating the receipt date (9/21) inside; no signature line for a postal request.
    assert receipt["issued_on"] == "2026-10-20"
    assert "2026年9月21日" in html and "EA123456785CN" in html and "申请人签收" not in html
    bad = client.post("/api/v1/requests", json=body(channel="registered_post", ems_number="EMS-1"), headers=h)
    assert bad.status_code == 422 and bad.json()["detail"][0]["code"] == "service.ems_malformed"
    wrong = client.post("/api/v1/requests", json=body(ems_number="EA123456785CN"), headers=h)
    assert wrong.status_code == 422 and wrong.json()["detail"][0]["code"] == "service.ems_only_for_post"


@pytest.mark.usefixtures("today")
def test_in_person_receipt_has_a_signature_line(client, world) -> None:
    rid = client.post("/api/v1/requests", json=body(), headers=auth(world, "clerk")).json()["id"]
    _, html = _receipt_html(client, world, rid)
    assert "申请人签收" in html


@pytest.mark.usefixtures("today")
def test_search_by_id_number_however_typed_and_similar_requests(client, world) -> None:
    h = auth(world, "clerk")
    first = client.post("/api/v1/requests", json=body(), headers=h).json()
    second = client.post("/api/v1/requests", json=body(
        applicant={**PERSON, "id_number": "11010519491231002x"}, description="请公开立项批复"), headers=h).json()
    other = client.post("/api/v1/requests", json=body(
        applicant={**PERSON, "name": "李四", "id_number": "110101199003077777"},
        description="申请公开某小区旧城改造项目的立项批复文件。"), headers=h)
    assert other.status_code in (201, 422)
    # Search by the ID number typed with a lower-case x and spaces finds both requests of the person.
    found = client.get("/api/v1/requests", params={"q": "110105 19491231 002x"}, headers=h).json()
    assert {x["number"] for x in found} >= {first["number"], second["number"]}
    similar = client.get(f"/api/v1/requests/{second['id']}/similar", headers=h).json()
    assert any(s["number"] == first["number"] and s["same_applicant"] for s in similar)
    # A stranger's near-identical request is listed too (content similarity), on the case page as well.
    stranger = client.post("/api/v1/requests", json=body(
        applicant={**PERSON, "name": "王五", "id_type": "passport", "id_number": "E12345678"}), headers=h).json()
    similar = client.get(f"/api/v1/requests/{stranger['id']}/similar", headers=h).json()
    hit = next(s for s in similar if s["number"] == first["number"])
    assert not hit["same_applicant"] and hit["similarity"] >= 85
    from tests.test_web import login

    login(client, "clerk")
    page = client.get(f"/requests/{stranger['id']}").text
    assert "相关的既往申请" in page and first["number"] in page
