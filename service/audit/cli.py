"""`ogi audit verify` and `ogi audit checkpoint`."""

from __future__ import annotations

from pathlib import Path

import typer

app = typer.Typer(help="Tamper evidence: keyed chains, the ledger, checkpoints.", no_args_is_help=True)


@app.command("verify")
def verify(
    checkpoint: list[Path] = typer.Option([], "--checkpoint", "-c",
                                          help="A file of checkpoint lines kept outside the database (repeatable)."),
) -> None:
    """Recompute every chain, sequence and ledger link; print each fault and exit 1 if there is any."""
    from service.audit import checkpoint as cp
    from service.audit.verify import verify as verify_all
    from service.db import transaction

    given: list[tuple[int, str]] = []
    for path in checkpoint:
        try:
            given += cp.parse(path.read_text(encoding="utf-8"))
        except OSError as exc:
            typer.echo(f"error: cannot read checkpoint file {path}: {exc.strerror or exc}", err=True)
            raise typer.Exit(2) from None
    with transaction(readonly=True) as session:
        faults = verify_all(session=session, checkpoints=given)
    if not faults:
        typer.echo(f"all event chains verified; ledger and {len(given)} given checkpoint(s) verified")
        return
    for fault in faults:
        typer.echo(f"BROKEN {fault}", err=True)
    typer.echo(f"{len(faults)} fault(s)", err=True)
    raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint(out: Path | None = typer.Option(None, "--out", "-o",
                                               help="Also append the line to this file (keep it off this server).")) -> None:
    """Record the ledger's head now and print it as one line to keep for the record."""
    from service.audit import checkpoint as cp
    from service.db import transaction, upgrade

    upgrade()
    with transaction() as session:
        line = cp.render(cp.take(session=session))
    typer.echo(line)
    if out is not None:
        with out.open("a", encoding="utf-8") as fh:
            fh.write(line + "\n")
