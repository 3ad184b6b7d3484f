"""The web desk (placeholder until issue 6 lands)."""

from fastapi import FastAPI


def install(app: FastAPI) -> None:
    """Mount the web desk's pages and static files on ``app``."""
