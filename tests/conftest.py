"""Shared fixtures: a migrated database per test on SQLite (always) and PostgreSQL (when
OGI_TEST_POSTGRES_URL is set), the app wired to it, and a small set of agencies and users."""

from __future__ import annotations

import functools
import os
import shutil
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy import make_url, text

PG_URL = os.environ.get("OGI_TEST_POSTGRES_URL", "")


def _test_secret_key_file() -> str:
    """A fresh key file (0600) for this test process: nothing relies on a default or on var/."""
    import tempfile

    from service.secret_key import write_new

    path = Path(tempfile.mkdtemp(prefix="ogi-test-key-")) / "secret_key"
    write_new(path)
    return str(path)


# Set before any settings are read; the browser-test server inherits it. OGI_SECRET_KEY from the
# caller's environment would override the file, so it is removed.
os.environ.pop("OGI_SECRET_KEY", None)
os.environ["OGI_SECRET_KEY_FILE"] = _test_secret_key_file()
BACKENDS = ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)]


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A database migrated once with `alembic upgrade head`; each test gets a copy."""
    from service.db import get_engine, upgrade

    path = tmp_path_factory.mktemp("template") / "ogi.db"
    url = f"sqlite:///{path}"
    upgrade(url)
    # Closing the last connection checkpoints the WAL into the file, so a plain copy is complete.
    get_engine(url).dispose()
    get_engine.cache_clear()
    return path


@pytest.fixture(scope="session")
def postgres_schema_url(worker_id: str) -> Iterator[str]:
    """A fresh schema for this test process on the PostgreSQL server, migrated once, dropped at the end
    (named by process, so two test runs on one server never truncate each other's tables)."""
    if not PG_URL:
        pytest.skip("OGI_TEST_POSTGRES_URL not set")
    from sqlalchemy import create_engine

    from service.db import get_engine, upgrade

    schema = f"ogi_test_{worker_id}_{os.getpid()}"
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
        conn.execute(text(f"CREATE SCHEMA {schema}"))
    admin.dispose()
    url = make_url(PG_URL).update_query_dict({"options": f"-csearch_path={schema}"})
    rendered = url.render_as_string(hide_password=False)
    upgrade(rendered)
    yield rendered
    get_engine(rendered).dispose()
    admin = create_engine(PG_URL)
    with admin.begin() as conn:
        conn.execute(text(f"DROP SCHEMA IF EXISTS {schema} CASCADE"))
    admin.dispose()


def _truncate_postgres(url: str) -> None:
    from service.db import get_engine

    engine = get_engine(url)
    with engine.begin() as conn:
        tables = [r[0] for r in conn.execute(text(
            "SELECT tablename FROM pg_tables WHERE schemaname = current_schema() AND tablename <> 'alembic_version'"))]
        if tables:
            conn.execute(text("TRUNCATE " + ", ".join(f'"{t}"' for t in tables) + " RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def db_url(request: pytest.FixtureRequest, tmp_path: Path, sqlite_template: Path,
           monkeypatch: pytest.MonkeyPatch) -> Iterator[str]:
    """An empty, migrated database (SQLite copy, or a truncated PostgreSQL schema), set as OGI_DATABASE_URL."""
    from service.db import get_engine
    from service.settings import get_settings

    if request.param == "sqlite":
        path = tmp_path / "ogi.db"
        shutil.copy(sqlite_template, path)
        url = f"sqlite:///{path}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
        _truncate_postgres(url)
    monkeypatch.setenv("OGI_DATABASE_URL", url)
    monkeypatch.setenv("OGI_CALENDAR_DIR", str(tmp_path / "calendars"))
    monkeypatch.setenv("OGI_SEAL_DIR", str(tmp_path / "seals"))
    monkeypatch.setenv("OGI_STORAGE_DIR", str(tmp_path / "files"))
    monkeypatch.setenv("OGI_AUDIT_KEY_FILE", str(tmp_path / "audit.key"))
    get_settings.cache_clear()
    yield url
    if request.param == "sqlite":
        get_engine(url).dispose()
    get_settings.cache_clear()


@dataclass
class World:
    """Agencies and users for API tests: a supervising office (市政府办公室) with two units below it."""

    tokens: dict[str, str]
    agencies: dict[str, int]


AGENCIES_TOML = """
[[agency]]
code = "city"
name = "常熟市人民政府办公室"
letter_prefix = "常政办依申"
reconsideration_body = "苏州市人民政府"
court = "苏州市姑苏区人民法院"
contact = "0512-52000000"

[[agency]]
code = "housing"
name = "常熟市住房和城乡建设局"
parent = "city"
letter_prefix = "常住建依申"
reconsideration_body = "常熟市人民政府"
court = "常熟市人民法院"
contact = "0512-52000001"

[[agency]]
code = "env"
name = "常熟市生态环境局"
parent = "city"
letter_prefix = "常环依申"
reconsideration_body = "常熟市人民政府"
court = "常熟市人民法院"
contact = "0512-52000002"
"""

USERS = [
    ("clerk", "clerk", "housing"),
    ("handler", "handler", "housing"),
    ("approver", "approver", "housing"),
    ("env_clerk", "clerk", "env"),
    ("env_approver", "approver", "env"),
    ("assessor", "assessor", "city"),
    ("admin", "admin", "city"),
]


@functools.lru_cache(maxsize=8)
def _cached_hash(password: str) -> str:
    from service.users.security import hash_password

    return hash_password(password)


@pytest.fixture(autouse=True)
def _one_argon2_hash_per_password(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2 is slow on purpose; tests reuse one hash per password (login still verifies it for real)."""
    import service.users.service as users

    monkeypatch.setattr(users, "hash_password", _cached_hash)


def make_world(url: str, tmp_path: Path) -> World:
    """Import the agencies above and create one user (with a token) per role."""
    from service.agencies.service import import_file
    from service.db import transaction
    from service.users.service import add_user, create_token

    path = tmp_path / "agencies.toml"
    path.write_text(AGENCIES_TOML, encoding="utf-8")
    tokens: dict[str, str] = {}
    with transaction(url) as session:
        import_file(session=session, path=path)
        for username, role, agency in USERS:
            # "admin" is the deployment's admin (national calendars); tests/test_boundaries.py adds others.
            add_user(session=session, username=username, password="correct horse", role=role, agency_code=agency,
                     deployment_admin=username == "admin")
            tokens[username] = create_token(session=session, username=username)
        from service.agencies.repository import all_agencies

        agencies = {a.code: a.id for a in all_agencies(session=session)}
    return World(tokens=tokens, agencies=agencies)  # type: ignore[arg-type]


@pytest.fixture
def world(db_url: str, tmp_path: Path) -> World:
    """Agencies and users in the test database."""
    return make_world(db_url, tmp_path)


@pytest.fixture
def client(db_url: str):  # type: ignore[no-untyped-def]
    """A TestClient on the app wired to the test database."""
    from fastapi.testclient import TestClient

    from service.app import create_app

    with TestClient(create_app()) as c:
        # Build the OpenAPI schema now: FastAPI resolves route annotations lazily, and a test that
        # freezes time would otherwise make it see freezegun's date class instead of datetime.date.
        c.get("/openapi.json")
        yield c


def auth(world: World, user: str) -> dict[str, str]:
    """The Authorization header of ``user``."""
    return {"Authorization": f"Bearer {world.tokens[user]}"}
