"""The archive: 档号 (DA/T 22-2015) gap-free per unit and year under parallel archiving, the case-file
PDF read back as text (page order, cover, 卷内目录), the ZIP manifest's hashes, year export, retention."""

from __future__ import annotations

import hashlib
import io
import json
import threading
import zipfile

import pytest
from freezegun import freeze_time

from tests.conftest import auth
from tests.files_support import docx_bytes, image_bytes, pdf_bytes

BODY = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"},
    "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
    "description": "申请公开某小区旧城改造项目的立项批复文件",
}
REPLY = {"action": "reply", "decision": "disclose", "disclosure": "立项批复文件随本答复书邮寄提供",
         "issued_on": "2026-10-10", "service_method": "post", "seal_confirmed": True}


def replied_case(client, world, clerk: str = "clerk", handler: str = "handler", approver: str = "approver",  # type: ignore[no-untyped-def]
                 released: bytes | None = None) -> int:
    """A registered, accepted and replied request (not yet archived)."""
    # Registered on the day it arrived, so the receipt (dated the day it is issued) is dated then too.
    with freeze_time("2026-09-21 02:00:00", tick=True):
        rid = client.post("/api/v1/requests", json=BODY, headers=auth(world, clerk)).json()["id"]
    r = client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                    headers=auth(world, handler))
    assert r.status_code == 200, r.text
    # The reply encloses the information: it is attached first (else the check refuses the reply).
    r = client.post(f"/api/v1/requests/{rid}/attachments", data={"kind": "released"},
                    files={"file": ("批复.pdf", released or pdf_bytes(1), "application/pdf")}, headers=auth(world, clerk))
    assert r.status_code == 201, r.text
    r = client.post(f"/api/v1/requests/{rid}/actions", json=REPLY, headers=auth(world, approver))
    assert r.status_code == 200, r.text
    return rid


