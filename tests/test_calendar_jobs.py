"""Calendar installation as a resumable job: `ogi calendar import` killed with SIGKILL halfway through
the recomputation (a real subprocess), then imported again: it finishes the job instead of saying
"unchanged", and every stored due date equals a fresh recomputation. A second server, with its own
empty calendar directory, answers with the newly installed calendar. SQLite and PostgreSQL."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from datetime import UTC, datetime
from pathlib import Path

from sqlalchemy import text

from workflow.calendar.schedule import NATIONAL_DIR

NOW = datetime(2026, 10, 9, 2, 0, tzinfo=UTC)
OPEN_REQUESTS = 240
OGI = str(Path(sys.executable).with_name("ogi"))
# The shipped 2026 notice plus two made-up days off in October: every open request received on
# 2026-09-21 (due 2026-10-26) moves by two working days.
EXTRA = '\n[[holidays]]\nname = "测试假日"\nfirst = 2026-10-19\nlast = 2026-10-20\n'


def body(i: int) -> dict:
    return {"applicant": {"kind": "natural_person", "name": f"申请人{i}", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": datetime(2026, 9, 21, 2, 0, tzinfo=UTC),
            "description": f"申请公开第{i}号文件", "attachments": []}


def register_many(url: str, n: int) -> None:
    from sqlmodel import select

    from service.db import transaction
    from service.requests.service import register
    from service.users.models import User
    from service.users.service import visible_agency_ids

    with transaction(url) as session:
        user = session.exec(select(User).where(User.username == "clerk")).one()
        visible = visible_agency_ids(session=session, user=user)
        for i in range(n):
            register(session=session, user=user, visible=visible, data=body(i), now=NOW)


def stale_due_dates(url: str) -> int:
    """How many open requests' stored due dates differ from a fresh recomputation (nothing is kept)."""
    from sqlmodel import Session

    from service.calendar.store import refresh
    from service.db import get_engine
    from service.requests.recalc import recompute_open_requests

    refresh(force=True)
    with Session(get_engine(url)) as session:
        try:
            return recompute_open_requests(session=session, reason="check", now=NOW)
        finally:
            session.rollback()


def scalar(url: str, query: str) -> object:
    from service.db import get_engine

    with get_engine(url).connect() as conn:
        return conn.execute(text(query)).scalar()


def ogi(args: list[str], env: dict[str, str], **kwargs: object) -> subprocess.Popen:
    return subprocess.Popen([OGI, *args], env=env, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
                            **kwargs)  # type: ignore[call-overload]


def test_import_killed_halfway_is_finished_by_importing_again(world, db_url, tmp_path: Path) -> None:
    register_many(db_url, OPEN_REQUESTS)
    year = tmp_path / "2026.toml"
    year.write_text((NATIONAL_DIR / "2026.toml").read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    env = {**os.environ, "OGI_CALENDAR_BATCH_SIZE": "10", "OGI_CALENDAR_BATCH_PAUSE_MS": "150"}
    job = ogi(["calendar", "import", str(year)], env)
    deadline = time.monotonic() + 60
    done = 0
    while time.monotonic() < deadline and job.poll() is None:
        done = int(scalar(db_url, "SELECT COALESCE(MAX(done), 0) FROM calendar_job") or 0)  # type: ignore[arg-type]
        if done >= 30:
            break
        time.sleep(0.02)
    assert job.poll() is None, job.communicate()[0]
    job.send_signal(signal.SIGKILL)
    job.wait(10)
    assert job.returncode == -signal.SIGKILL
    assert scalar(db_url, "SELECT status FROM calendar_job") == "running"
    done = int(scalar(db_url, "SELECT done FROM calendar_job"))  # type: ignore[arg-type]
    assert 0 < done < OPEN_REQUESTS
    # Halfway: the requests after the job's cursor still carry the old due date.
    assert stale_due_dates(db_url) == OPEN_REQUESTS - done

    again = ogi(["calendar", "import", str(year)], {**os.environ})
    output = again.communicate(timeout=120)[0]
    assert again.returncode == 0, output
    assert "unchanged" not in output and "finishing the recomputation" in output
    assert f"{OPEN_REQUESTS - done} open request(s) changed due date" in output
    assert scalar(db_url, "SELECT status FROM calendar_job") == "done"
    assert stale_due_dates(db_url) == 0
    # One due_date_changed event per request: the killed batch left nothing behind.
    assert scalar(db_url, "SELECT COUNT(*) FROM request_event WHERE kind = 'due_date_changed'") == OPEN_REQUESTS
    assert scalar(db_url, "SELECT COUNT(DISTINCT due_on) FROM disclosure_request") == 1
    assert str(scalar(db_url, "SELECT MIN(due_on) FROM disclosure_request"))[:10] == "2026-10-28"
    from service.audit.verify import verify
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        assert verify(session=session) == []


def test_a_second_server_with_its_own_directory_sees_the_newly_installed_calendar(world, db_url,
                                                                                   tmp_path: Path) -> None:
    year = tmp_path / "2026.toml"
    year.write_text((NATIONAL_DIR / "2026.toml").read_text(encoding="utf-8") + EXTRA, encoding="utf-8")
    other = {**os.environ, "OGI_CALENDAR_DIR": str(tmp_path / "second-server")}
    before = ogi(["calendar", "due", "2026-09-21"], other).communicate(timeout=60)[0]
    assert before.strip() == "2026-10-26"
    installed = ogi(["calendar", "import", str(year)], {**os.environ}).communicate(timeout=120)[0]
    assert "installed year 2026" in installed
    after = ogi(["calendar", "due", "2026-09-21"], other).communicate(timeout=60)[0]
    assert after.strip() == "2026-10-28"
    assert (tmp_path / "second-server" / "2026.toml").read_text(encoding="utf-8") == year.read_text(encoding="utf-8")
    assert scalar(db_url, "SELECT COUNT(*) FROM calendar_document") == 1  # what a backup of the database carries
