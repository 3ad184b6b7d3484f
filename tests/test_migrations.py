"""Released schema: every earlier revision, with data in every table, upgrades to head on SQLite and
PostgreSQL without losing a row, and the models match head exactly (autogenerate finds nothing).

The rows are made from the schema as it stood at that revision (reflected), so a migration added
later is tested the same way without touching this file: one row per table, each column filled by its
type, foreign keys pointing at the rows already made.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa
from alembic import command
from alembic.autogenerate import compare_metadata
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import make_url, text

from service.settings import ROOT
from tests.conftest import PG_URL


def _config(url: str) -> Config:
    from service.db import get_engine

    cfg = Config(str(ROOT / "service" / "migrations" / "alembic.ini"))
    cfg.set_main_option("script_location", str(ROOT / "service" / "migrations"))
    cfg.attributes["engine"] = get_engine(url)
    return cfg


def _revisions() -> list[str]:
    """Every revision but head, oldest first."""
    script = ScriptDirectory.from_config(_config("sqlite://"))
    heads = script.get_heads()
    assert len(heads) == 1, f"more than one head: {heads} (re-point your down_revision)"
    ordered = [r.revision for r in reversed(list(script.walk_revisions()))]
    return ordered[:-1]


def _value(column: sa.Column, made: dict[str, Any]) -> Any:
    """A value of ``column``'s type (the row made earlier when it is a foreign key)."""
    for fk in column.foreign_keys:
        target = fk.column.table.name
        if target == column.table.name:
            return None  # a self-reference (a unit's parent): nullable, left empty
        return made[target]
    kind = column.type
    if isinstance(kind, sa.Boolean):
        return False
    if isinstance(kind, sa.Integer):
        return 1
    if isinstance(kind, sa.Numeric | sa.Float):
        return 1
    if isinstance(kind, sa.DateTime):
        return datetime(2026, 1, 5, 2, 0, tzinfo=UTC)
    if isinstance(kind, sa.Date):
        return date(2026, 1, 5)
    if isinstance(kind, sa.JSON):
        return {}
    length = getattr(kind, "length", None) or 20
    return f"v-{column.name}"[:length]


# Rows a later data migration replays through the workflow (a request and its event chain): a row made
# from column types is no valid event, so these tables (and those hanging on them) are left empty here;
# tests/test_backup.py and the suite's own databases cover real requests at head.
REPLAYED = {"disclosure_request", "request_event"}


def _skipped(engine: sa.Engine, meta: sa.MetaData) -> set[str]:
    """Tables not to fill: SQLite virtual (full-text) tables and their shadow tables, and :data:`REPLAYED`
    with every table that refers to them."""
    skipped = set(REPLAYED)
    if engine.dialect.name == "sqlite":
        with engine.connect() as conn:
            virtual = [r[0] for r in conn.exec_driver_sql(
                "SELECT name FROM sqlite_master WHERE type = 'table' AND sql LIKE 'CREATE VIRTUAL TABLE%'")]
        skipped |= {t for t in meta.tables if any(t == v or t.startswith(v + "_") for v in virtual)}
    grew = True
    while grew:
        grew = False
        for table in meta.sorted_tables:
            if table.name not in skipped and any(fk.column.table.name in skipped for fk in table.foreign_keys):
                skipped.add(table.name)
                grew = True
    return skipped


