"""`ogi letters ...` commands (placeholder until the resource lands)."""

import typer

app = typer.Typer(help="letters commands.", no_args_is_help=True)
