"""`ogi sweep` and `ogi demo`."""

from __future__ import annotations

import typer

from service.cli_support import cli_errors, parse_date


def register(app: typer.Typer) -> None:
    """Add the request commands to the top-level `ogi` app."""

    @app.command()
    def sweep(as_of: str | None = typer.Option(None, "--as-of", help="sweep as of this day (YYYY-MM-DD)")) -> None:
        """Record "due soon" reminders and overdue requests; emit ogi.reply_late once per overdue request."""
        from service.db import transaction, upgrade
        from service.requests.sweep import run_sweep

        upgrade()
        with cli_errors():
            day = parse_date(as_of, "--as-of")
            with transaction() as session:
                report = run_sweep(session=session, as_of=day)
        typer.echo(f"checked {report.checked} running requests: {report.due_soon} due soon, {report.overdue} overdue; "
                   f"{report.reminders_added} new reminders, {report.late_events_added} new ogi.reply_late events")

    @app.command()
    def demo(requests: int = typer.Option(300, help="how many requests to generate"),
             seed: int = typer.Option(2026, help="random seed (same seed, same data)")) -> None:
        """Load demo agencies, users (password demo-password) and a few hundred requests."""
        from rich.console import Console
        from rich.table import Table

        from service.db import transaction, upgrade
        from service.requests.demo import DEMO_PASSWORD, load_demo

        upgrade()
        with cli_errors(), transaction() as session:
            report = load_demo(session=session, requests=requests, seed=seed)
        console = Console()
        console.print(f"loaded {report.agencies} agencies and {report.requests} requests")
        table = Table("user", "role", "agency", title=f"demo users (password: {DEMO_PASSWORD})")
        for row in report.users:
            table.add_row(*row)
        console.print(table)
        console.print("requests by state: " + ", ".join(f"{k} {v}" for k, v in sorted(report.by_status.items())))
