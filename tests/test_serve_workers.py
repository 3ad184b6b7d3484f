"""`ogi serve --workers 2` on PostgreSQL: every answer is the same whichever process gives it. Fresh
connections spread over both workers; a calendar installed by another process, a login and a
logout, and parallel registrations are seen alike by both (issue 15)."""

from __future__ import annotations

import os
import re
import signal
import socket
import subprocess
import sys
import time
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_world
from tests.test_calendar_interfaces import YEAR_2027

pytestmark = pytest.mark.postgres
ROUNDS = 24  # fresh connections per check: the kernel spreads them over the workers


def _port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.fixture
def server(request, tmp_path: Path):  # type: ignore[no-untyped-def]
    url = request.getfixturevalue("postgres_schema_url")
    from tests.conftest import _truncate_postgres

    _truncate_postgres(url)
    world = make_world(url, tmp_path)
    env = {**os.environ, "OGI_DATABASE_URL": url, "OGI_CALENDAR_DIR": str(tmp_path / "calendars"),
           "OGI_SEAL_DIR": str(tmp_path / "seals")}
    port = _port()
    proc = subprocess.Popen([sys.executable, "-c", "from service.quick import main; main()", "serve", "--port",
                             str(port), "--workers", "2"], env=env, start_new_session=True,
                            stdout=subprocess.DEVNULL, stderr=subprocess.PIPE)
    base = f"http://127.0.0.1:{port}"
    for _ in range(300):
        try:
            if httpx.get(base + "/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            time.sleep(0.2)
    else:
        os.killpg(proc.pid, signal.SIGKILL)
        pytest.fail("ogi serve --workers 2 did not start: " + proc.stderr.read().decode()[-2000:])  # type: ignore[union-attr]
    yield base, env, world
    os.killpg(proc.pid, signal.SIGTERM)
    proc.wait(timeout=30)


def _fresh(base: str, path: str, **kw: object) -> httpx.Response:
    with httpx.Client(base_url=base, timeout=30) as c:  # a new connection each time
        return c.get(path, **kw)  # type: ignore[arg-type]


def test_two_workers_agree_on_calendars_sessions_and_numbers(server, tmp_path: Path) -> None:
    base, env, world = server
    due = [_fresh(base, "/api/v1/calendar/due", params={"start": "2026-12-21"}).json() for _ in range(ROUNDS)]
    assert {d["provisional"] for d in due} == {True}
    # Installed by another process (the CLI): every worker answers with the new year.
    path = tmp_path / "official-2027.toml"
    path.write_text(YEAR_2027, encoding="utf-8")
    subprocess.run([sys.executable, "-c", "from service.quick import main; main()", "calendar", "import", str(path)],
                   env=env, check=True, capture_output=True)
    due = [_fresh(base, "/api/v1/calendar/due", params={"start": "2026-12-21"}).json() for _ in range(ROUNDS)]
    assert {(d["due"], d["provisional"]) for d in due} == {("2027-01-19", False)}

    # A web session made by one worker is honoured by both, and ended for both at logout.
    with httpx.Client(base_url=base, timeout=30) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/login").text).group(1)  # type: ignore[union-attr]
        r = c.post("/login", data={"username": "clerk", "password": "correct horse", "csrf_token": token, "next": "/"})
        assert r.status_code in (200, 303)
        cookies = dict(c.cookies)
    pages = [_fresh(base, "/", cookies=cookies) for _ in range(ROUNDS)]
    assert {p.status_code for p in pages} == {200}
    with httpx.Client(base_url=base, timeout=30, cookies=cookies) as c:
        token = re.search(r'name="csrf_token" value="([^"]+)"', c.get("/").text).group(1)  # type: ignore[union-attr]
        c.post("/logout", data={"csrf_token": token})
    pages = [_fresh(base, "/", cookies=cookies, follow_redirects=False) for _ in range(ROUNDS)]
    assert {p.status_code for p in pages} == {303}

    # Parallel registrations through both workers: gap-free numbers, no error.
    body = {"applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "description": "申请公开规划许可文件"}
    headers = {"Authorization": f"Bearer {world.tokens['clerk']}"}

    def register(_: int) -> httpx.Response:
        with httpx.Client(base_url=base, timeout=60) as c:
            return c.post("/api/v1/requests", json=body, headers=headers)

    with ThreadPoolExecutor(16) as pool:
        answers = list(pool.map(register, range(48)))
    assert {a.status_code for a in answers} == {201}
    seqs = sorted(int(re.search(r"〕(\d+)号", a.json()["number"]).group(1)) for a in answers)  # type: ignore[union-attr]
    assert seqs == list(range(1, 49))
