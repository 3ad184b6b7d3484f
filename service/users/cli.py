"""`ogi user add`, `ogi token create`, `ogi agency import` (`ogi audit …` lives in service/audit/cli.py)."""

from __future__ import annotations

from pathlib import Path

import typer

from service.cli_support import cli_errors


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
        password: str = typer.Option(..., prompt=True, hide_input=True, confirmation_prompt=True),
        name: str = typer.Option("", help="display name"),
    ) -> None:
        """Create a user of an agency with one role."""
        from service.db import transaction, upgrade
        from service.users.service import add_user

        upgrade()
        with cli_errors(), transaction() as session:
            add_user(session=session, username=username, password=password, role=role, agency_code=agency,
                     display_name=name)
        typer.echo(f"user {username} ({role}, {agency}) created")

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
        from service.agencies.service import import_file
        from service.db import transaction, upgrade

        upgrade()
        with cli_errors(), transaction() as session:
            created, updated = import_file(session=session, path=file,
                                           warn=lambda line: typer.echo(f"warning: {line}", err=True))
        typer.echo(f"{created} agencies created, {updated} updated")
