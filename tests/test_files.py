"""Attachments through the API: upload, sniffing, limits, names, scoping, download headers, the chain."""

from __future__ import annotations

import hashlib

import pytest
from freezegun import freeze_time

from tests.conftest import auth
from tests.files_support import docx_bytes, image_bytes, ofd_bytes, pdf_bytes, xlsx_bytes

BODY = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"},
    "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
    "description": "申请公开某小区旧城改造项目的立项批复文件",
}


@pytest.fixture
def today(client):  # type: ignore[no-untyped-def]
    with freeze_time("2026-10-20 02:00:00", tick=True):
        yield


@pytest.fixture
def rid(client, world, today) -> int:  # type: ignore[no-untyped-def]
    r = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text
    return r.json()["id"]


def upload(client, world, rid, data: bytes, name: str = "scan.pdf", kind: str = "application",  # type: ignore[no-untyped-def]
           user: str = "clerk", **fields):
    return client.post(f"/api/v1/requests/{rid}/attachments", files={"file": (name, data, "application/octet-stream")},
                       data={"kind": kind, **fields}, headers=auth(world, user))


def test_upload_download_and_scoping(client, world, rid) -> None:  # type: ignore[no-untyped-def]
    data = pdf_bytes(3)
    r = upload(client, world, rid, data, "申请书.pdf", "申请书")
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["kind"] == "application" and got["type"] == "PDF" and got["pages"] == 3
    assert got["sha256"] == hashlib.sha256(data).hexdigest() and got["size"] == len(data)
    listed = client.get(f"/api/v1/requests/{rid}/attachments", headers=auth(world, "handler")).json()
    assert [a["filename"] for a in listed] == ["申请书.pdf"]
    down = client.get(got["download"], headers=auth(world, "approver"))
    assert down.status_code == 200 and down.content == data
    assert down.headers["content-type"] == "application/pdf"
    assert down.headers["content-disposition"].startswith("attachment;")
    assert "filename*=UTF-8''%E7%94%B3%E8%AF%B7%E4%B9%A6.pdf" in down.headers["content-disposition"]
    assert down.headers["x-content-type-options"] == "nosniff"
    assert "sandbox" in down.headers["content-security-policy"]
    # Another unit: 404 for the request's list, the metadata, the file and an upload.
    for url in (f"/api/v1/requests/{rid}/attachments", f"/api/v1/attachments/{got['id']}", got["download"]):
        assert client.get(url, headers=auth(world, "env_clerk")).status_code == 404, url
    assert upload(client, world, rid, data, user="env_clerk").status_code == 404
    # The supervising office's assessor sees it; an assessor does not upload.
    assert client.get(got["download"], headers=auth(world, "assessor")).status_code == 200
    assert upload(client, world, rid, data, user="assessor").status_code == 409
    assert client.get("/api/v1/attachments/999999/content", headers=auth(world, "clerk")).status_code == 404


def test_type_is_sniffed_from_content(client, world, rid) -> None:  # type: ignore[no-untyped-def]
    r = upload(client, world, rid, pdf_bytes(2), "photo.jpg", "identity")
    assert r.status_code == 201 and r.json()["type"] == "PDF" and r.json()["media_type"] == "application/pdf"
    html = b"<!DOCTYPE html><html><script>alert(1)</script></html>"
    r = upload(client, world, rid, html, "reply.pdf")
    assert r.status_code == 415 and "HTML" in r.text
    samples = {"JPEG": image_bytes("JPEG"), "PNG": image_bytes("PNG"), "TIFF": image_bytes("TIFF", frames=3),
               "OFD": ofd_bytes(4), "DOCX": docx_bytes(5), "XLSX": xlsx_bytes(2)}
    pages = {"JPEG": 1, "PNG": 1, "TIFF": 3, "OFD": 4, "DOCX": 5, "XLSX": 2}
    for kind, data in samples.items():
        r = upload(client, world, rid, data, "x.bin", "other")
        assert r.status_code == 201, (kind, r.text)
        assert (r.json()["type"], r.json()["pages"]) == (kind, pages[kind])
    for refused in (b"GIF89a" + b"\x00" * 20, b"PK\x03\x04" + b"\x00" * 40, b"plain text"):
        assert upload(client, world, rid, refused, "a.pdf").status_code in (415, 422)


