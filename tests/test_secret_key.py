"""The secret key: no default, made 0600 by `ogi init`, placeholders and short keys refused with a clear
message, a cookie signed with the old default refused, rotation ends web sessions."""

from __future__ import annotations

import os
import stat
from pathlib import Path

import pytest
from itsdangerous import URLSafeTimedSerializer
from typer.testing import CliRunner

from service import secret_key
from service.cli import app
from service.settings import get_settings


@pytest.fixture
def key_env(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    """A fresh installation: no key file yet, an SQLite database in tmp."""
    path = tmp_path / "var" / "secret_key"
    monkeypatch.delenv("OGI_SECRET_KEY", raising=False)
    monkeypatch.setenv("OGI_SECRET_KEY_FILE", str(path))
    monkeypatch.setenv("OGI_DATABASE_URL", f"sqlite:///{tmp_path / 'ogi.db'}")
    get_settings.cache_clear()
    secret_key.forget()
    yield path
    get_settings.cache_clear()
    secret_key.forget()


def test_there_is_no_default_key() -> None:
    from service.settings import Settings

    assert Settings.model_fields["secret_key"].default == ""


def test_init_writes_a_key_only_the_service_user_reads(key_env: Path) -> None:
    result = CliRunner().invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    assert f"written to {key_env} (mode 0600)" in result.output
    assert stat.S_IMODE(key_env.stat().st_mode) == 0o600
    key = key_env.read_text().strip()
    assert len(key) >= 32
    again = CliRunner().invoke(app, ["init"])
    assert "kept" in again.output and key_env.read_text().strip() == key  # a second init keeps it


def test_the_app_refuses_to_start_without_a_key(key_env: Path) -> None:
    from service.app import create_app

    with pytest.raises(secret_key.SecretKeyError, match="ogi init"):
        create_app()


@pytest.mark.parametrize("key,why", [("change-me-in-production", "well-known placeholder"),
                                     ("browser-test-secret", "well-known placeholder"),
                                     ("abc123", "too short"),
                                     ("ab" * 20, "too little variety")])
def test_serve_refuses_a_known_or_short_key(key_env: Path, monkeypatch: pytest.MonkeyPatch, key: str,
                                             why: str) -> None:
    monkeypatch.setenv("OGI_SECRET_KEY", key)
    get_settings.cache_clear()
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "OGI_SECRET_KEY" in result.output and why in result.output


def test_a_key_file_others_may_read_is_refused(key_env: Path) -> None:
    secret_key.write_new(key_env)
    os.chmod(key_env, 0o644)
    result = CliRunner().invoke(app, ["serve", "--port", "1"])
    assert result.exit_code == 2
    assert "chmod 600" in result.output


def test_a_cookie_signed_with_the_old_default_is_refused(client, world) -> None:
    forged = URLSafeTimedSerializer("change-me-in-production", salt="ogi-desk-web-session").dumps(
        {"c": "x", "u": 1, "v": 0})
    client.cookies.set("ogi_session", forged)
    r = client.get("/", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"].startswith("/login")


def test_rotation_ends_web_sessions(client, world, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    from tests.test_web import login

    path = tmp_path / "rotating_key"
    secret_key.write_new(path)
    monkeypatch.setenv("OGI_SECRET_KEY_FILE", str(path))
    get_settings.cache_clear()
    secret_key.forget()
    assert login(client, "clerk").status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    result = CliRunner().invoke(app, ["secret", "rotate"])
    assert result.exit_code == 0, result.output
    assert stat.S_IMODE(path.stat().st_mode) == 0o600
    secret_key.forget()  # what a restart does
    assert client.get("/", follow_redirects=False).status_code == 303
    secret_key.forget()
