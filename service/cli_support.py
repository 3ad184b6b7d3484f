"""Shared CLI plumbing: domain errors become a clear message on stderr and a non-zero exit."""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager
from datetime import date

import typer

from workflow.errors import ActionNotAllowed, Conflict, DomainError, InvalidField


@contextmanager
def cli_errors() -> Iterator[None]:
    """Turn domain errors into `error: …` on stderr and exit code 2 (nothing is written: the
    transaction inside rolls back)."""
    try:
        yield
    except InvalidField as exc:
        typer.echo(f"error: {exc.field}: {exc.message}", err=True)
        raise typer.Exit(2) from None
    except ActionNotAllowed as exc:
        typer.echo(f"error: {exc.action} is not allowed in state {exc.state}: {exc.reason}"
                   f" (allowed: {', '.join(exc.allowed) or 'none'})", err=True)
        raise typer.Exit(2) from None
    except Conflict as exc:
        typer.echo(f"error: {exc.message}", err=True)
        raise typer.Exit(2) from None
    except DomainError as exc:
        typer.echo(f"error: {exc}", err=True)
        raise typer.Exit(2) from None


def parse_date(value: str | None, name: str) -> date | None:
    """An ISO date from the command line, or a clear error naming the option."""
    if value is None:
        return None
    try:
        return date.fromisoformat(value)
    except ValueError:
        raise InvalidField(name, f"not a date (YYYY-MM-DD): {value!r}", code="date.malformed") from None
