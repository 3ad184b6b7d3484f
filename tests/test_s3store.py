"""The S3-compatible object store (OGI_S3_BUCKET), run against a real HTTP S3 endpoint on 127.0.0.1.

The endpoint is moto's server (``moto[server]``, a dev dependency): no MinIO, Ceph RGW or other
S3 server can be installed on the build machine from the package registries it reaches (docs/files.md
"Storage"), and moto's server speaks the S3 REST protocol over HTTP (SigV4, multipart uploads, ranged
and streamed GETs), so the code under test is the same boto3 calls a deployment makes.
"""

from __future__ import annotations

import hashlib
import socket

import pytest
from freezegun import freeze_time

from tests.conftest import auth
from tests.files_support import image_bytes, pdf_bytes

moto_server = pytest.importorskip(
    "moto.server", reason="moto[server] (the S3 endpoint these tests run against) is not installed: "
                          "pip install -e '.[dev]'")

BUCKET = "ogi-files"
BODY = {
    "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                  "id_number": "11010519491231002X", "phone": "13900000000"},
    "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00",
    "description": "申请公开某小区旧城改造项目的立项批复文件",
}


@pytest.fixture(scope="module")
def endpoint():  # type: ignore[no-untyped-def]
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    yield f"http://127.0.0.1:{port}"
    server.stop()


@pytest.fixture
def s3(endpoint, monkeypatch, tmp_path):  # type: ignore[no-untyped-def]
    """Settings pointing at a fresh bucket; yields a boto3 client to look into it."""
    import boto3

    from service.settings import get_settings

    client = boto3.client("s3", endpoint_url=endpoint, region_name="us-east-1", aws_access_key_id="ogi",
                          aws_secret_access_key="ogi-secret")
    for obj in client.list_objects_v2(Bucket=BUCKET).get("Contents", []) if _has_bucket(client) else []:
        client.delete_object(Bucket=BUCKET, Key=obj["Key"])
    if not _has_bucket(client):
        client.create_bucket(Bucket=BUCKET)
    for name, value in {"S3_BUCKET": BUCKET, "S3_ENDPOINT_URL": endpoint, "S3_ACCESS_KEY": "ogi",
                        "S3_SECRET_KEY": "ogi-secret", "S3_PREFIX": "desk/", "STORAGE_DIR": str(tmp_path / "scratch")
                        }.items():
        monkeypatch.setenv(f"OGI_{name}", value)
    get_settings.cache_clear()
    yield client
    get_settings.cache_clear()


def _has_bucket(client) -> bool:  # type: ignore[no-untyped-def]
    return any(b["Name"] == BUCKET for b in client.list_buckets()["Buckets"])


def keys(client) -> list[str]:  # type: ignore[no-untyped-def]
    return sorted(o["Key"] for o in client.list_objects_v2(Bucket=BUCKET).get("Contents", []))


def test_store_put_read_dedupe_and_multipart(s3, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from service.files.s3store import S3Store
    from service.files.storage import get_store

    store = get_store()
    assert isinstance(store, S3Store)
    big = (b"0123456789abcdef" * 65536) * 20  # 20 MB: sent in parts
    sha = hashlib.sha256(big).hexdigest()
    assert not store.exists(sha) and store.digest(sha) is None
    with pytest.raises(FileNotFoundError):
        store.open(sha)
    for _ in range(2):  # the second upload of the same content is not sent again
        with store.temp_file() as (fh, path):
            fh.write(big)
            fh.flush()
            store.put(path, sha)
            assert not path.exists()  # the scratch file is gone either way
    assert keys(s3) == [f"desk/{sha[:2]}/{sha[2:4]}/{sha}"]
    head = s3.head_object(Bucket=BUCKET, Key=keys(s3)[0])
    assert head["ContentLength"] == len(big) and head["ETag"].strip('"').endswith("-3")  # three 8 MB parts
    assert store.exists(sha) and store.digest(sha) == sha
    assert b"".join(store.iter_bytes(sha)) == big
    with store.open(sha) as fh:
        fh.seek(len(big) - 16)
        assert fh.read() == b"0123456789abcdef"
    assert list((tmp_path / "scratch" / "tmp").iterdir()) == []


def test_attachments_case_file_and_verify_through_the_object_store(client, world, s3, db_url, tmp_path) -> None:  # type: ignore[no-untyped-def]
    from service.db import transaction
    from service.files.service import verify_files
    from service.files.storage import get_store
    from tests.test_archive import pages_text

    with freeze_time("2026-10-20 02:00:00", tick=True):
        rid = client.post("/api/v1/requests", json=BODY, headers=auth(world, "clerk")).json()["id"]
        sent = {}
        for name, data, kind in (("批复.pdf", pdf_bytes(2, text="对象存储中的立项批复"), "released"),
                                 ("身份证.jpg", image_bytes("JPEG", (400, 250)), "identity")):
            r = client.post(f"/api/v1/requests/{rid}/attachments", data={"kind": kind},
                            files={"file": (name, data, "application/octet-stream")}, headers=auth(world, "clerk"))
            assert r.status_code == 201, r.text
            sent[name] = (r.json(), data)
    shas = {got["sha256"] for got, _ in sent.values()}
    assert keys(s3) == sorted(f"desk/{h[:2]}/{h[2:4]}/{h}" for h in shas)
    # Nothing of the files stays on the server's disk: the scratch directory is empty.
    assert [p for p in (tmp_path / "scratch").rglob("*") if p.is_file()] == []
    for got, data in sent.values():
        down = client.get(got["download"], headers=auth(world, "handler"))
        assert down.status_code == 200 and down.content == data
        assert down.headers["content-disposition"].startswith("attachment;")
        assert client.get(got["download"], headers=auth(world, "env_clerk")).status_code == 404
    # The case file reads the PDF and the scan back from the bucket and merges them.
    pdf = client.get(f"/api/v1/requests/{rid}/case-file.pdf", headers=auth(world, "clerk")).content
    text = pages_text(pdf)
    assert "身份证明：身份证.jpg" in text[1].replace("\n", "")
    assert [t for t in text[2:] if "对象存储中的立项批复" in t] != []
    assert len(text) >= 2 + 1 + 1 + 2  # cover and 卷内目录, the receipt, the scan, the two released pages
    # A swapped object is caught against the hash on the chain, a deleted one is reported missing.
    got = sent["批复.pdf"][0]
    with transaction(db_url) as session:
        assert list(verify_files(session=session, store=get_store())) == []
    key = f"desk/{got['sha256'][:2]}/{got['sha256'][2:4]}/{got['sha256']}"
    s3.put_object(Bucket=BUCKET, Key=key, Body=pdf_bytes(1))
    with transaction(db_url) as session:
        problems = list(verify_files(session=session, store=get_store()))
    assert [p.attachment_id for p in problems] == [got["id"]] and "changed" in problems[0].problem
    s3.delete_object(Bucket=BUCKET, Key=key)
    with transaction(db_url) as session:
        problems = list(verify_files(session=session, store=get_store()))
    assert "missing" in problems[0].problem
    assert client.get(got["download"], headers=auth(world, "clerk")).status_code == 409
