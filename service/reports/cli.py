"""`ogi report annual`: the annual report of one unit and year, to stdout or a file."""

from __future__ import annotations

import sys
from pathlib import Path

import typer

from service.cli_support import cli_errors

report_app = typer.Typer(help="Reports (报告): the annual report's tables.", no_args_is_help=True)


@report_app.command("annual")
def annual(
    agency: str = typer.Option(..., "--agency", help="unit code"),
    year: int = typer.Option(..., "--year", help="report year, e.g. 2025"),
    fmt: str = typer.Option("json", "--format", help="html | pdf | xlsx | json"),
    out: Path | None = typer.Option(None, "--out", help="write to this file (default: stdout)"),
) -> None:
    """Tables 3 and 4 of the annual report (年度报告) and the fees collected, for one unit and year."""
    from service.db import transaction, upgrade
    from service.reports import service

    if fmt not in service.FORMATS:
        typer.echo(f"error: --format: one of {', '.join(service.FORMATS)}", err=True)
        raise typer.Exit(2)
    upgrade()
    with cli_errors(), transaction(readonly=True) as session:
        found = service.annual_report(session=session, agency_code=agency, year=year, visible=None)
    data = service.as_format(found, fmt)
    if out is not None:
        out.write_bytes(data)
        typer.echo(f"wrote {out} ({len(data)} bytes)", err=True)
    elif fmt in ("pdf", "xlsx") and sys.stdout.isatty():
        # Binary on a terminal is noise and can upset it: ask for a file instead.
        typer.echo(f"error: --format {fmt} is binary; give --out FILE or redirect stdout", err=True)
        raise typer.Exit(2)
    else:
        sys.stdout.buffer.write(data)
        sys.stdout.buffer.flush()


@report_app.command("rebuild")
def rebuild() -> None:
    """Recompute the read projections from the events: annual-report facts, status counts, list keys
    and the search index (after a bulk load or restore, or to repair them)."""
    from service.db import transaction, upgrade
    from service.projections.rebuild import rebuild_all

    upgrade()
    with cli_errors(), transaction() as session:
        done = rebuild_all(session=session)
    typer.echo(f"rebuilt: {done.requests} requests, {done.indexed} indexed for search, "
               f"{done.facts} with annual-report facts")


def register(app: typer.Typer) -> None:
    """Add `ogi report …` to the top-level `ogi` app."""
    app.add_typer(report_app, name="report")