def _fill(url: str) -> dict[str, int]:
    """One row in every table of the database as it is now; returns the row counts."""
    from service.db import get_engine

    engine = get_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    skipped = _skipped(engine, meta)
    made: dict[str, Any] = {}
    sqlite = engine.dialect.name == "sqlite"
    with engine.begin() as conn:
        for table in meta.sorted_tables:
            if table.name == "alembic_version" or table.name in skipped:
                continue
            seeded = conn.execute(sa.select(table).limit(1)).first()
            if seeded is not None:  # a migration put its own row here (a singleton): keep it
                keys = list(table.primary_key.columns)
                made[table.name] = seeded._mapping[keys[0].name] if len(keys) == 1 else None
                continue
            row = {}
            for column in table.columns:
                if (column.primary_key and len(table.primary_key.columns) == 1
                        and isinstance(column.type, sa.Integer) and not column.foreign_keys
                        and (sqlite or column.server_default is not None or column.identity is not None)):
                    continue  # the database numbers it
                row[column.name] = _value(column, made)
            result = conn.execute(table.insert().values(**row))
            pk = result.inserted_primary_key
            made[table.name] = pk[0] if pk else None
        counts = {t.name: conn.execute(sa.select(sa.func.count()).select_from(t)).scalar_one()
                  for t in meta.sorted_tables if t.name != "alembic_version" and t.name not in skipped}
    return counts


def _counts(url: str, tables: list[str]) -> dict[str, int]:
    from service.db import get_engine

    engine = get_engine(url)
    present = set(sa.inspect(engine).get_table_names())  # a table a later revision dropped is not counted
    with engine.connect() as conn:
        return {t: conn.execute(text(f'SELECT count(*) FROM "{t}"')).scalar_one() for t in tables if t in present}


def _diff(url: str) -> list[Any]:
    from sqlmodel import SQLModel

    import service.models  # noqa: F401  (every table on the metadata)
    from service.db import get_engine, is_sqlite

    engine = get_engine(url)
    meta = sa.MetaData()
    meta.reflect(engine)
    # Full-text tables (SQLite FTS5 and its shadow tables) are made by migrations and have no model.
    virtual = _skipped(engine, meta) - REPLAYED - set(SQLModel.metadata.tables)
    virtual = {t for t in virtual if not any(fk.column.table.name in REPLAYED for fk in meta.tables[t].foreign_keys)}

    def include(obj, name, kind, reflected, compare_to):  # type: ignore[no-untyped-def]
        if kind == "table" and reflected and compare_to is None and (
                name in virtual or any(c.type.__class__.__name__ == "TSVECTOR" for c in obj.columns)):
            return False
        # PostgreSQL's full-text index (GIN on a tsvector) is made by the migration only, as FTS5 on SQLite.
        return not (kind == "index" and reflected and compare_to is None
                    and any(c.type.__class__.__name__ == "TSVECTOR" for c in obj.columns))

    with engine.connect() as conn:
        ctx = MigrationContext.configure(conn, opts={"compare_type": True, "include_object": include,
                                                     "render_as_batch": is_sqlite(url)})
        return compare_metadata(ctx, SQLModel.metadata)


@pytest.fixture(params=["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def empty_url(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[str]:
    """An empty database (no tables at all) on each backend."""
    from service.db import get_engine

    if request.param == "sqlite":
        url = f"sqlite:///{tmp_path / 'mig.db'}"
        yield url
        get_engine(url).dispose()
        return
    if not PG_URL:
        pytest.skip("OGI_TEST_POSTGRES_URL not set")
    schema = f"ogi_mig_{os.getpid()}_{tmp_path.name[-12:].replace('-', '_')}".lower()
    admin = sa.create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"}).render_as_string(
        hide_password=False)
    yield url
    get_engine(url).dispose()
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


@pytest.mark.parametrize("revision", _revisions())
def test_each_released_revision_upgrades_with_data(empty_url: str, revision: str) -> None:
    command.upgrade(_config(empty_url), revision)
    before = _fill(empty_url)
    assert before and all(n >= 1 for n in before.values())  # some migrations seed a row of their own
    command.upgrade(_config(empty_url), "head")
    after = _counts(empty_url, list(before))
    assert after == {t: n for t, n in before.items() if t in after}  # no row lost or duplicated on the way
    assert _diff(empty_url) == []


def test_models_match_head(empty_url: str) -> None:
    command.upgrade(_config(empty_url), "head")
    assert _diff(empty_url) == []


def test_the_regeneration_script_is_gone() -> None:
    """Migrations are released: never regenerated (CONTRIBUTING.md says why)."""
    assert not (ROOT / "scripts" / "regen_migration.py").exists()
