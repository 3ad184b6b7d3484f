"""Who changed the calendar is on every due date it moved (issue 14: recomputations were recorded with
actor null): installed in the admin page, the admin (as the event's actor, shown on the case page);
installed with `ogi calendar import`, ``cli:<os user>`` as for every other command-line change.
SQLite and PostgreSQL."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from freezegun import freeze_time
from sqlmodel import select
from typer.testing import CliRunner

from tests.test_sweep_service import TEST_2027, _register
from tests.test_web import login
from tests.test_web_admin import upload


def due_date_changes(db_url: str, rid: int) -> list[tuple[int | None, dict]]:
    """(actor_id, data) of each due_date_changed event of request ``rid``."""
    from service.db import transaction
    from service.requests.models import RequestEvent

    with transaction(db_url, readonly=True) as session:
        rows = session.exec(select(RequestEvent).where(RequestEvent.request_id == rid,
                                                       RequestEvent.kind == "due_date_changed")).all()
        return [(r.actor_id, dict(r.data)) for r in rows]


def user_id(db_url: str, username: str) -> int:
    from service.db import transaction
    from service.users.models import User

    with transaction(db_url, readonly=True) as session:
        return session.exec(select(User.id).where(User.username == username)).one()  # type: ignore[return-value]


def test_a_calendar_installed_in_the_admin_page_names_the_admin(client, world, db_url) -> None:
    with freeze_time("2026-12-22 02:00:00", tick=True):
        rid = _register(db_url, datetime(2026, 12, 21, 2, tzinfo=UTC), "2026-12-22")
        login(client, "admin")
        r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027)
        assert r.status_code == 303
        changes = due_date_changes(db_url, rid)
        assert [(actor, data["new"], data["actor"]) for actor, data in changes] == [
            (user_id(db_url, "admin"), "2027-01-21", "admin")]
        events = client.get(f"/api/v1/requests/{rid}").json()["events"]
        assert [e["actor"] for e in events if e["kind"] == "due_date_changed"] == ["admin"]
        page = client.get(f"/requests/{rid}").text
        assert "日历调整，答复期限变更</strong>\n      <span class=\"hint\">· admin</span>" in page


def test_a_calendar_imported_from_the_command_line_names_the_shell_user(client, world, db_url,
                                                                        tmp_path: Path) -> None:
    from service.adminlog.service import cli_actor
    from service.cli import app as ogi

    with freeze_time("2026-12-22 02:00:00", tick=True):
        rid = _register(db_url, datetime(2026, 12, 21, 2, tzinfo=UTC), "2026-12-22")
        year = tmp_path / "2027.toml"
        year.write_text(TEST_2027, encoding="utf-8")
        result = CliRunner().invoke(ogi, ["calendar", "import", str(year)])
        assert result.exit_code == 0, result.output
        assert "1 open request(s) changed due date" in result.output
        assert [(actor, data["actor"]) for actor, data in due_date_changes(db_url, rid)] == [(None, cli_actor())]
        assert cli_actor().startswith("cli:")
        login(client, "clerk")
        events = client.get(f"/api/v1/requests/{rid}").json()["events"]
        assert [(e["actor"], e["data"]["new"]) for e in events if e["kind"] == "due_date_changed"] == [
            (cli_actor(), date(2027, 1, 21).isoformat())]
