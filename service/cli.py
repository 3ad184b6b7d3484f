"""The `ogi` command line (Typer): serve, db, users, agencies, calendar, sweep, scores, letters, demo."""

from __future__ import annotations

import gc

import typer

from service.assessment.cli import register as register_assessment
from service.calendar.cli import app as calendar_app
from service.letters.cli import app as letters_app
from service.notify.cli import register as register_notify
from service.reports.cli import register as register_reports
from service.requests.cli import register as register_requests
from service.users.cli import register as register_users

app = typer.Typer(help="OGI Desk 依申请公开办理平台", no_args_is_help=True, pretty_exceptions_enable=False)
db_app = typer.Typer(help="Database schema.", no_args_is_help=True)
app.add_typer(db_app, name="db")
app.add_typer(calendar_app, name="calendar")
app.add_typer(letters_app, name="letters")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to listen on (default OGI_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default OGI_PORT, 8000)."),
    worker: bool | None = typer.Option(None, "--worker/--no-worker",
                                       help="run the notification worker (daily sweep, deliveries) in a thread "
                                            "beside the server (default OGI_WORKER_IN_SERVE, on)"),
) -> None:
    """Migrate the database if needed and run the service (API, web desk, /docs)."""
    import uvicorn

    from service import secret_key
    from service.app import create_app
    from service.db import upgrade
    from service.settings import get_settings

    settings = get_settings()
    _require_key(create=True)
    upgrade()
    secret_key.forget()
    app = create_app()
    # Everything built at start-up lives for the whole process: keep it out of the garbage
    # collector's full passes, which otherwise showed up as the slowest page answers.
    gc.collect()
    gc.freeze()
    if settings.worker_in_serve if worker is None else worker:
        from service.notify.worker import start_in_thread

        start_in_thread()
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


def _require_key(*, create: bool) -> str:
    """The secret key (made on first use when ``create``); a clear message and exit 2 when unfit."""
    from service import secret_key

    try:
        return secret_key.load(create=create)
    except secret_key.SecretKeyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


@app.command()
def init() -> None:
    """Prepare a new installation: the secret key file (0600, if missing) and the database schema."""
    from service.db import upgrade
    from service.settings import get_settings

    path = get_settings().secret_key_file
    existed = path.exists() or bool(get_settings().secret_key)
    _require_key(create=True)
    typer.echo("secret key: " + ("kept (already set)" if existed else f"written to {path} (mode 0600)"))
    upgrade()
    typer.echo("database is at the newest schema")


secret_app = typer.Typer(help="The secret key that signs web sessions.", no_args_is_help=True)
app.add_typer(secret_app, name="secret")


@secret_app.command("rotate")
def secret_rotate() -> None:
    """Write a fresh secret key; after the service restarts every web user logs in again."""
    from service import secret_key

    try:
        path = secret_key.rotate()
    except secret_key.SecretKeyError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None
    typer.echo(f"new secret key written to {path}; restart the service (web users log in again)")


@db_app.command("upgrade")
def db_upgrade() -> None:
    """Create or migrate the database to the newest schema."""
    from service.db import upgrade

    upgrade()
    typer.echo("database is at the newest schema")


register_users(app)
register_requests(app)
register_assessment(app)
register_reports(app)
register_notify(app)

if __name__ == "__main__":
    app()
