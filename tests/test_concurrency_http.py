"""200 registrations released at once in one unit, through real HTTP against `ogi serve` (a uvicorn
subprocess), on SQLite and PostgreSQL: every answer 201, numbers 1…200 without a gap, and another
unit's `GET /me` keeps answering meanwhile."""

from __future__ import annotations

import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:  # the harness is shared with benchmarks/concurrency.py
    sys.path.insert(0, str(ROOT))

from benchmarks.concurrency import burst, prepare, serving  # noqa: E402

PARALLEL = 200


@pytest.mark.xdist_group("http-burst")
def test_two_hundred_parallel_registrations_get_consecutive_numbers_and_no_5xx(db_url, tmp_path) -> None:
    from service.db import get_engine

    token, other_token = prepare(db_url, tmp_path)
    get_engine(db_url).dispose()
    with serving(db_url, tmp_path) as base:
        seen = burst(base, token, other_token, PARALLEL)
    assert sorted(seen.statuses) == [201] * PARALLEL, seen.errors[:5]
    assert seen.sequence_numbers() == list(range(1, PARALLEL + 1))
    assert seen.numbers[0].startswith("基准依申〔2026〕")
    # The other unit was served during the burst, every time.
    assert seen.other_waits and set(seen.other_statuses) == {200}
    from service.db import transaction
    from service.requests.eventlog import verify

    with transaction(db_url, readonly=True) as session:
        assert list(verify(session=session)) == []
