"""The append-only, keyed hash chain of each request's events.

Each event's ``hash`` is HMAC-SHA256 (the audit key, :mod:`service.audit.key`) over the previous hash
and the event's canonical JSON, so a full re-hash by someone without the key does not verify. Events
recorded before the key existed (ids up to ``audit_head.legacy_event_max``) keep their plain SHA-256
links and are verified as such (the legacy chain). Verification of everything: :mod:`service.audit.verify`.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Iterator
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
               actor_id: int | None, recorded_at: datetime, key: bytes | None) -> str:
    """HMAC-SHA256 with ``key`` over the previous hash and this event's canonical JSON
    (``key=None``: the plain SHA-256 of the legacy, unkeyed chain)."""
    body = json.dumps(
        {"request": request_id, "seq": seq, "kind": kind, "on": on.isoformat(), "data": data,
         "actor": actor_id, "at": _utc_iso(recorded_at)},
        ensure_ascii=False, sort_keys=True, separators=(",", ":"),
    ).encode("utf-8")
    if key is None:
        return hashlib.sha256(prev_hash.encode("utf-8") + body).hexdigest()
    return hmac.new(key, prev_hash.encode("utf-8") + body, hashlib.sha256).hexdigest()


def append(*, session: Session, record: RequestRecord, events: Iterable[DomainEvent], actor_id: int | None,
           now: datetime) -> list[RequestEvent]:
    """Append ``events`` to ``record``'s chain (the caller holds the request's lock)."""
    from service.audit.key import audit_key

    key = audit_key(create=True)
    rows = []
    prev = record.last_hash or GENESIS
    for event in events:
        seq = record.event_count + 1
        data = canonical(dict(event.data))
        digest = event_hash(prev_hash=prev, request_id=record.id, seq=seq, kind=event.kind, on=event.on,  # type: ignore[arg-type]
                            data=data, actor_id=actor_id, recorded_at=now, key=key)
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


def verify(*, session: Session, checkpoints: Iterable[tuple[int, str]] = ()) -> Iterator[Any]:
    """Every fault :func:`service.audit.verify.verify` finds (kept here for older callers)."""
    from service.audit.verify import verify as verify_all

    return iter(verify_all(session=session, checkpoints=checkpoints))
