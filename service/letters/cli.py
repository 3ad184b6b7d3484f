"""`ogi letters ...`: render the letters of many requests to PDF files, with a progress bar."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Letters (文书): render issued letters to PDF.", no_args_is_help=True)


@app.command("render")
def render_letters(
    request: list[str] = typer.Option(..., "--request", "-r", help="Request id or number (repeat for many)."),
    out: Path = typer.Option(Path("letters"), "--out", help="Directory for the PDF files."),
    kind: str | None = typer.Option(None, help="Only letters of this kind (e.g. reply)."),
) -> None:
    """Render every issued letter of the given requests from its stored snapshot to <out>/<number>.pdf."""
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeRemainingColumn
    from sqlmodel import or_, select

    from service.db import transaction
    from service.letters import render, repository
    from service.requests.models import RequestRecord

    out.mkdir(parents=True, exist_ok=True)
    with transaction(readonly=True) as session:
        ids = [int(r) for r in request if r.isdigit()]
        numbers = [r for r in request if not r.isdigit()]
        rows = session.exec(select(RequestRecord).where(
            or_(RequestRecord.id.in_(ids), RequestRecord.number.in_(numbers)))).all()  # type: ignore[union-attr]
        found = {str(r.id) for r in rows} | {r.number for r in rows}
        unknown = [r for r in request if r not in found]
        if unknown:
            typer.echo(f"unknown request(s): {', '.join(unknown)}", err=True)
            raise typer.Exit(2)
        letters = [x for r in rows for x in repository.for_request(session=session, request_id=r.id)  # type: ignore[arg-type]
                   if kind is None or x.kind == kind]
    render.warm_up()
    with Progress(TextColumn("{task.description}"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn()) as bar:
        task = bar.add_task("rendering letters", total=len(letters))
        for letter in letters:
            name = letter.number.replace("/", "_")
            (out / f"{name}.pdf").write_bytes(render.html_to_pdf(letter.html))
            bar.advance(task)
    typer.echo(f"{len(letters)} letter(s) of {len(rows)} request(s) written to {out}")
