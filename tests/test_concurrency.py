"""Concurrent writers on SQLite and PostgreSQL: gap-free numbers, one winner per conflicting action,
a valid event chain afterwards."""

from __future__ import annotations

import threading
from collections.abc import Callable
from datetime import UTC, datetime

from sqlmodel import select

from workflow.errors import ActionNotAllowed

NOW = datetime(2026, 10, 20, 2, 0, tzinfo=UTC)  # 10:00 in Beijing


def body(i: int) -> dict:
    return {"applicant": {"kind": "natural_person", "name": f"张{'一二三四五六七八九十'[i % 10]}", "id_type": "resident_id",
                          "id_number": "11010519491231002X", "phone": "13900000000"},
            "channel": "in_person", "arrival_at": datetime(2026, 9, 21, 2, 0, tzinfo=UTC),
            "description": f"申请公开第{i}号文件", "attachments": []}


def in_parallel(n: int, work: Callable[[int], object]) -> list[object]:
    """Run ``work(i)`` in n threads released together; return each result or exception."""
    barrier = threading.Barrier(n)
    results: list[object] = [None] * n

    def run(i: int) -> None:
        barrier.wait()
        try:
            results[i] = work(i)
        except Exception as exc:  # collected for the assertions
            results[i] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in range(n)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(60)
    return results


def _user(session, username: str):  # type: ignore[no-untyped-def]
    from service.users.models import User
    from service.users.service import visible_agency_ids

    user = session.exec(select(User).where(User.username == username)).one()
    return user, visible_agency_ids(session=session, user=user)


def test_twenty_parallel_registrations_get_twenty_consecutive_numbers(world, db_url) -> None:
    from service.db import transaction
    from service.requests.service import register

    def work(i: int) -> str:
        with transaction(db_url) as session:
            user, visible = _user(session, "clerk")
            record, _ = register(session=session, user=user, visible=visible, data=body(i), now=NOW)
            return record.number

    numbers = in_parallel(20, work)
    assert all(isinstance(n, str) for n in numbers), numbers
    assert sorted(numbers, key=lambda n: int(n.split("〕")[1][:-1])) == [
        f"常住建依申〔2026〕{k}号" for k in range(1, 21)]


def test_two_conflicting_actions_one_wins_and_the_chain_stays_valid(world, db_url) -> None:
    from service.db import transaction
    from service.requests.eventlog import verify
    from service.requests.service import act, register

    with transaction(db_url) as session:
        user, visible = _user(session, "clerk")
        record, _ = register(session=session, user=user, visible=visible, data=body(0), now=NOW)
        rid = record.id
    with transaction(db_url) as session:
        user, visible = _user(session, "handler")
        act(session=session, user=user, visible=visible, request_id=rid,
            payload={"action": "accept", "on": "2026-09-22"}, now=NOW)

    def extend(i: int) -> str:
        with transaction(db_url) as session:
            user, visible = _user(session, "approver")
            act(session=session, user=user, visible=visible, request_id=rid,
                payload={"action": "extend", "notified_on": "2026-10-20", "days": 10 + i, "reason": "档案调取", "seal_confirmed": True},
                now=NOW)
            return "ok"

    results = in_parallel(2, extend)
    assert results.count("ok") == 1, [(r, getattr(r, "__dict__", None)) for r in results]
    refused = [r for r in results if r != "ok"]
    assert isinstance(refused[0], ActionNotAllowed), refused
    with transaction(db_url, readonly=True) as session:
        assert list(verify(session=session)) == []
        from service.requests.models import RequestEvent

        kinds = [e.kind for e in session.exec(select(RequestEvent).where(RequestEvent.request_id == rid)
                                              .order_by(RequestEvent.seq))]
    assert kinds.count("extended") == 1
