"""Accounts (issue 14): disabling a user and revoking tokens (CLI and admin pages) stop their tokens and
sessions; the lock-out holds under parallel logins; unknown users cost a hash check like real ones;
`ogi user add` without a password and without a terminal; `next` stays on the site. Both databases."""

from __future__ import annotations

import pytest
from typer.testing import CliRunner

from service.cli import app
from service.settings import get_settings
from tests.conftest import auth
from tests.test_concurrency import in_parallel
from tests.test_web import PASSWORD, csrf_of, login, post_form


def test_cli_disable_stops_tokens_and_sessions(client, world, db_url) -> None:
    assert client.get("/api/v1/me", headers=auth(world, "clerk")).status_code == 200
    assert login(client, "clerk").status_code == 303
    assert client.get("/", follow_redirects=False).status_code == 200
    result = CliRunner().invoke(app, ["user", "disable", "clerk"])
    assert result.exit_code == 0, result.output
    assert client.get("/api/v1/me", headers=auth(world, "clerk")).status_code == 401
    assert client.get("/", follow_redirects=False).status_code == 303  # the session ended
    r = login(client, "clerk")
    assert r.status_code == 401 and "用户名或密码错误" in r.text  # no hint that the account exists
    assert CliRunner().invoke(app, ["user", "enable", "clerk"]).exit_code == 0
    assert client.get("/api/v1/me", headers=auth(world, "clerk")).status_code == 200
    assert CliRunner().invoke(app, ["user", "disable", "nobody"]).exit_code == 2


def test_cli_token_revoke(client, world, db_url) -> None:
    runner = CliRunner()
    listed = runner.invoke(app, ["token", "list", "handler"])
    assert listed.exit_code == 0 and "\tlive" in listed.output
    token_id = listed.output.split("\t")[0]
    assert runner.invoke(app, ["token", "revoke"]).exit_code == 2  # neither id nor --user
    result = runner.invoke(app, ["token", "revoke", token_id])
    assert result.exit_code == 0 and "1 token(s) revoked" in result.output
    assert client.get("/api/v1/me", headers=auth(world, "handler")).status_code == 401
    assert "revoked" in runner.invoke(app, ["token", "list", "handler"]).output
    assert runner.invoke(app, ["token", "revoke", "--user", "approver"]).exit_code == 0
    assert client.get("/api/v1/me", headers=auth(world, "approver")).status_code == 401
    assert client.get("/api/v1/me", headers=auth(world, "clerk")).status_code == 200  # others unaffected
    assert runner.invoke(app, ["token", "revoke", "999999"]).exit_code == 2


def test_admin_pages_disable_and_revoke(client, world, db_url) -> None:
    from service.adminlog.service import recent
    from service.db import transaction

    login(client, "admin")
    page = client.get("/admin/users").text
    token_id = page.split('id="token-', 2)[1].split('"')[0]
    r = post_form(client, f"/admin/tokens/{token_id}/revoke", {}, page_url="/admin/users")
    assert r.status_code == 303
    assert f'id="token-{token_id}"' not in client.get("/admin/users").text
    r = post_form(client, "/admin/users/env_clerk/disable", {}, page_url="/admin/users")
    assert r.status_code == 303
    assert "已停用 env_clerk" in client.get(r.headers["location"]).text
    assert client.get("/api/v1/me", headers=auth(world, "env_clerk")).status_code == 401
    r = post_form(client, "/admin/users/admin/disable", {}, page_url="/admin/users")
    assert r.status_code == 422 and "不能停用自己的账户" in r.text
    with transaction(db_url, readonly=True) as session:
        done = [(c.actor, c.action, c.target) for c in recent(session=session)]
    assert ("admin", "user_disable", "env_clerk") in done and ("admin", "token_revoke", f"token {token_id}") in done
    # A sub-unit admin cannot touch another unit's accounts or tokens.
    from service.users.service import add_user

    with transaction(db_url) as session:
        add_user(session=session, username="housing_admin", password=PASSWORD, role="admin", agency_code="housing")
    client.cookies.clear()
    login(client, "housing_admin")
    r = post_form(client, "/admin/users/env_approver/disable", {}, page_url="/admin/users")
    assert r.status_code == 422
    assert client.get("/api/v1/me", headers=auth(world, "env_approver")).status_code == 200
    from sqlmodel import select

    from service.users.models import ApiToken, User

    with transaction(db_url, readonly=True) as session:
        other = session.exec(select(ApiToken.id).join(User, User.id == ApiToken.user_id)
                             .where(User.username == "env_approver")).one()
    r = post_form(client, f"/admin/tokens/{other}/revoke", {}, page_url="/admin/users")
    assert r.status_code == 404
    assert client.get("/api/v1/me", headers=auth(world, "env_approver")).status_code == 200


