"""Alembic environment: migrates the engine handed in by service.db.upgrade (or OGI_DATABASE_URL)."""

from alembic import context
from sqlmodel import SQLModel

import service.models  # noqa: F401  (registers every table on SQLModel.metadata)
from service.db import get_engine, is_sqlite

config = context.config
target_metadata = SQLModel.metadata


def run_migrations_online() -> None:
    engine = config.attributes.get("engine") or get_engine()
    sqlite = is_sqlite(str(engine.url))
    with engine.connect() as connection:
        if sqlite:
            # Batch mode rebuilds a table (copy, drop, rename); with foreign keys on, dropping a table
            # that others reference fails. The pragma only works outside a transaction, so it is set on
            # the driver connection (autocommit) before the migration's transaction begins.
            connection.connection.driver_connection.execute("PRAGMA foreign_keys=OFF")  # type: ignore[union-attr]
        try:
            context.configure(
                connection=connection,
                target_metadata=target_metadata,
                render_as_batch=sqlite,
                compare_type=True,
            )
            with context.begin_transaction():
                context.run_migrations()
                if sqlite:
                    broken = connection.exec_driver_sql("PRAGMA foreign_key_check").fetchall()
                    if broken:
                        raise RuntimeError(f"migration left rows with dangling foreign keys: {broken[:5]}")
            connection.commit()
        finally:
            if sqlite:
                connection.connection.driver_connection.execute("PRAGMA foreign_keys=ON")  # type: ignore[union-attr]


run_migrations_online()
