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

    from service.app import create_app
    from service.db import upgrade
    from service.settings import get_settings

    settings = get_settings()
    upgrade()
    app = create_app()
    # Everything built at start-up lives for the whole process: keep it out of the garbage
    # collector's full passes, which otherwise showed up as the slowest page answers.
    gc.collect()
    gc.freeze()
    if settings.worker_in_serve if worker is None else worker:
        from service.notify.worker import start_in_thread

        start_in_thread()
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


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
