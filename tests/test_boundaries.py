"""Boundaries between units (issue 14): letter prefixes unique across the deployment, calendars and
scheme assignments only by an admin of every unit they affect, each such change recorded with its actor.
Every test runs on SQLite and PostgreSQL; each refusal is a 403/404/422 (or a CLI error), never a 500."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from tests.conftest import auth
from tests.test_sweep_service import TEST_2027
from tests.test_web import login
from tests.test_web_admin import field_text, upload

DUPLICATE_PREFIX_TOML = """
[[agency]]
code = "water"
name = "常熟市水务局"
parent = "city"
letter_prefix = "常住建依申"
reconsideration_body = "常熟市人民政府"
court = "常熟市人民法院"
contact = "0512-52000003"
"""

# The housing admin re-imports their own unit with env's prefix.
HOUSING_WITH_ENV_PREFIX = """
[[agency]]
code = "housing"
name = "常熟市住房和城乡建设局"
parent = "city"
letter_prefix = "常环依申"
reconsideration_body = "常熟市人民政府"
court = "常熟市人民法院"
contact = "0512-52000001"
"""

GX_OVERLAY = (Path(__file__).resolve().parents[1] / "workflow" / "calendar" / "data" / "regions" / "gx.toml").read_text(
    encoding="utf-8").replace("2014年起）", "2014年起；测试重装）")


def _admin(db_url: str, username: str, agency: str, *, deployment: bool = False) -> str:
    """Create an admin of ``agency`` and return their bearer token."""
    from service.db import transaction
    from service.users.service import add_user, create_token

    with transaction(db_url) as session:
        add_user(session=session, username=username, password="correct horse", role="admin", agency_code=agency,
                 deployment_admin=deployment)
        return create_token(session=session, username=username)


def _changes(db_url: str, action: str) -> list[tuple[str, str]]:
    from service.adminlog.service import recent
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        return [(c.actor, c.target) for c in recent(session=session, action=action)]


def _prefix(db_url: str, code: str) -> str:
    from service.agencies.repository import by_code
    from service.db import transaction

    with transaction(db_url, readonly=True) as session:
        return by_code(session=session, code=code).letter_prefix  # type: ignore[union-attr]


def test_cli_import_refuses_a_duplicate_letter_prefix(world, db_url, tmp_path: Path) -> None:
    path = tmp_path / "water.toml"
    path.write_text(DUPLICATE_PREFIX_TOML, encoding="utf-8")
    result = CliRunner().invoke(app, ["agency", "import", str(path)])
    assert result.exit_code == 2
    assert "water.letter_prefix" in result.output and "already used by unit 'housing'" in result.output
    assert _changes(db_url, "agency_import") == []
    fixed = tmp_path / "water-fixed.toml"
    fixed.write_text(DUPLICATE_PREFIX_TOML.replace("常住建依申", "常水依申"), encoding="utf-8")
    result = CliRunner().invoke(app, ["agency", "import", str(fixed)])
    assert result.exit_code == 0, result.output
    assert [t for _, t in _changes(db_url, "agency_import")] == ["water-fixed.toml"]
    assert _changes(db_url, "agency_import")[0][0].startswith("cli:")


def test_sub_unit_admin_cannot_take_another_units_prefix(client, world, db_url) -> None:
    from service.db import transaction
    from service.users.service import add_user

    with transaction(db_url) as session:
        add_user(session=session, username="housing_admin", password="correct horse", role="admin",
                 agency_code="housing")
    login(client, "housing_admin")
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "housing.toml", HOUSING_WITH_ENV_PREFIX)
    assert r.status_code == 422
    # env is outside the housing admin's tree: the clash is said, the other unit is not named.
    assert "文号前缀“常环依申”已被其他单位使用" in field_text(r.text, "file")
    assert _prefix(db_url, "housing") == "常住建依申"
    # Registrations in both units still work (the failure mode was a 500 for good).
    for user in ("clerk", "env_clerk"):
        r = client.post("/api/v1/requests", headers=auth(world, user), json={
            "channel": "in_person", "arrival_at": "2026-09-21T10:00:00+08:00", "description": "某项目批复",
            "applicant": {"kind": "natural_person", "name": "张三", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"}})
        assert r.status_code == 201, r.text


def test_admin_page_names_a_clashing_unit_inside_the_tree(client, world, db_url) -> None:
    login(client, "admin")
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.toml", DUPLICATE_PREFIX_TOML)
    assert r.status_code == 422
    assert "已被单位 housing 使用" in field_text(r.text, "file")
    r = upload(client, "/admin/agencies/import", "/admin/agencies", "water.toml",
               DUPLICATE_PREFIX_TOML.replace("常住建依申", "常水依申"))
    assert r.status_code == 303
    assert _changes(db_url, "agency_import") == [("admin", "water.toml")]


def test_national_calendar_needs_a_deployment_admin(client, world, db_url) -> None:
    from service.db import transaction
    from service.users.service import add_user

    with transaction(db_url) as session:
        # The city's admin oversees every unit here, but a national year reaches every deployment unit.
        add_user(session=session, username="city_admin", password="correct horse", role="admin",
                 agency_code="city")
        add_user(session=session, username="housing_admin", password="correct horse", role="admin",
                 agency_code="housing")
    for username in ("housing_admin", "city_admin"):
        client.cookies.clear()
        login(client, username)
        r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027)
        assert r.status_code == 403, username
        assert "只有全局管理员可以安装" in field_text(r.text, "file")
    assert _changes(db_url, "calendar_install") == []
    assert client.get("/api/v1/calendar/years/2027").json()["provisional"] is True  # nothing installed
    client.cookies.clear()
    login(client, "admin")  # the deployment admin
    r = upload(client, "/admin/calendar/import", "/admin/calendar", "2027.toml", TEST_2027)
    assert r.status_code == 303
    assert _changes(db_url, "calendar_install") == [("admin", "year 2027")]


def test_regional_calendar_needs_an_admin_of_every_unit_using_it(client, world, db_url) -> None:
    from sqlmodel import select

    from service.agencies.models import Agency
    from service.db import transaction
    from service.users.service import add_user

    with transaction(db_url) as session:
        for agency in session.exec(select(Agency).where(Agency.code.in_(["housing", "env"]))):  # type: ignore[attr-defined]
            agency.region = "gx"
            session.add(agency)
        add_user(session=session, username="housing_admin", password="correct horse", role="admin",
                 agency_code="housing")
        add_user(session=session, username="city_admin", password="correct horse", role="admin",
                 agency_code="city")
    login(client, "housing_admin")  # env uses gx too, and is not theirs
    r = upload(client, "/admin/calendar/import", "/admin/calendar", "gx.toml", GX_OVERLAY)
    assert r.status_code == 403
    assert "地区日历 gx 也用于您管辖范围以外的单位" in field_text(r.text, "file")
    client.cookies.clear()
    login(client, "city_admin")  # oversees housing and env: allowed without the deployment right
    r = upload(client, "/admin/calendar/import", "/admin/calendar", "gx.toml", GX_OVERLAY)
    assert r.status_code == 303, r.text
    assert _changes(db_url, "calendar_install") == [("city_admin", "region gx")]


def test_scheme_assignment_only_by_an_admin_of_every_graded_unit(client, world, db_url) -> None:
    housing = _admin(db_url, "housing_admin", "housing")
    city = _admin(db_url, "city_admin", "city")
    put = "/api/v1/schemes/changshu-2020/assignments/{}"
    # Unassigned, the scheme grades every unit: a sub-unit admin may not narrow it to their own.
    r = client.put(put.format("housing"), headers={"Authorization": f"Bearer {housing}"})
    assert r.status_code == 403 and r.json()["detail"]["error"] == "not_permitted"
    # Another unit's office is not even known to them.
    r = client.put(put.format("env"), headers={"Authorization": f"Bearer {housing}"})
    assert r.status_code == 404
    # The city's admin oversees every unit here.
    r = client.put(put.format("city"), headers={"Authorization": f"Bearer {city}"})
    assert r.status_code == 200, r.text
    # Now assigned to the whole city: the housing admin still may not reassign it.
    r = client.put(put.format("housing") + "?include_office=true", headers={"Authorization": f"Bearer {housing}"})
    assert r.status_code == 403
    # A clerk is no admin at all; an unknown scheme is a 404.
    assert client.put(put.format("housing"), headers=auth(world, "clerk")).status_code == 403
    r = client.put("/api/v1/schemes/nope/assignments/city", headers={"Authorization": f"Bearer {city}"})
    assert r.status_code == 404
    assert _changes(db_url, "scheme_assign") == [("city_admin", "changshu-2020 -> city")]

    # The same on the admin page.
    from service.db import transaction
    from service.users.service import add_user

    with transaction(db_url) as session:
        add_user(session=session, username="housing_web", password="correct horse", role="admin",
                 agency_code="housing")
    login(client, "housing_web")
    from tests.test_web import post_form

    r = post_form(client, "/admin/schemes/assign", {"scheme": "changshu-2020", "office": "housing"},
                  page_url="/admin/schemes")
    assert r.status_code == 403
    assert "只有管辖全部这些单位的管理员" in field_text(r.text, "office")


def test_cli_scheme_and_deployment_admin_are_recorded(world, db_url) -> None:
    runner = CliRunner()
    result = runner.invoke(app, ["scheme", "assign", "changshu-2020", "--office", "city"])
    assert result.exit_code == 0, result.output
    assert _changes(db_url, "scheme_assign")[0][0].startswith("cli:")
    result = runner.invoke(app, ["user", "deployment-admin", "clerk"])
    assert result.exit_code == 2 and "not an admin" in result.output
    _admin(db_url, "second_admin", "env")
    assert runner.invoke(app, ["user", "deployment-admin", "second_admin"]).exit_code == 0
    assert _changes(db_url, "deployment_admin")[0][1] == "second_admin"
