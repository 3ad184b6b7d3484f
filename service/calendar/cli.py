"""`ogi calendar ...` commands (placeholder until the resource lands)."""

import typer

app = typer.Typer(help="calendar commands.", no_args_is_help=True)
