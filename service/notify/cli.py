"""`ogi worker` (daily sweep + delivery, in the foreground) and `ogi notify …` (targets, one delivery run)."""

from __future__ import annotations

import json

import typer

from service.cli_support import cli_errors

notify_app = typer.Typer(help="Notifications: channels and deliveries.", no_args_is_help=True)


def register(app: typer.Typer) -> None:
    """Add `ogi worker` and `ogi notify` to the top-level app."""
    app.add_typer(notify_app, name="notify")

    @app.command()
    def worker(once: bool = typer.Option(False, "--once", help="one round (sweeps due now, deliveries due now), then exit"),
               sweep: bool = typer.Option(True, "--sweep/--no-sweep", help="also run the daily sweep when due")) -> None:
        """Run the background worker: each agency's daily sweep at OGI_SWEEP_TIME local time (and at once
        when today's is missing), and delivery of notices with retries. Safe to run on several servers."""
        import logging

        from service.db import upgrade
        from service.notify.worker import run_worker

        logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
        upgrade()
        summary = run_worker(once=once, sweep=sweep)
        typer.echo(json.dumps(summary, ensure_ascii=False, default=str))


@notify_app.command("add-target")
def add_target(kind: str = typer.Argument(..., help="email, wecom, dingtalk or webhook"),
               address: str = typer.Argument(..., help="e-mail address or http(s) URL"),
               agency: str | None = typer.Option(None, help="unit code (group robot or OA webhook)"),
               user: str | None = typer.Option(None, help="username (a person's address)"),
               secret: str | None = typer.Option(None, help="钉钉 signing secret (SEC…) or webhook HMAC secret"),
               name: str = typer.Option("", help="a name for the log")) -> None:
    """Add a delivery target for a unit or a person."""
    from sqlmodel import select

    from service.agencies.models import Agency
    from service.db import transaction, upgrade
    from service.notify.service import add_target as add
    from service.users.models import User
    from workflow.errors import InvalidField

    upgrade()
    with cli_errors(), transaction() as session:
        agency_id = user_id = None
        if agency:
            a = session.exec(select(Agency).where(Agency.code == agency)).first()
            if a is None:
                raise InvalidField("--agency", f"no unit {agency!r}", code="notify.unknown_unit", unit=agency)
            agency_id = a.id
        if user:
            u = session.exec(select(User).where(User.username == user)).first()
            if u is None:
                raise InvalidField("--user", f"no user {user!r}", code="notify.unknown_user", username=user)
            user_id = u.id
        target = add(session=session, kind=kind, address=address, secret=secret, name=name, agency_id=agency_id,
                     user_id=user_id)
        typer.echo(f"target {target.id}: {kind} {address}")


@notify_app.command("deliver")
def deliver() -> None:
    """Deliver every notice that is due now (one round, no sweep)."""
    from service.db import upgrade
    from service.notify.worker import deliver_all

    upgrade()
    typer.echo(json.dumps(deliver_all()))
