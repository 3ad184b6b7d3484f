"""Letters through the service and the REST API: numbering, immutability, visibility, upload check."""

from __future__ import annotations

import pytest
from freezegun import freeze_time

from tests.conftest import auth


@pytest.fixture
def letters_db(db_url: str):  # type: ignore[no-untyped-def]
    # Until a migration creates the letter table, create it on the migrated test database.
    from service.db import get_engine
    from service.letters.models import Letter

    Letter.__table__.create(get_engine(db_url), checkfirst=True)  # type: ignore[attr-defined]
    return db_url


@pytest.fixture
def today(client, letters_db):  # type: ignore[no-untyped-def]
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


def test_receipt_reply_numbers_immutability_and_visibility(client, world, today, letters_db) -> None:  # type: ignore[no-untyped-def]
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

    with pytest.raises(Conflict), transaction(letters_db) as session:
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


def test_forced_reply_records_exactly_one_defect(client, world, today, letters_db) -> None:  # type: ignore[no-untyped-def]
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

    with transaction(letters_db, readonly=True) as session:
        defects = session.exec(select(AssessmentEventRecord).where(
            AssessmentEventRecord.kind == "ogi.reply_defect")).all()
    assert len(defects) == 1 and "seal" in str(defects[0].details)
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "approver")).json()
    assert letters[-1]["forced"] is True
