"""Database engines and transactions: SQLite (default, WAL) or PostgreSQL, one transaction per action.

Commits happen in one place: :func:`transaction` (CLI, jobs) or the request dependency in
:mod:`service.deps` (HTTP). Service functions take the session as a keyword argument and never commit.

Concurrency (measured in ``benchmarks/concurrency.py``): an HTTP writer first takes one of a few
*write slots* (:func:`write_slot`, an asyncio semaphore per event loop) and only then a thread and a
connection. Without it, 200 parallel registrations filled the 40 request threads with writers
waiting for SQLite's write lock or PostgreSQL's counter row, the one writer holding the lock could not
get a thread to commit, and everything (another unit's GET /me too) waited until timeouts gave 500s.
SQLite writers still begin ``BEGIN IMMEDIATE`` with a busy timeout, for writers in other processes.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import asynccontextmanager, contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path

from sqlalchemy import DateTime, event
from sqlalchemy.dialects import sqlite
from sqlalchemy.engine import Engine, make_url
from sqlmodel import Session, create_engine

from service.settings import ROOT, get_settings


class UTCDateTimeForSQLite(sqlite.DATETIME):
    """SQLite's DATETIME for ``DateTime(timezone=True)`` columns: stores UTC, reads back UTC-aware."""

    cache_ok = True

    def bind_processor(self, dialect):  # type: ignore[no-untyped-def]
        store = super().bind_processor(dialect)
        if not self.timezone:
            return store

        def process(value):  # type: ignore[no-untyped-def]
            if isinstance(value, datetime) and value.tzinfo is not None:
                value = value.astimezone(UTC).replace(tzinfo=None)
            return store(value) if store else value

        return process

    def result_processor(self, dialect, coltype):  # type: ignore[no-untyped-def]
        read = super().result_processor(dialect, coltype)
        if not self.timezone:
            return read

        def process(value):  # type: ignore[no-untyped-def]
            value = read(value) if read else value
            return value.replace(tzinfo=UTC) if isinstance(value, datetime) and value.tzinfo is None else value

        return process


def is_sqlite(url: str) -> bool:
    """Whether ``url`` names an SQLite database."""
    return make_url(url).get_backend_name() == "sqlite"


def _configure_sqlite(engine: Engine, busy_timeout_ms: int) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection, _record) -> None:  # type: ignore[no-untyped-def]
        # Take transaction control away from the stdlib driver (its legacy mode breaks
        # savepoints and serialisation) and set the per-connection pragmas.
        dbapi_connection.isolation_level = None
        cur = dbapi_connection.cursor()
        cur.execute("PRAGMA journal_mode=WAL")
        cur.execute("PRAGMA synchronous=NORMAL")
        cur.execute(f"PRAGMA busy_timeout={int(busy_timeout_ms)}")
        cur.execute("PRAGMA foreign_keys=ON")
        cur.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn) -> None:  # type: ignore[no-untyped-def]
        # Writers take the write lock up front so two writers serialise instead of deadlocking
        # on lock upgrade; read-only work (execution option ogi_readonly) begins deferred.
        if conn.get_execution_options().get("ogi_readonly"):
            conn.exec_driver_sql("BEGIN")
        else:
            conn.exec_driver_sql("BEGIN IMMEDIATE")


def get_engine(url: str | None = None) -> Engine:
    """The engine for ``url`` (default: ``OGI_DATABASE_URL``), created once per process and URL."""
    return _engine(url or get_settings().database_url)


def _clear_engines() -> None:
    _engine.cache_clear()


get_engine.cache_clear = _clear_engines  # type: ignore[attr-defined]


@lru_cache(maxsize=16)
def _engine(url: str) -> Engine:
    settings = get_settings()
    # Up to db_pool_size connections (10 kept open, the rest opened on demand): as many as request
    # threads, so a reading thread never waits for a connection; writers are fewer (write slots).
    size = settings.db_pool_size if settings.db_pool_size > 0 else (40 if is_sqlite(url) else 20)
    pool = {"pool_size": min(10, size), "max_overflow": size - min(10, size), "pool_timeout": 30}
    if is_sqlite(url):
        db_path = make_url(url).database
        if db_path and db_path != ":memory:":
            Path(db_path).parent.mkdir(parents=True, exist_ok=True)
        timeout_ms = settings.sqlite_busy_timeout_ms
        memory = not db_path or db_path == ":memory:"
        engine = create_engine(url, connect_args={"check_same_thread": False, "timeout": timeout_ms / 1000},
                               **({} if memory else pool))
        _configure_sqlite(engine, timeout_ms)
        # SQLite has no time zones: zone-aware columns are stored in UTC and read back as UTC
        # (otherwise the API would answer timestamps without a zone, unlike on PostgreSQL).
        engine.dialect.colspecs = {**engine.dialect.colspecs, DateTime: UTCDateTimeForSQLite}
    else:
        engine = create_engine(url, pool_pre_ping=True, **pool)
    from service.audit import ledger

    ledger.install()  # every session of every engine feeds the audit ledger
    return engine


def write_slots(url: str | None = None) -> int:
    """How many writers one server process admits at once (setting ``db_write_slots``; 0 = automatic)."""
    configured = get_settings().db_write_slots
    if configured > 0:
        return configured
    return 1 if is_sqlite(url or get_settings().database_url) else 8


# One semaphore per event loop (a test client may run several loops; a server runs one).
_gates: weakref.WeakKeyDictionary[asyncio.AbstractEventLoop, asyncio.Semaphore] = weakref.WeakKeyDictionary()


@asynccontextmanager
async def write_slot() -> AsyncIterator[Callable[[], None]]:
    """Hold one of the process's write slots (waiting in the event loop, not in a thread). Yields a
    function that gives the slot back early, callable from any thread (a long job started by a request
    releases it, then commits in short transactions of its own); it is given back at the end anyway."""
    loop = asyncio.get_running_loop()
    gate = _gates.get(loop)
    if gate is None:
        gate = _gates[loop] = asyncio.Semaphore(write_slots())
    await gate.acquire()
    released = False

    def release() -> None:  # runs in the event loop only
        nonlocal released
        if not released:
            released = True
            gate.release()

    try:
        yield lambda: loop.call_soon_threadsafe(release)
    finally:
        release()


def upgrade(url: str | None = None) -> None:
    """Create or migrate the database at ``url`` to the newest schema (``alembic upgrade head``)."""
    from alembic import command
    from alembic.config import Config

    cfg = Config(str(ROOT / "service" / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "service" / "migrations"))
    cfg.attributes["engine"] = get_engine(url)
    command.upgrade(cfg, "head")


@contextmanager
def transaction(url: str | None = None, *, readonly: bool = False) -> Iterator[Session]:
    """One unit of work: commit on success, roll back on any error."""
    engine = get_engine(url)
    bind = engine.execution_options(ogi_readonly=True) if readonly else engine
    with Session(bind, expire_on_commit=False) as session:
        try:
            yield session
            session.commit()
        except BaseException:
            session.rollback()
            raise
