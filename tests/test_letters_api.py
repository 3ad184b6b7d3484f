"""Letters through the service and the REST API: numbering, immutability, visibility, upload check."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.conftest import auth


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]  # after the app: pydantic must not see freezegun's date
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


BODY = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"},
    "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
    "description": "申请公开某小区旧城改造项目的立项批复文件",
}


def test_number_prefix_does_not_double() -> None:
    from service.letters.service import number_prefix

    assert number_prefix("常住建", "依申复") == "常住建依申复"
    assert number_prefix("常住建依申", "依申复") == "常住建依申复"


def test_receipt_reply_numbers_immutability_and_visibility(client, world, today, db_url) -> None:  # type: ignore[no-untyped-def]
    got = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()
    rid = got["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"}, headers=auth(world, "handler"))
    reply = {"action": "reply", "decision": "not_exist", "issued_on": "2026-10-10", "service_method": "post"}
    r = client.post(f"/api/v1/requests/{rid}/actions", json=reply, headers=auth(world, "approver"))
    assert r.status_code == 409 and "seal" in r.text, r.text  # no e-seal, stamp not confirmed
    r = client.post(f"/api/v1/requests/{rid}/actions", json={**reply, "seal_confirmed": True},
                    headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "handler")).json()
    assert [x["kind"] for x in letters] == ["receipt", "reply"]
    assert letters[0]["number"] == "常住建依申登〔2026〕1号"
    assert letters[1]["number"] == "常住建依申复〔2026〕1号"
    one = client.get(f"/api/v1/letters/{letters[1]['id']}", headers=auth(world, "approver")).json()
    assert one["check"]["missing"] == [] and one["clause_versions"]["remedy"] == "2024-01-01"
    html = client.get(f"/api/v1/letters/{letters[1]['id']}/html", headers=auth(world, "approver")).text
    assert "常住建依申复〔2026〕1号" in html and "常熟市人民政府" in html
    pdf = client.get(f"/api/v1/letters/{letters[1]['id']}/pdf", headers=auth(world, "approver"))
    assert pdf.headers["content-type"] == "application/pdf" and pdf.content[:5] == b"%PDF-"
    # Another unit's user sees nothing (404, not 403).
    assert client.get(f"/api/v1/letters/{letters[1]['id']}", headers=auth(world, "env_clerk")).status_code == 404
    assert client.get(f"/api/v1/letters/{letters[1]['id']}/pdf",
                      headers=auth(world, "env_clerk")).status_code == 404
    # Stored letters cannot be changed.
    from service.db import transaction
    from service.letters.models import Letter
    from workflow.errors import Conflict

    with pytest.raises(Conflict), transaction(db_url) as session:
        row = session.get(Letter, letters[1]["id"])
        row.html = "forged"
        session.flush()

    # Upload check of the PDF we just made: attached to the request, the missing seal image is a defect.
    r = client.post("/api/v1/letters/check", files={"file": ("reply.pdf", pdf.content, "application/pdf")},
                    data={"request_id": str(rid)}, headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    report = r.json()
    assert report["missing"] == ["seal"] and report["decision"] == "not_exist"
    assert report["recorded"] is True
    again = client.post("/api/v1/letters/check", files={"file": ("reply.pdf", pdf.content, "application/pdf")},
                        data={"request_id": str(rid)}, headers=auth(world, "approver")).json()
    assert again["recorded"] is False  # the same file counts once
    text = client.post("/api/v1/letters/check", files={"file": ("x.txt", "随便写的".encode(), "text/plain")},
                       headers=auth(world, "approver")).json()
    assert "number" in text["missing"] and text["unchecked"] == ["seal"]


def test_forced_reply_records_exactly_one_defect(client, world, today, db_url) -> None:  # type: ignore[no-untyped-def]
    got = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()
    rid = got["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"}, headers=auth(world, "handler"))
    r = client.post(f"/api/v1/requests/{rid}/actions",
                    json={"action": "reply", "decision": "disclose", "disclosure": "见附件", "issued_on": "2026-10-10",
                          "force": True}, headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    from sqlmodel import select

    from service.assessment.models import AssessmentEventRecord
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        defects = session.exec(select(AssessmentEventRecord).where(
            AssessmentEventRecord.kind == "ogi.reply_defect")).all()
    assert len(defects) == 1 and "seal" in str(defects[0].details)
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "approver")).json()
    assert letters[-1]["forced"] is True


def replied_request(client, world) -> int:  # type: ignore[no-untyped-def]
    """A request with its receipt and a complete reply (not_exist), through the API; its id."""
    rid = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()["id"]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    r = client.post(f"/api/v1/requests/{rid}/actions",
                    json={"action": "reply", "decision": "not_exist", "issued_on": "2026-10-10",
                          "service_method": "post", "seal_confirmed": True}, headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    return rid


def test_supersede_issues_a_new_letter_and_keeps_the_old_one(client, world, today, db_url) -> None:  # type: ignore[no-untyped-def]
    import json
    from datetime import date

    from service.agencies.models import Agency
    from service.db import transaction
    from service.letters.models import Letter
    from service.letters.service import supersede
    from service.requests.models import RequestRecord
    from service.requests.service import load_case
    from workflow.errors import Conflict, InvalidField, NotFound
    from workflow.events import LetterOrder

    rid = replied_request(client, world)
    old_id = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "handler")).json()[-1]["id"]

    def correct(letter_id: int, reason: str, *, kind: str = "reply", **changes: object) -> Letter:
        """Supersede ``letter_id`` with its own order fields plus ``changes``, in one transaction."""
        with transaction(db_url) as session:
            old = session.get(Letter, letter_id)
            record = session.get(RequestRecord, old.request_id)
            order = LetterOrder(kind, date(2026, 10, 12), {**json.loads(old.fields), **changes})
            return supersede(session=session, letter_id=letter_id, case=load_case(session=session, record=record),
                             order=order, agency=session.get(Agency, old.agency_id), actor_user_id=None,
                             reason=reason, seal_confirmed=True)

    with transaction(db_url, readonly=True) as session:
        before = session.get(Letter, old_id)
        old_html, old_sha, old_number = before.html, before.sha256, before.number
    new = correct(old_id, "送达方式更正为直接送达", service_method="direct",
                  search_note="经查询本机关公文系统、档案室和业务处室")

    # The correction is a letter of its own: the next number of the series, pointing at the old one.
    assert new.number == "常住建依申复〔2026〕2号" and new.supersedes_id == old_id and new.issued_on == date(2026, 10, 12)
    assert f"本件更正并替代{old_number}" in new.html and "送达方式更正为直接送达" in new.html
    assert "直接送达" in new.html and json.loads(new.missing) == []
    # Both are kept; the old one is exactly as issued and reads as superseded.
    listed = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "handler")).json()
    assert [(x["number"], x["superseded_by"], x["supersedes"]) for x in listed[1:]] == [
        (old_number, new.id, None), (new.number, None, old_id)]
    with transaction(db_url, readonly=True) as session:
        kept = session.get(Letter, old_id)
        assert (kept.html, kept.sha256) == (old_html, old_sha)
    with pytest.raises(Conflict), transaction(db_url) as session:  # still immutable after being superseded
        session.get(Letter, old_id).html = "改过的"
        session.flush()
    with pytest.raises(Conflict), transaction(db_url) as session:
        session.delete(session.get(Letter, old_id))
        session.flush()

    # Only the newest version can be corrected; the kind must match; the reason is required.
    with pytest.raises(Conflict):
        correct(old_id, "再次更正")
    with pytest.raises(InvalidField) as err:
        correct(new.id, "  ")
    assert err.value.field == "reason"
    with pytest.raises(InvalidField) as err:
        correct(new.id, "换一种文书", kind="fee_notice")
    assert err.value.field == "kind"
    with pytest.raises(NotFound), transaction(db_url) as session:
        supersede(session=session, letter_id=999_999, case=None, order=LetterOrder("reply", date(2026, 10, 12), {}),
                  agency=None, actor_user_id=None, reason="x")
    # None of the refused corrections used up a number: the newest can still be corrected, gap-free.
    third = correct(new.id, "补充检索范围", search_note="经查询本机关公文系统、档案室、业务处室和下属单位")
    assert third.number == "常住建依申复〔2026〕3号" and third.supersedes_id == new.id


def test_cli_renders_the_letters_of_many_requests(client, world, today, db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from service.cli import app

    first, second = replied_request(client, world), replied_request(client, world)
    number = client.get(f"/api/v1/requests/{second}", headers=auth(world, "clerk")).json()["number"]
    out = tmp_path / "out"
    runner = CliRunner()
    # A request is named by id or by its registration number.
    got = runner.invoke(app, ["letters", "render", "--request", str(first), "--request", number, "--out", str(out)])
    assert got.exit_code == 0, got.output
    assert "4 letter(s) of 2 request(s)" in got.output
    files = sorted(p.name for p in out.iterdir())
    assert files == sorted(["常住建依申登〔2026〕1号.pdf", "常住建依申登〔2026〕2号.pdf",
                            "常住建依申复〔2026〕1号.pdf", "常住建依申复〔2026〕2号.pdf"])
    assert all((out / name).read_bytes()[:5] == b"%PDF-" for name in files)

    replies = tmp_path / "replies"
    got = runner.invoke(app, ["letters", "render", "-r", str(first), "--out", str(replies), "--kind", "reply"])
    assert got.exit_code == 0, got.output
    assert [p.name for p in replies.iterdir()] == ["常住建依申复〔2026〕1号.pdf"]

    got = runner.invoke(app, ["letters", "render", "-r", str(first), "-r", "999999", "--out", str(tmp_path / "x")])
    assert got.exit_code == 2 and "unknown request(s): 999999" in got.output
