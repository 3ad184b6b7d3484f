"""Schemathesis over the whole OpenAPI document with an admin's and a clerk's token: no 5xx and every
response matching its schema (status codes, content types, bodies). Bounded for CI: a few examples
per operation and token (a few hundred calls in all), on SQLite, whose limits (64-bit integers,
timestamps without a zone) produced most of the 5xx found before, and on PostgreSQL when
OGI_TEST_POSTGRES_URL is set (its own limits: 32-bit integer columns, strict types, NUL bytes in text)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import (
    allow_header_conformance,
    negative_data_rejection,
    positive_data_acceptance,
    unsupported_method,
)

from service.app import create_app
from tests.conftest import BACKENDS, _truncate_postgres, auth

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
# As in tests/test_api_contract.py: schema-valid values the service rightly refuses (422), Starlette's
# 405 listing only one route's methods, and unknown query parameters being ignored are not faults;
# nor is GET /letters/check answering 422 (it is GET /letters/{letter_id} with a non-number) for 405.
EXCLUDED = [positive_data_acceptance, allow_header_conformance, negative_data_rejection, unsupported_method]
EXAMPLES = int(os.environ.get("OGI_FUZZ_EXAMPLES", "4"))


@pytest.fixture(scope="module", params=BACKENDS)
def tokens(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory,
           sqlite_template) -> Iterator[dict[str, dict[str, str]]]:  # type: ignore[no-untyped-def]
    """One database per backend for the whole module (as the ``db_url`` fixture, but built once: the
    fuzzing only adds rows), with an admin's and a clerk's token."""
    from service.db import get_engine
    from service.settings import get_settings
    from tests.conftest import make_world

    folder = tmp_path_factory.mktemp("fuzz")
    if request.param == "sqlite":
        shutil.copy(sqlite_template, folder / "ogi.db")
        url = f"sqlite:///{folder / 'ogi.db'}"
    else:
        url = request.getfixturevalue("postgres_schema_url")
        _truncate_postgres(url)
    names = ("OGI_DATABASE_URL", "OGI_CALENDAR_DIR", "OGI_SEAL_DIR", "OGI_STORAGE_DIR", "OGI_AUDIT_KEY_FILE")
    saved = {k: os.environ.get(k) for k in names}
    os.environ.update({"OGI_DATABASE_URL": url, "OGI_CALENDAR_DIR": str(folder / "calendars"),
                       "OGI_SEAL_DIR": str(folder / "seals"), "OGI_STORAGE_DIR": str(folder / "files"),
                       "OGI_AUDIT_KEY_FILE": str(folder / "audit.key")})
    get_settings.cache_clear()
    world = make_world(url, folder)
    yield {"admin": auth(world, "admin"), "clerk": auth(world, "clerk")}
    if request.param == "sqlite":
        get_engine(url).dispose()
    for key, value in saved.items():
        if value is None:
            os.environ.pop(key, None)
        else:
            os.environ[key] = value
    get_settings.cache_clear()


@pytest.mark.parametrize("who", ["admin", "clerk"])
@schema.parametrize()
@settings(max_examples=EXAMPLES, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
def test_whole_api_conforms(case, tokens, who: str) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=tokens[who], excluded_checks=EXCLUDED)
