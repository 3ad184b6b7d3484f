"""The `ogi` command line (Typer): serve, db, users, agencies, calendar, sweep, scores, letters, demo."""

from __future__ import annotations

import gc

import typer

from service.assessment.cli import register as register_assessment
from service.audit.cli import app as audit_app
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
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to listen on (default OGI_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default OGI_PORT, 8000)."),
) -> None:
    """Migrate the database if needed and run the service (API, web desk, /docs)."""
    import uvicorn

    from service.app import create_app
    from service.db import upgrade
    from service.settings import get_settings

    settings = get_settings()
    upgrade()
    _resume_calendar_jobs()
    app = create_app()
    # Everything built at start-up lives for the whole process: keep it out of the garbage
    # collector's full passes, which otherwise showed up as the slowest page answers.
    gc.collect()
    gc.freeze()
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info")


def _resume_calendar_jobs() -> None:
    """Finish, in the background, a due-date recomputation that a crash or restart interrupted."""
    import logging
    import threading

    def run() -> None:
        from service.calendar.service import run_jobs

        try:
            changed = run_jobs()
        except Exception:  # the server keeps serving; `ogi calendar resume` can finish the job
            logging.getLogger("ogi.calendar").exception("resuming the calendar recomputation failed")
        else:
            if changed:
                logging.getLogger("ogi.calendar").warning("calendar recomputation resumed: %d due date(s) changed",
                                                          changed)

    threading.Thread(target=run, name="calendar-jobs", daemon=True).start()


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
