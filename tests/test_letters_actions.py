"""Every action that sends a letter, end to end through the REST API on SQLite and PostgreSQL.

Each one, given plausible fields and ``seal_confirmed: true`` (no electronic seal is configured in
tests, so the wet stamp must be confirmed), must succeed and leave a numbered letter in
``GET /requests/{id}/letters`` whose recorded element check is complete. A mismatch between the
fields the machine puts on a letter order and what the letter check requires shows up here as a 409.
"""

from __future__ import annotations

from typing import Any

import pytest
from freezegun import freeze_time

from service.letters.samples import DECISION_FIELDS
from tests.conftest import auth
from workflow.replies import DECISIONS

# "Today": 2026-10-20 10:00 Beijing. The request arrives Mon 2026-09-21 and is due 2026-10-26
# (tests/test_requests_api.py counts the 20 working days by hand).
pytestmark = pytest.mark.usefixtures("beijing_2026_10_20")

BODY = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"},
    "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
    "description": "申请公开某小区旧城改造项目的立项批复文件",
}
SEAL = {"seal_confirmed": True}


@pytest.fixture
def beijing_2026_10_20(client):  # type: ignore[no-untyped-def]  # after the app: pydantic must not see freezegun's date
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


class Desk:
    """One request driven through the API by the housing bureau's staff."""

    def __init__(self, client: Any, world: Any) -> None:
        self.client, self.world = client, world
        r = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk"))
        assert r.status_code == 201, r.text
        self.id = r.json()["id"]

    def do(self, user: str, action: str, **params: Any) -> dict:
        """Perform an action that must succeed; return the request JSON."""
        r = self.post(user, action, **params)
        assert r.status_code == 200, f"{action}: {r.status_code} {r.text}"
        return r.json()

    def post(self, user: str, action: str, **params: Any) -> Any:
        """Perform an action; return the raw response."""
        return self.client.post(f"/api/v1/requests/{self.id}/actions", json={"action": action, **params},
                                headers=auth(self.world, user))

    def attach_released(self, pages: int) -> None:
        """Upload the released documents (公开的信息) a disclosing reply says it encloses."""
        from tests.files_support import pdf_bytes

        r = self.client.post(f"/api/v1/requests/{self.id}/attachments", data={"kind": "released"},
                             files={"file": ("released.pdf", pdf_bytes(pages), "application/pdf")},
                             headers=auth(self.world, "clerk"))
        assert r.status_code == 201, r.text

    def letters(self) -> list[dict]:
        """The request's letters as the API lists them."""
        r = self.client.get(f"/api/v1/requests/{self.id}/letters", headers=auth(self.world, "handler"))
        assert r.status_code == 200, r.text
        return r.json()

    def last_letter(self, kind: str) -> dict:
        """The newest letter, which must be of ``kind``, numbered and complete as issued."""
        newest = self.letters()[-1]
        assert newest["kind"] == kind, newest
        assert newest["number"] and "〔2026〕" in newest["number"], newest
        one = self.client.get(f"/api/v1/letters/{newest['id']}", headers=auth(self.world, "handler")).json()
        assert one["check"]["missing"] == [], one["check"]
        assert one["seal_confirmed"] is True and one["forced"] is False
        return one


def test_correction_notice_after_accept(client, world) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    desk.do("handler", "request_correction", sent_on="2026-09-23", items=["所需文件的文号或年份"], **SEAL)
    letter = desk.last_letter("correction_notice")
    assert letter["number"] == "常住建依申补〔2026〕1号" and letter["addressee"] == "张三"


@pytest.mark.parametrize("kind", ["third_party", "agency"])
def test_consultation_letter_of_either_kind(client, world, kind: str) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    party = "常熟某置业有限公司" if kind == "third_party" else "常熟市自然资源和规划局"
    got = desk.do("handler", "start_consultation", sent_on="2026-09-23", party=party, kind=kind, **SEAL)
    assert got["status"] == "consulting"
    letter = desk.last_letter("consultation")
    assert letter["addressee"] == party
    html = client.get(f"/api/v1/letters/{letter['id']}/html", headers=auth(world, "handler")).text
    assert ("第三十四条" if kind == "agency" else "第三十二条") in html


