"""Browser-test fixtures: a uvicorn server on a free loopback port with its own SQLite database and
the test world's users, and Debian's Chromium driven by Playwright (its own browser download is not
available on these machines)."""

from __future__ import annotations

import os
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import httpx
import pytest

from tests.conftest import make_world

ROOT = Path(__file__).resolve().parents[2]
# The committed screenshots are refreshed on request (OGI_UPDATE_SCREENSHOTS=1); an ordinary run writes
# them to a scratch folder so running the tests never changes tracked files.
SCREENSHOTS = (ROOT / "docs" / "screenshots" if os.environ.get("OGI_UPDATE_SCREENSHOTS")
               else Path(tempfile.gettempdir()) / "ogi-screenshots")
CHROMIUM = "/usr/bin/chromium"
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return int(s.getsockname()[1])


@dataclass
class Server:
    """The running desk: its base URL and its database."""

    url: str
    db_url: str


@pytest.fixture(scope="module")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Server]:
    """uvicorn serving the app on 127.0.0.1 with a migrated SQLite database holding the test world."""
    from service.db import get_engine, upgrade

    tmp = tmp_path_factory.mktemp("desk")
    db_url = f"sqlite:///{tmp / 'ogi.db'}"
    upgrade(db_url)
    make_world(db_url, tmp)
    get_engine(db_url).dispose()
    port = free_port()
    env = {**os.environ, "OGI_DATABASE_URL": db_url, "OGI_CALENDAR_DIR": str(tmp / "calendars"),
           "OGI_SEAL_DIR": str(tmp / "seals")}
    log = (tmp / "uvicorn.log").open("w")
    proc = subprocess.Popen([sys.executable, "-m", "uvicorn", "service.app:create_app", "--factory",
                             "--host", "127.0.0.1", "--port", str(port), "--log-level", "warning"],
                            cwd=ROOT, env=env, stdout=log, stderr=subprocess.STDOUT)
    url = f"http://127.0.0.1:{port}"
    deadline = time.monotonic() + 60
    while True:
        try:
            if httpx.get(f"{url}/healthz", timeout=1).status_code == 200:
                break
        except httpx.HTTPError:
            pass
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            raise RuntimeError(f"uvicorn did not start: {(tmp / 'uvicorn.log').read_text()}")
        time.sleep(0.2)
    yield Server(url=url, db_url=db_url)
    proc.terminate()
    try:
        proc.wait(timeout=10)
    except subprocess.TimeoutExpired:
        proc.kill()
    log.close()


@pytest.fixture(scope="module")
def browser() -> Iterator[object]:
    """Headless Debian Chromium through Playwright."""
    if not Path(CHROMIUM).exists():
        pytest.skip(f"{CHROMIUM} is not installed (scripts/dev.sh installs it)")
    from playwright.sync_api import sync_playwright

    with sync_playwright() as pw:
        chromium = pw.chromium.launch(executable_path=CHROMIUM, args=CHROMIUM_ARGS)
        yield chromium
        chromium.close()


def shot(page: object, name: str) -> None:
    """Save a full-page screenshot as <SCREENSHOTS>/<name>.png (docs/screenshots/ when updating)."""
    SCREENSHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SCREENSHOTS / f"{name}.png"), full_page=True)  # type: ignore[attr-defined]
