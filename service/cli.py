"""The `ogi` command line (Typer): serve, db, users, agencies, calendar, sweep, scores, letters, demo."""

from __future__ import annotations

import gc

import typer

from service.archive.cli import app as archive_app
from service.assessment.cli import register as register_assessment
from service.audit.cli import app as audit_app
from service.backup.cli import register as register_backup
from service.calendar.cli import app as calendar_app
from service.files.cli import app as files_app
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
app.add_typer(files_app, name="files")
app.add_typer(archive_app, name="archive")
app.add_typer(audit_app, name="audit")


@app.command()
def serve(
    host: str | None = typer.Option(None, help="Interface to listen on (default OGI_HOST, 127.0.0.1)."),
    port: int | None = typer.Option(None, help="Port (default OGI_PORT, 8000)."),
    workers: int = typer.Option(1, min=1, max=64, help="Worker processes (PostgreSQL: one per core; "
                                                        "SQLite has one writer whatever the count)."),
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
    _resume_calendar_jobs()
    if workers > 1:
        # Each worker builds its own app (and engine: connections are never shared across a fork).
        # Nothing a request needs lives only in one process: sessions are signed cookies checked
        # against the database, calendars are rebuilt when an installed file changes, counters and
        # projections are rows (tests/test_serve_workers.py).
        uvicorn.run("service.app:create_app", factory=True, host=host or settings.host,
                    port=port or settings.port, workers=workers, log_level="info",
                    proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips)
        return
    app = create_app()
    # Everything built at start-up lives for the whole process: keep it out of the garbage
    # collector's full passes, which otherwise showed up as the slowest page answers.
    gc.collect()
    gc.freeze()
    if settings.worker_in_serve if worker is None else worker:
        from service.notify.worker import start_in_thread

        start_in_thread()
    # X-Forwarded-For/-Proto are believed only from the reverse proxy (OGI_FORWARDED_ALLOW_IPS): HTTPS,
    # and with it HSTS and Secure cookies, cannot be claimed by a client sending the header itself.
    uvicorn.run(app, host=host or settings.host, port=port or settings.port, log_level="info",
                proxy_headers=True, forwarded_allow_ips=settings.forwarded_allow_ips)


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
register_backup(app)
register_notify(app)

if __name__ == "__main__":
    app()