def test_third_party_told_why_the_agency_discloses_over_its_objection(client, world) -> None:  # type: ignore[no-untyped-def]
    """Art. 32 scenario: the third party objects, the agency discloses anyway and must say why."""
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    desk.do("handler", "start_consultation", sent_on="2026-09-23", party="常熟某置业有限公司", **SEAL)
    before = desk.letters()
    objection = "不同意公开，批复附件含本公司商业秘密"
    decision = {"on": "2026-09-29", "opinion": objection, "disclose_anyway": True, **SEAL}

    # The reason is what the letter tells the third party: without it nothing is recorded (422 names it).
    r = desk.post("handler", "end_consultation", **decision)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "reason"], r.text
    # Silence is not an objection: there is nothing to disclose "over".
    r = desk.post("handler", "end_consultation", **{**decision, "opinion": None, "reason": "公共利益"})
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "opinion"], r.text
    # Deciding to disclose over an objection is not the front desk's call.
    r = desk.post("clerk", "end_consultation", **decision, reason="公共利益")
    assert r.status_code == 409 and "handler or approver" in r.json()["detail"]["message"], r.text
    # Without a confirmed stamp the letter is incomplete: 409 listing the seal, nothing applied.
    r = desk.post("handler", "end_consultation", **{**decision, "seal_confirmed": False}, reason="公共利益")
    assert r.status_code == 409 and r.json()["detail"]["missing"] == ["seal"], r.text
    assert desk.letters() == before
    assert client.get(f"/api/v1/requests/{desk.id}", headers=auth(world, "clerk")).json()["status"] == "consulting"

    reason = "该批复涉及公共财政资金使用和居民切身利益，不公开可能对公共利益造成重大影响"
    got = desk.do("handler", "end_consultation", **decision, reason=reason)
    assert got["status"] == "reviewing"
    letter = desk.last_letter("third_party_opinion")
    assert letter["number"] == "常住建依申告〔2026〕1号" and letter["addressee"] == "常熟某置业有限公司"
    html = client.get(f"/api/v1/letters/{letter['id']}/html", headers=auth(world, "handler")).text
    # The objection is printed without echoing the sentence's own "不同意公开" (text:echo).
    assert "您不同意公开，理由为：批复附件含本公司商业秘密" in html and reason in html and "第三十二条" in html
    assert "常熟市人民政府" in html  # the third party may seek review of the decision to disclose

    # The reply then states the consultation pause and goes out complete (with the 3 pages it encloses).
    desk.attach_released(3)
    desk.do("approver", "reply", decision="disclose", issued_on="2026-10-20", service_method="post",
            disclosure="立项批复文件共3页，随本答复书邮寄提供", **SEAL)
    desk.last_letter("reply")


@pytest.mark.parametrize("params", [{}, {"opinion": "同意公开"}, {"opinion": "不同意公开", "objected": True}])
def test_no_third_party_letter_after_silence_consent_or_a_respected_objection(client, world, params) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    desk.do("handler", "start_consultation", sent_on="2026-09-23", party="常熟某置业有限公司", **SEAL)
    count = len(desk.letters())
    got = desk.do("clerk", "end_consultation", on="2026-09-29", **params)
    assert got["status"] == "reviewing"
    assert len(desk.letters()) == count


def test_extension_notice(client, world) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    got = desk.do("approver", "extend", notified_on="2026-10-20", days=20, reason="需要调取档案核实", **SEAL)
    assert got["due_on"] == "2026-11-23"
    letter = desk.last_letter("extension_notice")
    html = client.get(f"/api/v1/letters/{letter['id']}/html", headers=auth(world, "handler")).text
    assert "2026年10月26日" in html and "2026年11月23日" in html and "需要调取档案核实" in html


