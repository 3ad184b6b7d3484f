"""`ogi calendar …` (Typer CliRunner) and /api/v1/calendar/… (TestClient): no database needed,
except `import`, which recomputes open requests (stubbed here; the requests resource tests it)."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlmodel import Session
from test_calendar import YEAR_2027  # the same made-up 2027 notice as the calendar tests
from typer.testing import CliRunner

from service.app import create_app
from service.cli import app as ogi
from service.settings import get_settings

runner = CliRunner()



@pytest.fixture
def calendar_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Path]:
    """A private calendar directory and SQLite file, so nothing touches var/."""
    folder = tmp_path / "calendars"
    monkeypatch.setenv("OGI_CALENDAR_DIR", str(folder))
    monkeypatch.setenv("OGI_DATABASE_URL", f"sqlite:///{tmp_path / 'ogi.db'}")
    monkeypatch.delenv("OGI_REGION", raising=False)
    get_settings.cache_clear()
    yield folder
    get_settings.cache_clear()


@pytest.fixture
def recomputed(monkeypatch: pytest.MonkeyPatch) -> list[str]:
    """Stub the requests resource's batch recomputation (three due dates change in the first batch of
    each job); record the reasons it was called with."""
    calls: list[str] = []

    def fake(*, session: Session, reason: str, after_id: int, limit: int, now: object = None, actor_id: int | None = None,
             actor: str = "") -> tuple[int, int, int]:
        if after_id:
            return after_id, 0, 0  # nothing after the first batch: the job is done
        calls.append(reason)
        return 1, 3, 3

    monkeypatch.setattr("service.requests.recalc.recompute_batch", fake)
    return calls


@pytest.fixture
def client(calendar_dir: Path) -> TestClient:
    return TestClient(create_app())


# -- CLI -----------------------------------------------------------------------------------------


def test_cli_due(calendar_dir: Path) -> None:
    result = runner.invoke(ogi, ["calendar", "due", "2026-09-21"])
    assert result.exit_code == 0 and result.stdout == "2026-10-26\n"
    result = runner.invoke(ogi, ["calendar", "due", "2025-03-28", "--days", "3", "--region", "gx"])
    assert result.stdout == "2025-04-07\n"
    result = runner.invoke(ogi, ["calendar", "due", "2026-12-21"])
    assert result.stdout == "2027-01-19\nprovisional\n"


@pytest.mark.parametrize(("args", "message"), [
    (["2026-02-30"], "DATE must be a date"),
    (["2026-09-21", "--days", "-1"], "cannot be negative"),
    (["2026-09-21", "--region", "zz"], "unknown region 'zz'"),
    (["2050-01-01"], "outside the supported range"),
])
def test_cli_due_rejects_bad_input(calendar_dir: Path, args: list[str], message: str) -> None:
    result = runner.invoke(ogi, ["calendar", "due", *args])
    assert result.exit_code != 0
    assert message in result.stderr


def test_cli_show(calendar_dir: Path) -> None:
    result = runner.invoke(ogi, ["calendar", "show", "2026"])
    assert result.exit_code == 0
    assert "2026-02-15" in result.stdout and "春节" in result.stdout and "2026-02-28" in result.stdout
    assert "国务院办公厅关于2026年部分节假日安排的通知" in result.stdout
    result = runner.invoke(ogi, ["calendar", "show", "2026", "--region", "gx"])
    assert "壮族三月三" in result.stdout
    result = runner.invoke(ogi, ["calendar", "show", "2027"])
    assert "provisional" in result.stdout


def test_cli_explain(calendar_dir: Path) -> None:
    result = runner.invoke(ogi, ["calendar", "explain", "2026-02-13", "--days", "2"])
    assert result.exit_code == 0
    assert "2026-02-14 周六  第1个工作日  春节调休上班" in result.stdout
    assert "2026-02-15 周日  不计：节假日  春节" in result.stdout
    assert result.stdout.endswith("due 2026-02-24\n")


def test_cli_import_installs_and_recomputes(calendar_dir: Path, recomputed: list[str], tmp_path: Path) -> None:
    path = tmp_path / "official-2027.toml"
    path.write_text(YEAR_2027, encoding="utf-8")
    assert runner.invoke(ogi, ["calendar", "due", "2026-12-21"]).stdout.endswith("provisional\n")
    result = runner.invoke(ogi, ["calendar", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (calendar_dir / "2027.toml").read_text(encoding="utf-8") == YEAR_2027
    assert "3 open request(s) changed" in result.stdout
    assert recomputed == ["calendar import: year 2027"]
    # 2027 is official now: 1/1–1/3 off, so the answer is the same date but no longer provisional.
    assert runner.invoke(ogi, ["calendar", "due", "2026-12-21"]).stdout == "2027-01-19\n"
    # Importing the same file again changes nothing.
    again = runner.invoke(ogi, ["calendar", "import", str(path)])
    assert "already installed" in again.stdout and recomputed == ["calendar import: year 2027"]


def test_cli_import_rejects_a_bad_file(calendar_dir: Path, recomputed: list[str], tmp_path: Path) -> None:
    path = tmp_path / "2027.toml"
    path.write_text(YEAR_2027.replace("last = 2027-01-03", "work = [2027-01-04]"), encoding="utf-8")
    result = runner.invoke(ogi, ["calendar", "import", str(path)])
    assert result.exit_code != 0
    assert "holidays[0] (元旦): make-up working day 2027-01-04 is a weekday" in result.stderr
    assert not (calendar_dir / "2027.toml").exists() and recomputed == []
    missing = runner.invoke(ogi, ["calendar", "import", str(tmp_path / "nope.toml")])
    assert missing.exit_code != 0 and "cannot read" in missing.stderr


def test_cli_import_interrupted_by_a_failing_recompute_is_finished_by_importing_again(
        calendar_dir: Path, recomputed: list[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import service.requests.recalc as recalc

    working = recalc.recompute_batch

    def broken(**_: object) -> tuple[int, int, int]:
        raise RuntimeError("database down")

    monkeypatch.setattr(recalc, "recompute_batch", broken)
    path = tmp_path / "2027.toml"
    path.write_text(YEAR_2027, encoding="utf-8")
    result = runner.invoke(ogi, ["calendar", "import", str(path)])
    assert result.exit_code != 0 and isinstance(result.exception, RuntimeError)
    assert "job 1: year 2027 running, 0 request(s) done" in runner.invoke(ogi, ["calendar", "jobs"]).stdout
    monkeypatch.setattr(recalc, "recompute_batch", working)
    again = runner.invoke(ogi, ["calendar", "import", str(path)])
    assert again.exit_code == 0, again.output
    assert "finishing the recomputation" in again.stdout and "unchanged" not in again.stdout
    assert "3 open request(s) changed" in again.stdout
    assert "job 1: year 2027 done" in runner.invoke(ogi, ["calendar", "jobs"]).stdout


def test_cli_import_region_overlay(calendar_dir: Path, recomputed: list[str], tmp_path: Path) -> None:
    path = tmp_path / "xinjiang.toml"
    path.write_text('region = "xj"\nname = "新疆维吾尔自治区"\nsource = "测试"\n'
                    '[[holidays]]\nname = "肉孜节"\nfirst = 2026-03-20\n', encoding="utf-8")
    result = runner.invoke(ogi, ["calendar", "import", str(path)])
    assert result.exit_code == 0, result.output
    assert (calendar_dir / "regions" / "xj.toml").exists()
    assert runner.invoke(ogi, ["calendar", "due", "2026-03-19", "--days", "1", "--region", "xj"]).stdout == \
        "2026-03-23\n"


# -- API -----------------------------------------------------------------------------------------


def test_api_due(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/due", params={"start": "2026-09-21", "days": 20})
    assert r.status_code == 200
    assert r.json() == {"start": "2026-09-21", "days": 20, "due": "2026-10-26", "provisional": False,
                        "region": None}
    r = client.get("/api/v1/calendar/due", params={"start": "2026-12-21"})
    assert r.json()["due"] == "2027-01-19" and r.json()["provisional"] is True
    r = client.get("/api/v1/calendar/due", params={"start": "2025-03-28", "days": 3, "region": "gx"})
    assert r.json()["due"] == "2025-04-07" and r.json()["region"] == "gx"


def test_api_default_region_from_settings(client: TestClient, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("OGI_REGION", "gx")
    get_settings.cache_clear()
    r = client.get("/api/v1/calendar/due", params={"start": "2025-03-28", "days": 3})
    assert r.json()["region"] == "gx" and r.json()["due"] == "2025-04-07"
    r = client.get("/api/v1/calendar/due", params={"start": "2025-03-28", "days": 3, "region": ""})
    assert r.json()["region"] is None and r.json()["due"] == "2025-04-02"


@pytest.mark.parametrize(("params", "field"), [
    ({"start": "2026-02-30"}, ["query", "start"]),
    ({"start": "yesterday"}, ["query", "start"]),
    ({}, ["query", "start"]),
    ({"start": "2026-09-21", "days": -1}, ["query", "days"]),
    ({"start": "2026-09-21", "days": "x"}, ["query", "days"]),
    ({"start": "2026-09-21", "region": "zz"}, ["query", "region"]),
    ({"start": "1999-01-01"}, ["query", "start"]),
    ({"start": "2040-12-01", "days": 100}, ["query", "days"]),
])
def test_api_bad_input_is_422_naming_the_field(client: TestClient, params: dict[str, object],
                                               field: list[str]) -> None:
    for path in ("/api/v1/calendar/due", "/api/v1/calendar/explain"):
        r = client.get(path, params=params)
        assert r.status_code == 422
        assert r.json()["detail"][0]["loc"] == field


def test_api_explain(client: TestClient) -> None:
    r = client.get("/api/v1/calendar/explain", params={"start": "2026-02-13", "days": 2})
    body = r.json()
    assert r.status_code == 200 and body["due"] == "2026-02-24" and body["provisional"] is False
    listed = body["days_list"]
    assert listed[0] == {"date": "2026-02-14", "counted": True, "ordinal": 1, "reason": None,
                         "label": "春节调休上班"}
    assert listed[1] == {"date": "2026-02-15", "counted": False, "ordinal": None, "reason": "holiday",
                         "label": "春节"}
    assert listed[-1]["ordinal"] == 2 and len(listed) == 11


def test_api_year(client: TestClient) -> None:
    body = client.get("/api/v1/calendar/years/2026").json()
    assert body["year"] == 2026 and body["provisional"] is False and body["region"] is None
    assert {"date": "2026-02-15", "name": "春节"} in body["days_off"]
    assert body["makeup_days"][0] == {"date": "2026-01-04", "name": "元旦"}
    assert "2026" in body["source"] and body["fingerprint"]
    gx = client.get("/api/v1/calendar/years/2026", params={"region": "gx"}).json()
    assert {"date": "2026-04-20", "name": "壮族三月三"} in gx["days_off"] and gx["fingerprint"] != body["fingerprint"]
    assert client.get("/api/v1/calendar/years/2027").json()["provisional"] is True
    bad = client.get("/api/v1/calendar/years/2050")
    assert bad.status_code == 422 and bad.json()["detail"][0]["loc"] == ["path", "year"]


def test_api_reads_installed_files(client: TestClient, calendar_dir: Path) -> None:
    calendar_dir.mkdir(parents=True)
    (calendar_dir / "2027.toml").write_text(YEAR_2027, encoding="utf-8")
    assert client.get("/api/v1/calendar/due", params={"start": "2026-12-21"}).json()["provisional"] is False
