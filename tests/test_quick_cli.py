"""The quick `ogi` commands (service.quick) answer exactly as the full Typer CLI does, read the same
settings, and leave help and every error to the full CLI."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from service.cli import app as full_cli
from service.quick import QUICK

runner = CliRunner()

CASES = [
    ["calendar", "due", "2026-09-21"],
    ["calendar", "due", "2026-09-21", "--days", "15"],
    ["calendar", "due", "2026-09-21", "-d", "7", "-r", "gx"],
    ["calendar", "due", "2026-09-21", "--region=gx", "--days=3"],
    ["calendar", "due", "2027-12-20", "-d", "20"],
    ["calendar", "due", "2026-09-21", "-d", "0"],
    ["calendar", "explain", "2026-09-30", "-d", "5"],
    ["calendar", "explain", "2026-01-28", "--days", "10", "--region", "gx"],
]


def _quick(args: list[str], env: dict[str, str] | None = None) -> subprocess.CompletedProcess:
    code = "import sys; from service.quick import main; sys.argv = ['ogi', *sys.argv[1:]]; main()"
    return subprocess.run([sys.executable, "-c", code, *args], capture_output=True, text=True, env=env)


@pytest.mark.parametrize("args", CASES)
def test_quick_answer_equals_the_full_cli(args: list[str]) -> None:
    full = runner.invoke(full_cli, args)
    quick = _quick(args)
    assert quick.returncode == full.exit_code == 0, (quick.stderr, full.output)
    assert quick.stdout == full.output


@pytest.mark.parametrize("args", [["calendar", "due"], ["calendar", "due", "--help"], ["calendar", "due", "nonsense"],
                                  ["calendar", "due", "2026-09-21", "-d", "-1"], ["calendar", "due", "1900-01-01"],
                                  ["calendar", "due", "2026-09-21", "--bogus"], ["calendar", "due", "2026-09-21", "-r", "xx"]])
def test_help_and_errors_come_from_the_full_cli(args: list[str]) -> None:
    from service.quick import calendar

    assert calendar.run(args) is None
    full = runner.invoke(full_cli, args)
    quick = _quick(args)
    assert quick.returncode == full.exit_code != 0 or "--help" in args


def test_quick_commands_import_no_heavy_modules() -> None:
    probe = ("import sys; from service.quick import calendar; calendar.run(['calendar', 'due', '2026-09-21']); "
             "heavy = [m for m in ('pydantic', 'sqlalchemy', 'fastapi', 'rich', 'typer', 'sqlmodel') if m in sys.modules]; "
             "print('heavy:' + ','.join(heavy))")
    out = subprocess.run([sys.executable, "-c", probe], capture_output=True, text=True, check=True).stdout
    assert out.strip().splitlines()[-1] == "heavy:", out


def test_quick_settings_read_like_the_full_settings(tmp_path, monkeypatch) -> None:
    from service.quick.settings import setting
    from service.settings import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OGI_REGION", raising=False)
    monkeypatch.delenv("OGI_CALENDAR_DIR", raising=False)
    assert setting("region") == Settings().region
    assert setting("calendar_dir") == str(Settings().calendar_dir)
    (tmp_path / ".env").write_text("OGI_REGION=gx\nOGI_CALENDAR_DIR='/srv/cal'\n")
    assert setting("region") == Settings().region == "gx"
    assert setting("calendar_dir") == str(Settings().calendar_dir) == "/srv/cal"
    monkeypatch.setenv("ogi_region", "")
    assert setting("region") == Settings().region == ""


def test_every_quick_module_has_run() -> None:
    import importlib

    for module in set(QUICK.values()):
        assert callable(importlib.import_module(module).run)


def test_quick_settings_read_the_database_url_like_the_full_settings(tmp_path, monkeypatch) -> None:
    from service.quick.settings import setting
    from service.settings import Settings

    monkeypatch.chdir(tmp_path)
    monkeypatch.delenv("OGI_DATABASE_URL", raising=False)
    assert setting("database_url") == Settings().database_url
    (tmp_path / ".env").write_text("OGI_DATABASE_URL=sqlite:////srv/ogi/ogi.db\n")
    assert setting("database_url") == Settings().database_url == "sqlite:////srv/ogi/ogi.db"


def test_quick_answers_only_when_the_directory_holds_every_calendar_in_the_database(tmp_path, monkeypatch) -> None:
    """A calendar installed in the database (by another server) and not yet in this server's directory:
    the quick command leaves the answer to the full one, which copies it; then it answers again."""
    import sqlite3

    from service.quick import calendar
    from service.quick.installed import directory_is_current, sqlite_file

    folder, db = tmp_path / "calendars", tmp_path / "ogi.db"
    url = f"sqlite:///{db}"
    monkeypatch.setenv("OGI_DATABASE_URL", url)
    monkeypatch.setenv("OGI_CALENDAR_DIR", str(folder))
    args = ["calendar", "due", "2026-09-21"]
    assert directory_is_current(url, folder) and calendar.run(args) == 0  # no database file yet
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE unrelated (x)")
    assert directory_is_current(url, folder)  # a database not migrated yet holds no calendar
    with sqlite3.connect(db) as conn:
        conn.execute("CREATE TABLE calendar_document (kind TEXT, key TEXT, data TEXT)")
        conn.execute("INSERT INTO calendar_document VALUES ('region', 'xj', 'region = \"xj\"\n')")
    assert not directory_is_current(url, folder) and calendar.run(args) is None
    (folder / "regions").mkdir(parents=True)
    (folder / "regions" / "xj.toml").write_text('region = "xj"\n# an older copy\n', encoding="utf-8")
    assert not directory_is_current(url, folder)
    (folder / "regions" / "xj.toml").write_text('region = "xj"\n', encoding="utf-8")
    assert directory_is_current(url, folder)
    assert not directory_is_current("postgresql+psycopg://u@127.0.0.1/ogi", folder)
    assert sqlite_file("sqlite+pysqlite:////srv/ogi.db") == Path("/srv/ogi.db")
    assert sqlite_file("sqlite:///var/ogi.db") == Path("var/ogi.db")
    assert sqlite_file("sqlite://") is None and sqlite_file("sqlite:///:memory:") is None
