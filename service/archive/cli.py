"""`ogi archive export` (a unit's year of case files, with a progress bar) and `ogi archive retention`."""

from __future__ import annotations

from pathlib import Path

import typer

from service.cli_support import cli_errors, parse_date

app = typer.Typer(help="The archive (归档): case files, year exports, retention.", no_args_is_help=True)


@app.command("export")
def export_cmd(
    agency: str = typer.Option(..., "--agency", help="unit code"),
    year: int = typer.Option(..., "--year", help="年度 (the year the cases were closed)"),
    out: Path = typer.Option(..., "--out", help="directory to write <档号>.pdf, <档号>.zip and 目录.csv into"),
) -> None:
    """Write every archived case of a unit's year as case-file PDF and ZIP (streamed, flat memory)."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    from service.archive.export import export_year
    from service.db import transaction, upgrade

    upgrade()
    with cli_errors(), transaction(readonly=True) as session, Progress(
            "[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
            transient=False) as bar:
        task = bar.add_task(f"{agency} {year}", total=None)
        report = export_year(session=session, agency_code=agency, year=year, out=out,
                             progress=lambda done, total: bar.update(task, completed=done, total=total))
    typer.echo(f"exported {report.cases} case files to {report.out}")


@app.command("retention")
def retention_cmd(
    agency: str = typer.Option(..., "--agency", help="unit code (its units below included)"),
    as_of: str | None = typer.Option(None, "--as-of", help="day to judge on (YYYY-MM-DD, default today)"),
) -> None:
    """List archived cases whose 保管期限 has run, for disposal review (nothing is deleted)."""
    from sqlmodel import select

    from service.agencies.models import Agency
    from service.archive.service import due_for_review
    from service.db import transaction, upgrade

    upgrade()
    with cli_errors(), transaction(readonly=True) as session:
        day = parse_date(as_of, "--as-of")
        unit = session.exec(select(Agency).where(Agency.code == agency)).first()
        if unit is None:
            from workflow.errors import InvalidField

            raise InvalidField("--agency", f"unknown agency {agency!r}", code="archive.unknown_unit", unit=agency)
        from service.agencies.repository import descendants

        ids = descendants(session=session, agency_id=unit.id)  # type: ignore[arg-type]
        rows = due_for_review(session=session, visible=ids, as_of=day)
        for row in rows:
            typer.echo(f"{row.number}\t{row.retention}\t归档 {row.archived_on}\t可鉴定 {row.disposal_review_on}")
    typer.echo(f"{len(rows)} case file(s) due for disposal review (nothing was deleted)")