def test_lockout_holds_under_parallel_logins(world, db_url) -> None:
    """24 logins at once, 23 with a wrong password and the right one last: the account ends locked and
    the right password is refused (it was found: the failed count ended at 2 before)."""
    from service.db import transaction
    from service.users.login import authenticate
    from service.users.service import lock_state

    settings = get_settings()

    def attempt(i: int) -> object:
        return authenticate(username="clerk", password=PASSWORD if i == 23 else f"wrong {i}", url=db_url,
                            max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes)

    wrong = in_parallel(23, attempt)
    right = attempt(23)
    assert all(not isinstance(r, Exception) and r.user is None for r in wrong), wrong  # type: ignore[union-attr]
    assert right.user is None and right.locked  # type: ignore[union-attr]
    with transaction(db_url, readonly=True) as session:
        assert lock_state(session=session, username="clerk") is not None


def test_right_password_sent_with_wrong_ones_is_refused_once_the_budget_is_spent(world, db_url) -> None:
    from service.users.login import authenticate

    settings = get_settings()
    results = in_parallel(24, lambda i: authenticate(
        username="handler", password=PASSWORD if i == 0 else "wrong", url=db_url,
        max_failures=settings.login_max_failures, lockout_minutes=settings.login_lockout_minutes))
    assert not any(isinstance(r, Exception) for r in results), results
    # At most max_failures attempts ever look at a password; so at most one success, and the account
    # is locked in the end whatever order they ran in.
    assert sum(r.user is not None for r in results) <= 1  # type: ignore[union-attr]
    assert authenticate(username="handler", password=PASSWORD, url=db_url, max_failures=settings.login_max_failures,
                        lockout_minutes=settings.login_lockout_minutes).user is None


def test_unknown_user_costs_a_hash_check(world, db_url, monkeypatch: pytest.MonkeyPatch) -> None:
    """Not a timing assertion: the unknown, the disabled and the locked account go through argon2 just
    like a wrong password does (the time itself is measured in benchmarks/login.py)."""
    from service.users import login as login_module
    from service.users import security

    checked: list[str] = []
    real = security.verify_password

    def spy(password_hash: str, password: str) -> bool:
        checked.append(password_hash)
        return real(password_hash, password)

    monkeypatch.setattr(security, "verify_password", spy)
    kw = {"password": "whatever", "url": db_url, "max_failures": 5, "lockout_minutes": 15}
    assert login_module.authenticate(username="nobody", **kw).user is None
    assert login_module.authenticate(username="clerk", **kw).user is None
    assert len(checked) == 2 and all(h.startswith("$argon2id$") for h in checked)


def test_user_add_without_password_and_terminal(world, db_url) -> None:
    runner = CliRunner()
    args = ["user", "add", "wang", "--role", "clerk", "--agency", "housing"]
    result = runner.invoke(app, args, input="")
    assert result.exit_code == 2
    assert "give --password" in result.output and "Traceback" not in result.output
    result = runner.invoke(app, args, input="long enough password\n")
    assert result.exit_code == 0, result.output
    from service.users.login import authenticate

    assert authenticate(username="wang", password="long enough password", url=db_url, max_failures=5,
                        lockout_minutes=15).user is not None


@pytest.mark.parametrize("target", ["/%09/evil.example", "//evil.example/", "/\\evil.example", "https://evil.example/",
                                    "/%0a/evil.example", "javascript:alert(1)", "/ /evil.example"])
def test_next_stays_on_the_site(client, world, target: str) -> None:
    page = client.get(f"/login?next={target}")
    assert 'name="next" value="/"' in page.text
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                    "next": target.replace("%09", "\t").replace("%0a", "\n")},
                    follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/"


def test_next_keeps_a_path_on_the_site(client, world) -> None:
    page = client.get("/login?next=/search%3Fq%3Dx")
    r = client.post("/login", data={"username": "clerk", "password": PASSWORD, "csrf_token": csrf_of(page.text),
                                    "next": "/search?q=x"}, follow_redirects=False)
    assert r.headers["location"] == "/search?q=x"
