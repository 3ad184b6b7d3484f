"""`ogi user add`, `ogi token create`, `ogi agency import` (`ogi audit …` lives in service/audit/cli.py)."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from service.cli_support import cli_errors


def _read_password() -> str:
    """The new user's password: asked twice on a terminal, else the first line of stdin (a script's
    pipe); a clear error and exit 2 when there is none."""
    if sys.stdin is not None and sys.stdin.isatty():
        try:
            return typer.prompt("Password", hide_input=True, confirmation_prompt=True)
        except typer.Abort:
            typer.echo("error: password: none given", err=True)
            raise typer.Exit(2) from None
    line = sys.stdin.readline() if sys.stdin is not None else ""
    password = line.rstrip("\r\n")
    if not password:
        typer.echo("error: password: give --password, type it on a terminal, or pipe it on stdin "
                   "(e.g. `printf '%s\\n' \"$PASS\" | ogi user add ...`)", err=True)
        raise typer.Exit(2)
    return password


def register(app: typer.Typer) -> None:
    """Add the user, token and agency commands to the top-level `ogi` app."""
    user_app = typer.Typer(help="Users.", no_args_is_help=True)
    token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)
    agency_app = typer.Typer(help="Agencies (units).", no_args_is_help=True)
    app.add_typer(user_app, name="user")
    app.add_typer(token_app, name="token")
    app.add_typer(agency_app, name="agency")

    @user_app.command("add")
    def user_add(
        username: str,
        role: str = typer.Option(..., help="clerk | handler | approver | assessor | admin"),
        agency: str = typer.Option(..., help="agency code"),
        password: str | None = typer.Option(
            None, help="the password; without it: asked for on a terminal, else read from stdin's first line"),
        name: str = typer.Option("", help="display name"),
        deployment_admin: bool = typer.Option(
            False, "--deployment-admin", help="an admin who may install national calendars and assign "
            "schemes that grade every unit"),
    ) -> None:
        """Create a user of an agency with one role."""
        from service.adminlog.service import cli_actor, record
        from service.db import transaction, upgrade
        from service.users.service import add_user

        if password is None:
            password = _read_password()
        upgrade()
        with cli_errors(), transaction() as session:
            add_user(session=session, username=username, password=password, role=role, agency_code=agency,
                     display_name=name, deployment_admin=deployment_admin)
            record(session=session, actor=cli_actor(), action="user_add", target=username, role=role,
                   agency=agency, deployment_admin=deployment_admin)
        typer.echo(f"user {username} ({role}, {agency}{', deployment admin' if deployment_admin else ''}) created")

    @user_app.command("deployment-admin")
    def user_deployment_admin(
        username: str,
        revoke: bool = typer.Option(False, "--revoke", help="take the right away instead"),
    ) -> None:
        """Let an admin make changes that reach every unit (national calendars, schemes grading every unit)."""
        from service.adminlog.service import cli_actor, record
        from service.db import transaction, upgrade
        from service.users.service import set_deployment_admin

        upgrade()
        with cli_errors(), transaction() as session:
            set_deployment_admin(session=session, username=username, granted=not revoke)
            record(session=session, actor=cli_actor(), action="deployment_admin", target=username,
                   granted=not revoke)
        typer.echo(f"{username} is {'no longer ' if revoke else ''}a deployment admin")

    @user_app.command("disable")
    def user_disable(username: str) -> None:
        """Disable an account: its API tokens and web sessions stop working at once."""
        _set_active(username, active=False)

    @user_app.command("enable")
    def user_enable(username: str) -> None:
        """Enable a disabled account again (its tokens work again unless revoked; web users log in anew)."""
        _set_active(username, active=True)

    def _set_active(username: str, *, active: bool) -> None:
        from service.adminlog.service import cli_actor
        from service.db import transaction, upgrade
        from service.users.service import set_active

        upgrade()
        with cli_errors(), transaction() as session:
            set_active(session=session, username=username, active=active, actor=cli_actor())
        typer.echo(f"user {username} {'enabled' if active else 'disabled'}")

    @token_app.command("list")
    def token_list(username: str) -> None:
        """List a user's tokens: id, name, created, revoked (the tokens themselves are never stored)."""
        from sqlmodel import select

        from service.db import transaction, upgrade
        from service.users.models import User
        from service.users.service import tokens_of

        upgrade()
        with transaction(readonly=True) as session:
            user = session.exec(select(User).where(User.username == username)).first()
            if user is None:
                typer.echo(f"error: username: unknown user {username!r}", err=True)
                raise typer.Exit(2)
            for t in tokens_of(session=session, user_ids={user.id}):  # type: ignore[arg-type]
                state = f"revoked {t.revoked_at:%Y-%m-%d %H:%M}" if t.revoked_at else "live"
                typer.echo(f"{t.id}\t{t.name or '-'}\tcreated {t.created_at:%Y-%m-%d %H:%M}\t{state}")

    @token_app.command("revoke")
    def token_revoke(
        token_id: int | None = typer.Argument(None, help="the token's id (see `ogi token list USER`)"),
        user: str | None = typer.Option(None, "--user", help="revoke every live token of this user"),
    ) -> None:
        """Revoke one token by id, or every token of a user (--user): it stops working at once."""
        from service.adminlog.service import cli_actor, record
        from service.db import transaction, upgrade
        from service.users.service import revoke_tokens

        if (token_id is None) == (user is None):
            typer.echo("error: give a token id or --user USERNAME (one of them)", err=True)
            raise typer.Exit(2)
        upgrade()
        with cli_errors(), transaction() as session:
            revoked = revoke_tokens(session=session, token_id=token_id, username=user)
            record(session=session, actor=cli_actor(), action="token_revoke",
                   target=user or f"token {token_id}", tokens=[t.id for t in revoked])
        typer.echo(f"{len(revoked)} token(s) revoked")

    @token_app.command("create")
    def token_create(username: str, name: str = typer.Option("", help="what the token is for")) -> None:
        """Issue a bearer token (printed once)."""
        from service.db import transaction, upgrade
        from service.users.service import create_token

        upgrade()
        with cli_errors(), transaction() as session:
            token = create_token(session=session, username=username, name=name)
        typer.echo(token)

    @agency_app.command("import")
    def agency_import(file: Path = typer.Argument(..., exists=True, dir_okay=False)) -> None:
        """Create or update agencies from a TOML or YAML file."""
        from service.adminlog.service import cli_actor, record
        from service.agencies.service import import_file
        from service.db import transaction, upgrade

        upgrade()
        with cli_errors(), transaction() as session:
            created, updated = import_file(session=session, path=file,
                                           warn=lambda line: typer.echo(f"warning: {line}", err=True))
            record(session=session, actor=cli_actor(), action="agency_import", target=file.name,
                   created=created, updated=updated)
        typer.echo(f"{created} agencies created, {updated} updated")
