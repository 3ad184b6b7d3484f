"""The administration commands a new deployment starts with: agencies, users, tokens, audit."""

from __future__ import annotations

from pathlib import Path

from typer.testing import CliRunner

from service.cli import app
from tests.conftest import AGENCIES_TOML


def test_agencies_users_tokens_from_the_command_line(db_url, tmp_path: Path, client) -> None:
    runner = CliRunner()
    agencies = tmp_path / "agencies.toml"
    agencies.write_text(AGENCIES_TOML, encoding="utf-8")
    done = runner.invoke(app, ["agency", "import", str(agencies)])
    assert done.exit_code == 0, done.output
    assert "3 agencies created" in done.output
    again = runner.invoke(app, ["agency", "import", str(agencies)])
    assert "0 agencies created, 3 updated" in again.output

    added = runner.invoke(app, ["user", "add", "zhang", "--role", "clerk", "--agency", "housing",
                                "--password", "correct horse"])
    assert added.exit_code == 0, added.output
    token = runner.invoke(app, ["token", "create", "zhang"]).output.strip()
    assert token.startswith("ogi_")
    me = client.get("/api/v1/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert (me["username"], me["role"]) == ("zhang", "clerk")

    # Bad input: a clear message on stderr, exit code 2, nothing written.
    for args, field in ((["user", "add", "li", "--role", "janitor", "--agency", "housing", "--password", "x" * 8],
                         "role"),
                        (["user", "add", "li", "--role", "clerk", "--agency", "nowhere", "--password", "x" * 8],
                         "agency"),
                        (["user", "add", "li", "--role", "clerk", "--agency", "housing", "--password", "short"],
                         "password"),
                        (["user", "add", "zhang", "--role", "clerk", "--agency", "housing", "--password", "x" * 8],
                         "already exists"),
                        (["token", "create", "nobody"], "username")):
        result = runner.invoke(app, args)
        assert result.exit_code == 2, (args, result.output)
        assert field in result.output
    assert runner.invoke(app, ["token", "create", "li"]).exit_code == 2  # li was never created

    broken = tmp_path / "broken.toml"
    broken.write_text('[[agency]]\ncode = "x"\n', encoding="utf-8")
    bad = runner.invoke(app, ["agency", "import", str(broken)])
    assert bad.exit_code == 2 and "name" in bad.output
    assert runner.invoke(app, ["audit", "verify"]).exit_code == 0
