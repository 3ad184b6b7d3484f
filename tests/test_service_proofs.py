"""Proofs of service (送达回证, EMS print) attached to a letter's service record: through the API and the
case page, scoped like the request, on the event chain with their hash, and filed in the case file
right after the service records."""

from __future__ import annotations

import hashlib
import io
import json
import zipfile

from freezegun import freeze_time

from tests.conftest import auth
from tests.files_support import image_bytes, pdf_bytes
from tests.test_archive import pages_text, replied_case

SERVICE = {"method": "post", "sent_on": "2026-10-10", "received_on": "2026-10-12", "ems_number": "EA123456785CN"}


def noisy_png() -> bytes:
    """A PNG of random pixels (it does not compress): about 2 MB."""
    import os

    from PIL import Image

    buf = io.BytesIO()
    Image.frombytes("RGB", (1000, 700), os.urandom(1000 * 700 * 3)).save(buf, format="PNG")
    return buf.getvalue()


def letters_of(client, world, rid: int) -> dict[str, dict]:  # type: ignore[no-untyped-def]
    return {x["kind"]: x for x in client.get(f"/api/v1/requests/{rid}/letters", headers=auth(world, "clerk")).json()}


def served_reply(client, world) -> tuple[int, dict, dict]:  # type: ignore[no-untyped-def]
    """A replied case whose reply's service is recorded: (request id, reply letter, its service record)."""
    rid = replied_case(client, world)
    reply = letters_of(client, world, rid)["reply"]
    r = client.post(f"/api/v1/letters/{reply['id']}/service", json=SERVICE, headers=auth(world, "clerk"))
    assert r.status_code == 201, r.text
    return rid, reply, r.json()


def send_proof(client, world, letter_id: int, data: bytes, name: str = "回证.pdf", user: str = "clerk",  # type: ignore[no-untyped-def]
               **fields):
    return client.post(f"/api/v1/letters/{letter_id}/service/attachments", data=fields,
                       files={"file": (name, data, "application/octet-stream")}, headers=auth(world, user))


def test_proof_upload_scoping_and_chain(client, world) -> None:  # type: ignore[no-untyped-def]
    from service.db import transaction
    from service.files.service import verify_files
    from service.files.storage import get_store

    rid, reply, record = served_reply(client, world)
    scan = image_bytes("JPEG", (300, 200))
    with freeze_time("2026-10-14 02:00:00", tick=True):
        r = send_proof(client, world, reply["id"], scan, "EMS回执.jpg")
    assert r.status_code == 201, r.text
    got = r.json()
    assert got["kind"] == "service_proof" and got["kind_label"] == "送达回证" and got["type"] == "JPEG"
    assert got["service_id"] == record["id"] and got["letter_id"] == reply["id"] and got["request_id"] == rid
    assert got["sha256"] == hashlib.sha256(scan).hexdigest()
    listed = client.get(f"/api/v1/letters/{reply['id']}/service/attachments", headers=auth(world, "approver")).json()
    assert [a["filename"] for a in listed] == ["EMS回执.jpg"]
    assert client.get(got["download"], headers=auth(world, "handler")).content == scan
    # Another unit never learns the letter or the proof exist; an assessor does not upload.
    assert send_proof(client, world, reply["id"], scan, user="env_clerk").status_code == 404
    for url in (f"/api/v1/letters/{reply['id']}/service/attachments", got["download"]):
        assert client.get(url, headers=auth(world, "env_clerk")).status_code == 404, url
    assert send_proof(client, world, reply["id"], scan, user="assessor").status_code == 409
    # A letter whose service is not recorded has no record to attach to: 409 naming it.
    receipt = letters_of(client, world, rid)["receipt"]
    r = send_proof(client, world, receipt["id"], scan)
    assert r.status_code == 409 and r.json()["detail"]["code"] == "upload.no_service_record", r.text
    # A proof is a 送达回证 or 其他, nothing else; 422 naming kind.
    r = send_proof(client, world, reply["id"], scan, kind="application")
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "kind"], r.text
    assert send_proof(client, world, reply["id"], pdf_bytes(1), "说明.pdf", kind="其他").json()["kind"] == "other"
    # A photographed receipt is larger than an ordinary request body may be: the upload limit applies.
    photo = noisy_png()
    assert len(photo) > 1_500_000
    assert send_proof(client, world, reply["id"], photo, "回证照片.png").status_code == 201
    # The request-level upload takes service_id too, but only one of this request's records.
    other = replied_case(client, world)
    r = client.post(f"/api/v1/requests/{other}/attachments", data={"kind": "service_proof", "service_id": record["id"]},
                    files={"file": ("x.pdf", pdf_bytes(1), "application/pdf")}, headers=auth(world, "clerk"))
    assert r.status_code == 422 and r.json()["detail"][0]["loc"] == ["body", "service_id"], r.text
    # The upload is on the request's chain with its hash and the record it proves; a swapped file is caught.
    events = client.get(f"/api/v1/requests/{rid}", headers=auth(world, "clerk")).json()["events"]
    attached = [e["data"] for e in events if e["kind"] == "file_attached" and e["data"].get("service")]
    assert [(e["sha256"], e["service"]) for e in attached][0] == (got["sha256"], record["id"])
    with transaction() as session:
        assert list(verify_files(session=session, store=get_store())) == []
    path = get_store().path(got["sha256"])
    path.chmod(0o640)
    path.write_bytes(image_bytes("JPEG", (301, 200)))
    with transaction() as session:
        assert [p.attachment_id for p in verify_files(session=session, store=get_store())] == [got["id"]]


