"""`ogi files verify`: every stored file against the hash its request's event chain recorded."""

from __future__ import annotations

import typer

app = typer.Typer(help="Attachments (附件) and their store.", no_args_is_help=True)


@app.command("verify")
def verify() -> None:
    """Re-hash every stored attachment and compare it with its upload event; exit 1 on any problem."""
    from service.db import transaction, upgrade
    from service.files.service import verify_files
    from service.files.storage import get_store

    upgrade()
    problems = 0
    with transaction(readonly=True) as session:
        for problem in verify_files(session=session, store=get_store()):
            problems += 1
            typer.echo(f"{problem.number} attachment {problem.attachment_id}: {problem.problem}")
    if problems:
        typer.echo(f"{problems} file problem(s) found", err=True)
        raise typer.Exit(1)
    typer.echo("every stored file matches the hash on its request's chain")