def attach(client, world, rid: int, data: bytes, name: str, kind: str) -> dict:  # type: ignore[no-untyped-def]
    r = client.post(f"/api/v1/requests/{rid}/attachments", files={"file": (name, data, "application/octet-stream")},
                    data={"kind": kind}, headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text
    return r.json()


def archive(client, world, rid: int, user: str = "handler"):  # type: ignore[no-untyped-def]
    return client.post(f"/api/v1/requests/{rid}/actions", json={"action": "archive", "on": "2026-10-20"},
                       headers=auth(world, user))


def pages_text(pdf: bytes) -> list[str]:
    from pypdf import PdfReader

    return [(p.extract_text() or "").replace(" ", "") for p in PdfReader(io.BytesIO(pdf)).pages]


def test_case_file_pdf_and_zip(client, world) -> None:  # type: ignore[no-untyped-def]
    rid = replied_case(client, world, released=pdf_bytes(3, "立项批复文件"))
    attach(client, world, rid, pdf_bytes(1, "送达回证扫描件"), "回证.pdf", "service_proof")
    attach(client, world, rid, pdf_bytes(2, "申请书原件"), "申请书.pdf", "application")
    attach(client, world, rid, image_bytes("JPEG", (300, 400)), "身份证.jpg", "identity")
    attach(client, world, rid, docx_bytes(4), "说明.docx", "other")
    r = archive(client, world, rid)
    assert r.status_code == 200, r.text
    info = client.get(f"/api/v1/requests/{rid}/archive", headers=auth(world, "clerk")).json()
    assert info["archive_number"] == "HOUSING-2026-D30-YSQGK-0001" and info["retention"] == "30年"
    assert info["disposal_review_on"] == "2057-01-01"
    events = client.get(f"/api/v1/requests/{rid}", headers=auth(world, "clerk")).json()["events"]
    assert events[-1]["kind"] == "archive_filed" and events[-1]["data"]["archive_number"] == info["archive_number"]

    got = client.get(f"/api/v1/requests/{rid}/case-file.pdf", headers=auth(world, "clerk"))
    assert got.status_code == 200 and got.headers["content-type"] == "application/pdf"
    assert "HOUSING-2026-D30-YSQGK-0001.pdf" in got.headers["content-disposition"]
    text = pages_text(got.content)
    cover, toc, *body = text
    assert "案卷封面" in cover and "HOUSING-2026-D30-YSQGK-0001" in cover and "30年" in cover
    assert "常熟市住房和城乡建设局" in cover and "7件" in cover and "9页" in cover
    # 卷内目录: each document with its number, date and first page, in filing order.
    assert "卷内目录" in toc
    rows = ["常住建依申登〔2026〕1号", "登记回执", "登记回执", "常住建依申复〔2026〕1号", "答复书", "20261010",
            "送达回证：回证.pdf", "申请书：申请书.pdf", "身份证明：身份证.jpg", "公开的信息：批复.pdf", "其他：说明.docx",
            "未并入"]
    flat = toc.replace("\n", "")  # table cells wrap
    positions = [flat.find(x) for x in rows]
    assert all(p >= 0 for p in positions), (dict(zip(rows, positions, strict=True)), toc)
    assert positions[:6] == sorted(positions[:6]) and positions[5] < positions[6] < positions[7] < positions[8] < positions[9] < positions[10]
    # The pages themselves, in that order: receipt, reply, proof, application ×2, ID image, released ×3.
    assert len(body) == 9
    assert "登记回执" in body[0] or "回执" in body[0]
    assert "答复" in body[1] and "常住建依申复〔2026〕1号" in body[1]
    assert "送达回证扫描件第1页" in body[2]
    assert "申请书原件第1页" in body[3] and "申请书原件第2页" in body[4]
    assert body[5].strip() == ""  # the ID photo, an image page
    assert all(f"立项批复文件第{i}页" in body[5 + i] for i in (1, 2, 3))

    z = client.get(f"/api/v1/requests/{rid}/case-file.zip", headers=auth(world, "clerk"))
    assert z.status_code == 200 and z.headers["content-type"] == "application/zip"
    with zipfile.ZipFile(io.BytesIO(z.content)) as zf:
        manifest = json.loads(zf.read("manifest.json"))
        assert manifest["archive_number"] == "HOUSING-2026-D30-YSQGK-0001"
        for entry in manifest["files"]:
            data = zf.read(entry["path"])
            assert hashlib.sha256(data).hexdigest() == entry["sha256"] and len(data) == entry["size"], entry["path"]
            if "recorded_sha256" in entry:
                assert entry["recorded_sha256"] == entry["sha256"], entry["path"]
        names = [e["path"] for e in manifest["files"]]
        assert names[0] == "case-file.pdf" and any(n.endswith("说明.docx") for n in names)
        assert sum(1 for e in manifest["files"] if e.get("type")) == 5
    # Another unit: 404, like the request.
    for suffix in ("case-file.pdf", "case-file.zip", "archive"):
        assert client.get(f"/api/v1/requests/{rid}/{suffix}", headers=auth(world, "env_clerk")).status_code == 404
    # The case file is closed: no more uploads.
    r = client.post(f"/api/v1/requests/{rid}/attachments", files={"file": ("x.pdf", pdf_bytes(1), "application/pdf")},
                    data={"kind": "other"}, headers=auth(world, "clerk"))
    assert r.status_code == 409 and "archived" in r.text


def test_archive_numbers_gap_free_per_unit_and_year_in_parallel(client, world, db_url) -> None:  # type: ignore[no-untyped-def]
    from sqlmodel import select

    from service.archive.models import ArchiveRecord
    from service.db import transaction
    from service.requests.service import act
    from service.users.models import User
    from service.users.service import visible_agency_ids

    housing = [replied_case(client, world) for _ in range(10)]
    env = [replied_case(client, world, "env_clerk", "env_approver", "env_approver") for _ in range(4)]
    # A batch that fails half-way (a case not yet replied) gives its numbers back: no gap.
    open_case = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()["id"]
    r = client.post("/api/v1/archive/batch", json={"request_ids": [housing[0], open_case], "on": "2026-10-20"},
                    headers=auth(world, "handler"))
    assert r.status_code == 409, r.text

    errors: list[BaseException] = []
    barrier = threading.Barrier(len(housing) + len(env))

    def run(rid: int, username: str) -> None:
        try:
            barrier.wait(timeout=30)
            with transaction(db_url) as session:
                user = session.exec(select(User).where(User.username == username)).one()
                act(session=session, user=user, visible=visible_agency_ids(session=session, user=user),
                    request_id=rid, payload={"action": "archive", "on": "2026-10-20"})
        except BaseException as exc:  # noqa: BLE001  (reported below)
            errors.append(exc)

    threads = [threading.Thread(target=run, args=(rid, "handler")) for rid in housing]
    threads += [threading.Thread(target=run, args=(rid, "env_approver")) for rid in env]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert errors == []
    with transaction(db_url) as session:
        rows = list(session.exec(select(ArchiveRecord)))
    by_unit: dict[str, list[int]] = {}
    for row in rows:
        by_unit.setdefault(row.number.split("-")[0], []).append(row.seq)
        assert row.number == f"{row.fonds}-2026-D30-YSQGK-{row.seq:04d}"
    assert sorted(by_unit["HOUSING"]) == list(range(1, 11))
    assert sorted(by_unit["ENV"]) == list(range(1, 5))


def test_batch_archive_retention_and_year_export(client, world, db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from service.cli import app

    rids = [replied_case(client, world) for _ in range(3)]
    attach(client, world, rids[0], pdf_bytes(2), "a.pdf", "application")
    r = client.post("/api/v1/archive/batch", json={"request_ids": rids, "on": "2026-10-20"},
                    headers=auth(world, "handler"))
    assert r.status_code == 200, r.text
    assert [x["item"] for x in r.json()] == [1, 2, 3]
    assert client.post("/api/v1/archive/batch", json={"request_ids": []},
                       headers=auth(world, "handler")).status_code == 422
    # Retention: nothing is due now; in 2057 all three are listed, and nothing is deleted.
    assert client.get("/api/v1/archive/retention", headers=auth(world, "clerk")).json() == []
    due = client.get("/api/v1/archive/retention?as_of=2057-01-01", headers=auth(world, "clerk")).json()
    assert [d["item"] for d in due] == [1, 2, 3]
    assert client.get("/api/v1/archive/retention?as_of=2057-01-01", headers=auth(world, "env_clerk")).json() == []
    runner = CliRunner()
    listed = runner.invoke(app, ["archive", "retention", "--agency", "city", "--as-of", "2057-01-01"])
    assert listed.exit_code == 0 and "HOUSING-2026-D30-YSQGK-0003" in listed.output and "3 case file(s)" in listed.output
    out = tmp_path / "export"
    done = runner.invoke(app, ["archive", "export", "--agency", "housing", "--year", "2026", "--out", str(out)])
    assert done.exit_code == 0, done.output
    assert "exported 3 case files" in done.output
    assert sorted(p.name for p in out.iterdir()) == sorted(
        [f"HOUSING-2026-D30-YSQGK-000{i}.{ext}" for i in (1, 2, 3) for ext in ("pdf", "zip")] + ["目录.csv"])
    index = (out / "目录.csv").read_text(encoding="utf-8-sig").splitlines()
    assert len(index) == 4 and index[1].startswith("HOUSING-2026-D30-YSQGK-0001,常住建")
    bad = runner.invoke(app, ["archive", "export", "--agency", "nope", "--year", "2026", "--out", str(out)])
    assert bad.exit_code == 2 and "unknown agency" in bad.output


def test_policy_per_unit(tmp_path, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from service.archive import policy
    from service.settings import get_settings
    from workflow.errors import InvalidField

    path = tmp_path / "policy.toml"
    path.write_text('[default]\nretention = "10年"\norg = ""\n[units.housing]\nfonds = "Z109"\norg = "BGS"\n'
                    'retention = "永久"\n', encoding="utf-8")
    monkeypatch.setenv("OGI_ARCHIVE_POLICY", str(path))
    get_settings.cache_clear()
    try:
        housing, env = policy.for_unit("housing"), policy.for_unit("env")
    finally:
        get_settings.cache_clear()
    assert policy.archive_number(fonds=housing.fonds, year=2026, retention=housing.retention, org=housing.org,
                                 seq=7) == "Z109-2026-Y-BGS-0007"
    assert policy.archive_number(fonds=env.fonds, year=2026, retention=env.retention, org=env.org, seq=12) == \
        "ENV-2026-D10-0012"
    assert policy.disposal_review_on(2026, "永久") is None and str(policy.disposal_review_on(2026, "10年")) == "2037-01-01"
    path.write_text('[default]\nretention = "5年"\n', encoding="utf-8")
    with pytest.raises(InvalidField, match="retention"):
        policy.load(path)


def test_desk_batch_archiving_and_retention_pages(client, world) -> None:  # type: ignore[no-untyped-def]
    from tests.test_web import csrf_of, login

    rids = [replied_case(client, world) for _ in range(2)]
    login(client, "handler", "correct horse")
    page = client.get("/archive")
    assert page.status_code == 200 and "已答复待归档（2 件）" in page.text
    token = csrf_of(page.text)
    r = client.post("/archive", data={"csrf_token": token, "on": "2026-10-20"})
    assert "请至少勾选一件案件" in r.text
    r = client.post("/archive", data={"csrf_token": token, "on": "2026-10-20", "request_id": [str(x) for x in rids]},
                    follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "已归档 2 件：HOUSING-2026-D30-YSQGK-0001、HOUSING-2026-D30-YSQGK-0002" in page.text
    assert "没有待归档的案件" in page.text and "case-file.pdf" in page.text
    case = client.get(f"/requests/{rids[0]}").text
    assert "档号 <strong>HOUSING-2026-D30-YSQGK-0001</strong>" in case and "编定档号" in case
    assert "没有保管期限已满的卷宗" in client.get("/archive/retention").text
    later = client.get("/archive/retention?as_of=2057-01-01").text
    assert "HOUSING-2026-D30-YSQGK-0002" in later and "2057年1月1日" in later


def test_case_file_has_the_service_record_in_brief(client, world) -> None:  # type: ignore[no-untyped-def]
    rid = replied_case(client, world)
    letters = client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()
    reply = next(x for x in letters if x["kind"] == "reply")
    r = client.post(f"/api/v1/letters/{reply['id']}/service", headers=auth(world, "clerk"),
                    json={"method": "post", "sent_on": "2026-10-10", "received_on": "2026-10-12",
                          "ems_number": "EA123456785CN"})
    assert r.status_code == 201, r.text
    pdf = client.get(f"/api/v1/requests/{rid}/case-file.pdf", headers=auth(world, "clerk")).content
    text = pages_text(pdf)
    toc = text[1].replace("\n", "")
    assert "办理记录" in toc
    record = next(t for t in text[2:] if "办理记录" in t).replace("\n", "")  # table cells wrap
    assert "送达记录" in record and "EA123456785CN" in record and "2026年10月12日" in record