def test_fee_notice(client, world) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    got = desk.do("handler", "issue_fee_notice", sent_on="2026-09-23", amount_yuan="200", **SEAL)
    assert got["status"] == "awaiting_fee"
    letter = desk.last_letter("fee_notice")
    html = client.get(f"/api/v1/letters/{letter['id']}/html", headers=auth(world, "handler")).text
    assert "200.00" in html


def test_request_for_reasons_then_art35_deadline(client, world) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    desk.do("handler", "request_reasons", sent_on="2026-09-23", reason="2026年提出同类申请120件", **SEAL)
    desk.last_letter("reasons_request")
    got = desk.do("approver", "set_deadline", notified_on="2026-10-20", due_on="2026-12-31",
                  reason="申请人说明了理由，但所需信息量大", **SEAL)
    assert got["due_on"] == "2026-12-31"
    letter = desk.last_letter("extension_notice")
    assert letter["title"] == "政府信息公开申请答复期限告知书"  # the Art. 35 variant of the notice
    html = client.get(f"/api/v1/letters/{letter['id']}/html", headers=auth(world, "handler")).text
    assert "第三十五条" in html and "2026年12月31日" in html


def _reply_path(desk: Desk, code: str) -> None:
    """The steps that plausibly come before a reply of decision ``code``."""
    desk.do("clerk", "accept", on="2026-09-22")
    if code == "still_unclear":  # only after a correction that did not make it clear
        desk.do("handler", "request_correction", sent_on="2026-09-23", items=["所需文件的名称"], **SEAL)
        desk.do("clerk", "receive_correction", received_on="2026-09-28")
    elif code == "excessive":  # only after asking for reasons (Art. 35)
        desk.do("handler", "request_reasons", sent_on="2026-09-23", **SEAL)
    elif code in ("partial", "withhold"):  # a third party was consulted and objected
        desk.do("handler", "start_consultation", sent_on="2026-09-23", party="常熟某置业有限公司", **SEAL)
        desk.do("clerk", "end_consultation", on="2026-09-29", opinion="不同意公开，涉及商业秘密", objected=True)


@pytest.mark.parametrize("code", list(DECISIONS))
def test_reply_of_every_decision(client, world, code: str) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    _reply_path(desk, code)
    if code == "disclose":  # the sample reply encloses 3 pages: they must be attached
        desk.attach_released(3)
    got = desk.do("approver", "reply", decision=code, issued_on="2026-10-20", service_method="post",
                  **DECISION_FIELDS[code], **SEAL)
    assert got["status"] == "replied"
    letter = desk.last_letter("reply")
    assert letter["number"] == "常住建依申复〔2026〕1号" and letter["decision"] == code


@pytest.mark.parametrize("code, step", [("still_unclear", "request_correction"), ("excessive", "request_reasons")])
def test_reply_stating_a_step_the_case_lacks_is_refused_naming_it(client, world, code: str, step: str) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    r = desk.post("approver", "reply", decision=code, issued_on="2026-10-20", service_method="post",
                  **DECISION_FIELDS[code], **SEAL, force=True)
    assert r.status_code == 409 and r.json()["detail"]["missing_step"] == step, r.text
    assert [x["kind"] for x in desk.letters()] == ["receipt"]


def test_reply_missing_a_structured_part_is_422_naming_it(client, world) -> None:  # type: ignore[no-untyped-def]
    desk = Desk(client, world)
    desk.do("clerk", "accept", on="2026-09-22")
    r = desk.post("approver", "reply", decision="partial", issued_on="2026-10-20", disclosure="正文",
                  withheld_parts=[{"what": "附件", "explanation": "隐私"}], **SEAL)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "withheld_parts[0]", "category"], r.text
    r = desk.post("approver", "reply", decision="publication", issued_on="2026-10-20",
                  publication={"title": "常熟年鉴"}, **SEAL)
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "publication", "where"], r.text