def test_bad_files(client, world, rid) -> None:  # type: ignore[no-untyped-def]
    whole = pdf_bytes(2)
    r = upload(client, world, rid, whole[: len(whole) // 2], "cut.pdf")
    assert r.status_code == 422 and "truncated" in r.text
    r = upload(client, world, rid, b"", "empty.pdf")
    assert r.status_code == 422 and "empty" in r.text
    r = upload(client, world, rid, image_bytes("PNG")[:-30], "cut.png")
    assert r.status_code == 422
    r = upload(client, world, rid, whole, kind="passport")
    assert r.status_code == 422 and "kind" in r.text
    r = upload(client, world, rid, whole, letter_id="999")
    assert r.status_code == 422 and "letter_id" in r.text
    r = client.post(f"/api/v1/requests/{rid}/attachments", json={"kind": "other"}, headers=auth(world, "clerk"))
    assert r.status_code == 422 and "multipart" in r.text
    r = client.post(f"/api/v1/requests/{rid}/attachments", data={"kind": "other"}, files={"x": ("", b"")},
                    headers=auth(world, "clerk"))
    assert r.status_code == 422
    # Nothing was stored by the refusals: only the scratch directory exists, empty.
    from service.settings import get_settings

    root = get_settings().storage_dir
    assert [p.name for p in root.iterdir()] == ["tmp"] and not list((root / "tmp").iterdir())
    assert client.get(f"/api/v1/requests/{rid}/attachments", headers=auth(world, "clerk")).json() == []


@pytest.mark.parametrize("raw, expected", [
    ("../../etc/passwd.pdf", "passwd.pdf"),
    ("C:\\Users\\张三\\Desktop\\申请书.pdf", "申请书.pdf"),
    ("evil\r\nX-Bad: 1\x00\x1b[31m\x07.pdf", "evil X-Bad: 1[31m.pdf"),
    ("tab\there\u202e.pdf", "tab here.pdf"),
    ("长" * 300 + ".pdf", "长" * 116 + ".pdf"),
    ("...", "file.pdf"),
])
def test_file_names_are_made_safe(client, world, rid, raw, expected) -> None:  # type: ignore[no-untyped-def]
    r = upload(client, world, rid, pdf_bytes(1), raw)
    assert r.status_code == 201, r.text
    assert r.json()["filename"] == expected
    down = client.get(r.json()["download"], headers=auth(world, "clerk"))
    header = down.headers["content-disposition"]
    assert "\r" not in header and "\n" not in header and "/" not in header.split("filename*=")[0]


def test_size_limit(client, world, rid, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    from service.settings import get_settings

    monkeypatch.setenv("OGI_MAX_UPLOAD_MB", "1")
    get_settings.cache_clear()
    big = pdf_bytes(1)
    big = big.replace(b"%%EOF", b"%" + b"x" * (1024 * 1024) + b"\n%%EOF")
    r = upload(client, world, rid, big, "big.pdf")
    assert r.status_code == 413 and "1 MB" in r.text
    # Declared too large: refused before the body is read.
    r = client.post(f"/api/v1/requests/{rid}/attachments", content=b"--b--\r\n",
                    headers={**auth(world, "clerk"), "Content-Type": "multipart/form-data; boundary=b",
                             "Content-Length": str(2 * 1024 ** 3)})
    assert r.status_code == 413


def test_upload_is_on_the_chain_and_a_swapped_file_is_caught(client, world, rid, db_url) -> None:  # type: ignore[no-untyped-def]
    from service.db import transaction
    from service.files.service import verify_files
    from service.files.storage import get_store
    from service.requests import eventlog

    data = pdf_bytes(1)
    got = upload(client, world, rid, data, kind="released").json()
    events = client.get(f"/api/v1/requests/{rid}", headers=auth(world, "clerk")).json()["events"]
    attached = [e for e in events if e["kind"] == "file_attached"]
    assert len(attached) == 1 and attached[0]["data"]["sha256"] == got["sha256"]
    with transaction(db_url) as session:
        assert list(eventlog.verify(session=session)) == []
        assert list(verify_files(session=session, store=get_store())) == []
    # Someone swaps the stored bytes on disk.
    path = get_store().path(got["sha256"])
    path.chmod(0o640)
    path.write_bytes(pdf_bytes(2))
    with transaction(db_url) as session:
        problems = list(verify_files(session=session, store=get_store()))
    assert [p.attachment_id for p in problems] == [got["id"]] and "changed" in problems[0].problem
    path.unlink()
    with transaction(db_url) as session:
        problems = list(verify_files(session=session, store=get_store()))
    assert "missing" in problems[0].problem


def test_two_gigabyte_stream_is_refused_while_streaming_in_low_memory(client, world) -> None:  # type: ignore[no-untyped-def]
    """A 2 GB body without Content-Length, fed to the app chunk by chunk as a server would: refused with
    413 once the file passes the limit, after reading little more than the limit, in flat memory."""
    import tracemalloc

    import anyio

    rid = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()["id"]
    chunk = b"\0" * (1024 * 1024)
    total = 2 * 1024 ** 3
    head = (b"--B\r\nContent-Disposition: form-data; name=\"kind\"\r\n\r\nother\r\n"
            b"--B\r\nContent-Disposition: form-data; name=\"file\"; filename=\"big.pdf\"\r\n"
            b"Content-Type: application/pdf\r\n\r\n%PDF-1.7\n")
    state = {"sent": 0, "first": True}
    messages: list[dict] = []

    async def receive() -> dict:
        if state["first"]:
            state["first"] = False
            return {"type": "http.request", "body": head, "more_body": True}
        if state["sent"] >= total:
            return {"type": "http.request", "body": b"\r\n--B--\r\n", "more_body": False}
        state["sent"] += len(chunk)
        return {"type": "http.request", "body": chunk, "more_body": True}

    async def send(message: dict) -> None:
        messages.append(message)

    scope = {"type": "http", "asgi": {"version": "3.0"}, "http_version": "1.1", "method": "POST", "scheme": "http",
             "path": f"/api/v1/requests/{rid}/attachments", "raw_path": b"", "query_string": b"", "root_path": "",
             "server": ("testserver", 80), "client": ("127.0.0.1", 5000),
             "headers": [(b"authorization", f"Bearer {world.tokens['clerk']}".encode()),
                         (b"content-type", b"multipart/form-data; boundary=B"), (b"host", b"testserver")]}
    tracemalloc.start()
    try:
        anyio.run(client.app, scope, receive, send)
        peak = tracemalloc.get_traced_memory()[1]
    finally:
        tracemalloc.stop()
    start = next(m for m in messages if m["type"] == "http.response.start")
    assert start["status"] == 413
    assert state["sent"] <= 52 * 1024 * 1024, "stopped reading soon after the 50 MB limit"
    assert peak < 16 * 1024 * 1024, f"peak traced memory {peak / 1e6:.1f} MB"
    assert client.get(f"/api/v1/requests/{rid}/attachments", headers=auth(world, "clerk")).json() == []


def test_desk_attachments_panel(client, world, rid) -> None:  # type: ignore[no-untyped-def]
    from tests.test_web import csrf_of, login

    login(client, "clerk", "correct horse")
    page = client.get(f"/requests/{rid}")
    assert page.status_code == 200 and "暂无附件" in page.text and 'enctype="multipart/form-data"' in page.text
    token = csrf_of(page.text)
    r = client.post(f"/requests/{rid}/attachments", data={"kind": "released", "csrf_token": token},
                    files={"file": ("公开信息.pdf", pdf_bytes(4), "application/pdf")}, follow_redirects=False)
    assert r.status_code == 303, r.text
    page = client.get(r.headers["location"])
    assert "公开信息.pdf" in page.text and "公开的信息：1 件，共 4 页" in page.text and "上传附件" in page.text
    # Refusals come back in Chinese on the page; a forged token is refused and nothing is stored.
    r = client.post(f"/requests/{rid}/attachments", data={"kind": "other", "csrf_token": token},
                    files={"file": ("x.pdf", b"<html></html>", "application/pdf")})
    assert "不接受该类型的文件（识别为 HTML）" in r.text
    r = client.post(f"/requests/{rid}/attachments", data={"kind": "other", "csrf_token": "forged"},
                    files={"file": ("y.pdf", pdf_bytes(1), "application/pdf")})
    assert r.status_code == 403
    assert len(client.get(f"/api/v1/requests/{rid}/attachments").json()) == 1


def test_cli_files_verify(client, world, rid, db_url) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from service.cli import app
    from service.files.storage import get_store

    got = upload(client, world, rid, image_bytes("PNG"), "id.png", "identity").json()
    runner = CliRunner()
    ok = runner.invoke(app, ["files", "verify"])
    assert ok.exit_code == 0, ok.output
    path = get_store().path(got["sha256"])
    path.chmod(0o640)
    path.write_bytes(image_bytes("PNG", size=(61, 40)))
    bad = runner.invoke(app, ["files", "verify"])
    assert bad.exit_code == 1 and "changed" in bad.output and "常住建" in bad.output


def test_reply_enclosing_information_needs_the_released_files(client, world, rid, db_url) -> None:  # type: ignore[no-untyped-def]
    from service.db import transaction
    from service.files.service import released_pages

    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    reply = {"action": "reply", "decision": "disclose", "issued_on": "2026-10-10", "service_method": "post",
             "seal_confirmed": True, "disclosure": "现将所申请信息随本答复书一并提供（共3页）。"}
    r = client.post(f"/api/v1/requests/{rid}/actions", json=reply, headers=auth(world, "approver"))
    assert r.status_code == 409 and r.json()["detail"]["missing"] == ["released_documents"], r.text
    upload(client, world, rid, pdf_bytes(2), "part1.pdf", "released")
    upload(client, world, rid, image_bytes("PNG"), "id.png", "identity")  # not a released document
    with transaction(db_url) as session:
        assert released_pages(session=session, request_id=rid) == 2
    r = client.post(f"/api/v1/requests/{rid}/actions", json=reply, headers=auth(world, "approver"))
    assert r.status_code == 409 and r.json()["detail"]["missing"] == ["released_pages"], r.text
    upload(client, world, rid, image_bytes("JPEG"), "part2.jpg", "公开的信息")
    r = client.post(f"/api/v1/requests/{rid}/actions", json=reply, headers=auth(world, "approver"))
    assert r.status_code == 200, r.text
    # A reply that only tells where to collect the information needs no file.
    from service.files.released import says_provided

    assert not says_provided("请于收到本答复书后到本机关受理窗口领取") and says_provided("详见附件1")


def test_per_volume_fee_counts_the_released_files(client, world, rid) -> None:  # type: ignore[no-untyped-def]
    client.post(f"/api/v1/requests/{rid}/actions", json={"action": "accept", "on": "2026-09-22"},
                headers=auth(world, "handler"))
    fee = {"action": "issue_fee_notice", "sent_on": "2026-10-20", "seal_confirmed": True, "fee_method": "per_volume"}
    # 40 pages attached (a 39-page PDF and an image): 30 free + 10 × 10 元 = 100 元, without typing the pages.
    upload(client, world, rid, pdf_bytes(39), "released.pdf", "released")
    upload(client, world, rid, image_bytes("PNG"), "map.png", "released")
    r = client.post(f"/api/v1/requests/{rid}/actions", json={**fee, "pages": 12}, headers=auth(world, "handler"))
    assert r.status_code == 422 and r.json()["detail"][0]["code"] == "fee.pages_differ_from_files", r.text
    r = client.post(f"/api/v1/requests/{rid}/actions", json=fee, headers=auth(world, "handler"))
    assert r.status_code == 200, r.text
    assert r.json()["events"][-1]["data"]["amount_yuan"] == "100.00"


def test_audit_verify_reports_a_swapped_file(client, world, rid) -> None:  # type: ignore[no-untyped-def]
    from typer.testing import CliRunner

    from service.cli import app
    from service.files.storage import get_store

    got = upload(client, world, rid, pdf_bytes(1), "a.pdf", "application").json()
    runner = CliRunner()
    ok = runner.invoke(app, ["audit", "verify"])
    assert ok.exit_code == 0, ok.output
    path = get_store().path(got["sha256"])
    path.chmod(0o640)
    path.write_bytes(pdf_bytes(2))
    bad = runner.invoke(app, ["audit", "verify"])
    assert bad.exit_code == 1 and "file_changed" in bad.output and "changed" in bad.output, bad.output
