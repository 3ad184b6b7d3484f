"""`ogi score SCHEME --period P [--unit U] [--format table|json]`."""

from __future__ import annotations

import json

import typer

from service.cli_support import cli_errors


def register(app: typer.Typer) -> None:
    """Add the assessment commands to the top-level `ogi` app."""

    @app.command()
    def score(
        scheme: str = typer.Argument(..., help="scheme id, e.g. changshu-2020"),
        period: str = typer.Option(..., "--period", help="2026 or 2026Q1"),
        unit: str | None = typer.Option(None, "--unit", help="one unit's agency code"),
        fmt: str = typer.Option("table", "--format", help="table | json"),
    ) -> None:
        """Print scores, grades, consequences and every trail line of a scheme for a period."""
        from scoring import SchemeError
        from scoring.report import format_result
        from service.assessment import service
        from service.db import transaction, upgrade

        if fmt not in ("table", "json"):
            typer.echo("error: --format: table or json", err=True)
            raise typer.Exit(2)
        upgrade()
        try:
            with cli_errors(), transaction(readonly=True) as session:
                found = service.results(session=session, scheme_id=scheme, period=period, visible=None, unit=unit)
        except SchemeError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        if fmt == "json":
            typer.echo(json.dumps([r.to_dict() for r in found], ensure_ascii=False, indent=2))
            return
        typer.echo("\n\n".join(format_result(r) for r in found) or "no units")
