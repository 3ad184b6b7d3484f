"""The `ogi` command line (Typer): serve, db, users, agencies, calendar, sweep, scores, letters, demo."""

from __future__ import annotations

import gc

import typer

from service.assessment.cli import register as register_assessment
from service.calendar.cli import app as calendar_app
from service.letters.cli import app as letters_app
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
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (PostgreSQL: one per core; "
                                                        "SQLite has one writer whatever the count)."),
) -> None:
    """Migrate the database if needed and run the service (API, web desk, /docs)."""
    import uvicorn

    from service.app import create_app
    from service.db import upgrade
    from service.settings import get_settings

    settings = get_settings()
    upgrade()
    if workers > 1:
        # Each worker builds its own app (and engine: connections are never shared across a fork).
        # Nothing a request needs lives only in one process: sessions are signed cookies checked
        # against the database, calendars are rebuilt when an installed file changes, counters and
        # projections are rows (tests/test_serve_workers.py).
        uvicorn.run("service.app:create_app", factory=True, host=host or settings.host,
                    port=port or settings.port, workers=workers, log_level="info")
        return
    app = create_app()
    # Everything built at start-up lives for the whole process: keep it out of the garbage
    # collector's full passes, which otherwise showed up as the slowest page answers.
    gc.collect()
    gc.freeze()
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

if __name__ == "__main__":
    app()
