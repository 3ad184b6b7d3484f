"""The append-only, hash-chained event log of each request, and its verification (`ogi audit verify`)."""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from sqlmodel import Session, select

from service.requests.models import RequestEvent, RequestRecord
from workflow.events import DomainEvent

GENESIS = "0" * 64


def canonical(value: Any) -> Any:
    """``value`` as it will come back from the JSON column (dates → ISO strings, tuples → lists)."""
    return json.loads(json.dumps(value, ensure_ascii=False, default=_default))


def _default(value: Any) -> Any:
    if isinstance(value, datetime):
        return _utc_iso(value)
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, set | frozenset):
        return sorted(value)
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def _utc_iso(moment: datetime) -> str:
    # SQLite hands back naive datetimes; every stored timestamp is UTC.
    moment = moment.replace(tzinfo=UTC) if moment.tzinfo is None else moment.astimezone(UTC)
    return moment.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def event_hash(*, prev_hash: str, request_id: int, seq: int, kind: str, on: date, data: Any,
               actor_id: int | None, recorded_at: datetime) -> str:
    """SHA-256 over the previous hash and this event's canonical JSON."""
    body = json.dumps(
        {"request": request_id, "seq": seq, "kind": kind, "on": on.isoformat(), "data": data,
         "actor": actor_id, "at": _utc_iso(recorded_at)},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    )
    return hashlib.sha256((prev_hash + body).encode("utf-8")).hexdigest()


def append(*, session: Session, record: RequestRecord, events: Iterable[DomainEvent], actor_id: int | None,
           now: datetime) -> list[RequestEvent]:
    """Append ``events`` to ``record``'s chain (the caller holds the request's lock)."""
    rows = []
    prev = record.last_hash or GENESIS
    for event in events:
        seq = record.event_count + 1
        data = canonical(dict(event.data))
        digest = event_hash(prev_hash=prev, request_id=record.id, seq=seq, kind=event.kind, on=event.on,  # type: ignore[arg-type]
                            data=data, actor_id=actor_id, recorded_at=now)
        row = RequestEvent(request_id=record.id, seq=seq, kind=event.kind, on=event.on, data=data,  # type: ignore[arg-type]
                           actor_id=actor_id, recorded_at=now, prev_hash=prev, hash=digest)
        session.add(row)
        rows.append(row)
        record.event_count = seq
        record.last_hash = prev = digest
    session.add(record)
    return rows


def load(*, session: Session, request_id: int) -> list[RequestEvent]:
    """A request's events in order."""
    return list(session.exec(select(RequestEvent).where(RequestEvent.request_id == request_id)
                             .order_by(RequestEvent.seq)))


def as_domain(rows: Iterable[RequestEvent]) -> list[DomainEvent]:
    """Stored rows back as domain events (what the workflow folds)."""
    return [DomainEvent(kind=r.kind, on=r.on, data=r.data) for r in rows]


@dataclass(frozen=True)
class ChainBreak:
    """A place where the recomputed chain disagrees with what is stored."""

    request_id: int
    number: str
    seq: int
    problem: str


def verify(*, session: Session) -> Iterator[ChainBreak]:
    """Recompute every request's chain and yield each break (edited, deleted, reordered or forged rows)."""
    records = {r.id: r for r in session.exec(select(RequestRecord))}
    current: int | None = None
    prev, expected_seq = GENESIS, 1
    for row in session.exec(select(RequestEvent).order_by(RequestEvent.request_id, RequestEvent.seq)):
        if row.request_id != current:
            if current is not None:
                yield from _check_tail(records[current], prev, expected_seq - 1)
            current, prev, expected_seq = row.request_id, GENESIS, 1
        number = records[row.request_id].number if row.request_id in records else "?"
        if row.seq != expected_seq:
            yield ChainBreak(row.request_id, number, row.seq, f"event {expected_seq} is missing")
        if row.prev_hash != prev:
            yield ChainBreak(row.request_id, number, row.seq, "previous-hash link does not match")
        digest = event_hash(prev_hash=row.prev_hash, request_id=row.request_id, seq=row.seq, kind=row.kind,
                            on=row.on, data=row.data, actor_id=row.actor_id, recorded_at=row.recorded_at)
        if digest != row.hash:
            yield ChainBreak(row.request_id, number, row.seq, "content does not match its hash (edited)")
        prev, expected_seq = row.hash, row.seq + 1
    if current is not None:
        yield from _check_tail(records[current], prev, expected_seq - 1)


def _check_tail(record: RequestRecord, last_hash: str, last_seq: int) -> Iterator[ChainBreak]:
    if record.last_hash != last_hash or record.event_count != last_seq:
        yield ChainBreak(record.id, record.number, last_seq,  # type: ignore[arg-type]
                         "the request's head does not match its last event (events removed or added)")
