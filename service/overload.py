"""Overload is back-pressure, not failure: when more writers arrive than SQLite's single writer (busy
time-out spent: "database is locked") or the PostgreSQL connection pool (pool time-out, server out of
connection slots) can take, answer 503 Service Unavailable with ``Retry-After`` so clients retry
later, instead of a 500. Nothing was written: the transaction was rolled back before this answer."""

from __future__ import annotations

from fastapi import FastAPI, Request
from fastapi.responses import JSONResponse
from sqlalchemy.exc import OperationalError
from sqlalchemy.exc import TimeoutError as PoolTimeout

RETRY_AFTER_SECONDS = 2
# Messages of the database drivers that mean "too busy now", not "broken".
BUSY = ("database is locked", "database is busy", "database table is locked", "too many clients",
        "remaining connection slots", "could not obtain lock", "lock timeout", "canceling statement due to lock",
        "deadlock detected", "could not serialize access")


def is_overload(exc: BaseException) -> bool:
    """Whether ``exc`` says the database is too busy right now (worth retrying later)."""
    if isinstance(exc, PoolTimeout):
        return True
    if isinstance(exc, OperationalError):
        text = str(exc.orig if exc.orig is not None else exc).lower()
        return any(marker in text for marker in BUSY)
    return False


def busy_response() -> JSONResponse:
    """The 503 answer with its ``Retry-After``."""
    return JSONResponse(status_code=503, headers={"Retry-After": str(RETRY_AFTER_SECONDS)},
                        content={"detail": {"error": "overloaded",
                                            "message": "the service is busy; nothing was saved, retry later"}})


def install(app: FastAPI) -> None:
    """Register the 503 handlers (pool time-out; operational errors that mean "busy")."""

    @app.exception_handler(PoolTimeout)
    async def _pool_timeout(_: Request, exc: PoolTimeout) -> JSONResponse:
        return busy_response()

    @app.exception_handler(OperationalError)
    async def _operational(_: Request, exc: OperationalError) -> JSONResponse:
        if is_overload(exc):
            return busy_response()
        # Any other operational failure is the server's fault: the usual 500, said plainly.
        return JSONResponse(status_code=500, content={"detail": "internal server error"})
