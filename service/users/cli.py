"""CLI commands for users (placeholder until the resource lands)."""

import typer


def register(app: typer.Typer) -> None:
    """Add this resource's commands to the top-level `ogi` app."""
