"""The `ogi` entry point, fast: quick commands answered by small modules, everything else by the full
Typer app (:mod:`service.cli`, which imports the web service, the database layer and every resource).

``QUICK`` maps the first words of a command line to a module with ``run(argv) -> int | None``. The
module parses only the plain form of its command (no ``--help``, no option it does not know) and
returns None for anything else, so help, errors and every other command come from the Typer app,
worded the same as always. A quick module imports only what its command uses (stdlib and the pure
``workflow`` packages, never pydantic, SQLAlchemy, FastAPI or rich): `ogi calendar due` starts in a
fraction of the time the whole app takes. tests/test_quick_cli.py runs each quick command both ways
and checks the answers are the same; CONTRIBUTING.md says how to add one.
"""

from __future__ import annotations

import importlib
import sys

# (command words) -> module with run(argv: list[str]) -> int | None
QUICK: dict[tuple[str, ...], str] = {
    ("calendar", "due"): "service.quick.calendar",
    ("calendar", "explain"): "service.quick.calendar",
}


def main() -> None:
    """Run ``ogi`` with ``sys.argv``."""
    args = sys.argv[1:]
    for words, module in QUICK.items():
        if tuple(args[:len(words)]) == words:
            code = importlib.import_module(module).run(args)
            if code is not None:
                sys.exit(code)
            break
    from service.cli import app

    app()
