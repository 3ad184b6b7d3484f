"""The API against its own OpenAPI document (Schemathesis): no server errors and responses that match
the schema, for the public calendar endpoints and for a logged-in clerk's request endpoints."""

from __future__ import annotations

import pytest
import schemathesis
from hypothesis import HealthCheck, settings
from schemathesis.checks import allow_header_conformance, negative_data_rejection, positive_data_acceptance

from service.app import create_app
from tests.conftest import auth

schema = schemathesis.openapi.from_asgi("/openapi.json", create_app())
# Semantically unknown values (a region no overlay names, a date outside the calendar's range) are
# schema-valid but rightly refused with 422; Starlette's 405 answers list only the methods of the first
# route on a path (GET and POST /requests are two routes); unknown query parameters are ignored, as
# HTTP APIs usually do, rather than refused. Every other check (no 5xx, documented status codes,
# responses matching their schema, auth enforced) stays on.
EXCLUDED = [positive_data_acceptance, allow_header_conformance, negative_data_rejection]


@schema.include(path_regex="^/api/v1/calendar").parametrize()
@settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck))
def test_calendar_endpoints_conform(case) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(excluded_checks=EXCLUDED)


@pytest.fixture(scope="module")
def clerk_headers(tmp_path_factory: pytest.TempPathFactory, sqlite_template) -> dict[str, str]:  # type: ignore[no-untyped-def]
    import os
    import shutil

    from service.db import get_engine
    from service.settings import get_settings
    from tests.conftest import make_world

    path = tmp_path_factory.mktemp("contract") / "ogi.db"
    shutil.copy(sqlite_template, path)
    url = f"sqlite:///{path}"
    os.environ["OGI_DATABASE_URL"] = url
    get_settings.cache_clear()
    world = make_world(url, path.parent)
    yield auth(world, "clerk")
    get_engine(url).dispose()
    os.environ.pop("OGI_DATABASE_URL", None)
    get_settings.cache_clear()


@schema.include(path_regex="^/api/v1/requests").parametrize()
@settings(max_examples=15, deadline=None, suppress_health_check=list(HealthCheck))
def test_request_endpoints_conform(case, clerk_headers) -> None:  # type: ignore[no-untyped-def]
    case.call_and_validate(headers=clerk_headers, excluded_checks=EXCLUDED)
