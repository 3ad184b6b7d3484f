"""`ogi backup --out FILE` and `ogi restore FILE`."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer


def register(app: typer.Typer) -> None:
    """Add the backup and restore commands to the top-level `ogi` app."""

    @app.command()
    def backup(out: Path = typer.Option(..., "--out", help="the archive to write (.tar.gz, mode 0600)")) -> None:
        """Back up the database (SQLite online backup incl. WAL, or pg_dump) with the attachments,
        calendars and e-seals. Safe while the service runs. Key files are not included."""
        from service.backup.service import BackupError
        from service.backup.service import backup as make_backup

        try:
            manifest = make_backup(out)
        except BackupError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        dirs = ", ".join(manifest.directories) or "none"
        typer.echo(f"backup written to {out} ({manifest.database}, schema {manifest.revision}; directories: {dirs})")

    @app.command()
    def restore(
        archive: Path = typer.Argument(..., exists=True, dir_okay=False, help="an archive from `ogi backup`"),
        yes: bool = typer.Option(False, "--yes", help="replace the current database and directories"),
    ) -> None:
        """Restore a backup (stop the service first), migrate it to the current schema, then run
        `ogi audit verify` on the result."""
        from service.backup.service import BackupError, read_manifest
        from service.backup.service import restore as put_back

        try:
            manifest = read_manifest(archive)
            if not yes:
                typer.echo(f"error: this replaces the current database and directories with the backup of "
                           f"{manifest.created_at}; stop the service, then run again with --yes", err=True)
                raise typer.Exit(2)
            put_back(archive)
        except BackupError as exc:
            typer.echo(f"error: {exc}", err=True)
            raise typer.Exit(2) from None
        typer.echo(f"restored the backup of {manifest.created_at} ({manifest.database}); verifying the audit chain")
        # The same check as `ogi audit verify`, run as that command, so a restore is judged exactly as
        # an operator would judge it by hand.
        done = subprocess.run([sys.executable, "-m", "service.cli", "audit", "verify"], check=False)
        if done.returncode != 0:
            typer.echo("error: the restored data does not verify (see above)", err=True)
            raise typer.Exit(1)