def test_case_file_files_proofs_after_the_service_records(client, world) -> None:  # type: ignore[no-untyped-def]
    rid, reply, record = served_reply(client, world)
    proof = pdf_bytes(1, text="邮政特快专递签收回执样张")
    r = send_proof(client, world, reply["id"], proof, "签收回执.pdf")
    assert r.status_code == 201, r.text
    pdf = client.get(f"/api/v1/requests/{rid}/case-file.pdf", headers=auth(world, "clerk")).content
    text = pages_text(pdf)
    toc = text[1].replace("\n", "")
    entry = f"送达回证（{reply['number']}送达）：签收回执.pdf"
    # 卷内目录: letters, the handling record, then this proof, then the other attachments (公开的信息).
    assert toc.index("办理记录") < toc.index(entry) < toc.index("公开的信息")
    record_page = next(i for i, t in enumerate(text) if "送达记录" in t)
    assert "凭证：签收回执.pdf" in text[record_page].replace("\n", "")
    assert "邮政特快专递签收回执样张" in text[record_page + 1]
    # The ZIP carries the proof as uploaded, with its hash and the record it belongs to.
    zf = zipfile.ZipFile(io.BytesIO(client.get(f"/api/v1/requests/{rid}/case-file.zip",
                                               headers=auth(world, "clerk")).content))
    manifest = json.loads(zf.read("manifest.json"))
    entry_of = next(f for f in manifest["files"] if f.get("service_id") == record["id"])
    assert entry_of["recorded_sha256"] == hashlib.sha256(proof).hexdigest() == entry_of["sha256"]
    assert zf.read(entry_of["path"]) == proof


def test_desk_service_card_uploads_a_proof(client, world) -> None:  # type: ignore[no-untyped-def]
    from tests.test_web import csrf_of, login

    rid, reply, _ = served_reply(client, world)
    login(client, "clerk", "correct horse")
    page = client.get(f"/requests/{rid}")
    assert "尚无送达凭证" in page.text and f'action="/letters/{reply["id"]}/service/attachments"' in page.text
    token = csrf_of(page.text)
    r = client.post(f"/letters/{reply['id']}/service/attachments", data={"kind": "service_proof", "csrf_token": token},
                    files={"file": ("回证.png", image_bytes("PNG"), "image/png")}, follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].endswith(f"#service-proofs-{reply['id']}"), r.text
    page = client.get(r.headers["location"])
    assert "已上传送达凭证：回证.png（送达回证）" in page.text
    card = page.text[page.text.index(f'id="service-proofs-{reply["id"]}"'):]
    assert "回证.png" in card[:card.index("</div>")]
    assert "（送达凭证）" in page.text  # and in the 附件 panel's list
    # Refusals come back on the card in Chinese: a letter whose service is not recorded, an HTML file.
    receipt = letters_of(client, world, rid)["receipt"]
    r = client.post(f"/letters/{receipt['id']}/service/attachments", data={"csrf_token": token},
                    files={"file": ("回证.pdf", pdf_bytes(1), "application/pdf")})
    assert "请先登记该文书的送达" in r.text
    r = client.post(f"/letters/{reply['id']}/service/attachments", data={"csrf_token": token},
                    files={"file": ("回证.pdf", b"<html><body>x</body></html>", "application/pdf")})
    assert "不接受该类型的文件（识别为 HTML）" in r.text
    r = client.post(f"/letters/{reply['id']}/service/attachments", data={"csrf_token": "forged"},
                    files={"file": ("y.pdf", pdf_bytes(1), "application/pdf")})
    assert r.status_code == 403
    assert len(client.get(f"/api/v1/letters/{reply['id']}/service/attachments").json()) == 1
