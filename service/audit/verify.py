"""`ogi audit verify`: recompute every chain and sequence and name each fault; never raises on bad data.

What is checked (each fault has a code; docs/audit.md lists them):
* per request: events numbered 1…n, each linked to the one before, each keyed hash recomputed; the
  request row's head (event count, last hash) matches its last event; a registered request has events;
  the row's status, receipt date and decision agree with its events folded again;
* across the deployment: request numbers per unit and year run 1…n with none missing (and none after
  the last one the counter gave out); the ledger runs 1…n, each entry's keyed link recomputed, each
  entry's row still there and unchanged, every row after the legacy marks has an entry, the head is
  the last entry; every checkpoint (stored, or given from outside) is still in the ledger;
* letters: the stored HTML still has the hash recorded at issue.
"""

from __future__ import annotations

import hashlib
from collections import defaultdict
from collections.abc import Iterable, Iterator, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select as core_select
from sqlmodel import Session, select

from service.audit import ledger
from service.audit.key import AuditKeyMissing, audit_key
from service.audit.models import AuditCheckpoint, AuditEntry, AuditHead
from service.counters import SerialCounter
from service.letters.models import Letter
from service.requests.eventlog import GENESIS, event_hash
from service.requests.models import RequestEvent, RequestRecord


@dataclass(frozen=True)
class Fault:
    """One thing that does not verify: ``code`` (stable, for scripts), where, and what is wrong."""

    code: str
    problem: str
    request_id: int | None = None
    number: str = "-"
    seq: int | None = None

    def __str__(self) -> str:
        where = f"{self.number} event {self.seq}" if self.seq is not None and self.request_id else self.number
        return f"{self.code}: {where}: {self.problem}"


def verify(*, session: Session, checkpoints: Iterable[tuple[int, str]] = ()) -> list[Fault]:
    """Every fault in the database (an empty list: everything verifies)."""
    faults: list[Fault] = []
    anything_keyed = session.exec(select(AuditEntry).limit(1)).first() is not None
    head = session.get(AuditHead, 1)
    if head is None:
        if anything_keyed:
            faults.append(Fault("ledger_head", "the ledger's head row is missing", number="ledger head"))
        head = AuditHead(id=1)
    try:
        key: bytes | None = audit_key(create=False)
    except AuditKeyMissing as exc:
        key = None
        if anything_keyed or head.seq:  # nothing recorded yet: no key needed
            faults.append(Fault("key_missing", f"{exc}; keyed hashes and ledger links were not checked"))
    records = {r.id: r for r in session.exec(select(RequestRecord))}
    faults += _numbers(session, records)
    faults += _events(session, records, key, head)
    faults += _letters(session)
    faults += _files(session)
    faults += _ledger(session, key, head, list(checkpoints))
    return faults


def _label(record: RequestRecord | None, request_id: int) -> str:
    return record.number if record is not None else f"request id {request_id}"


def _numbers(session: Session, records: Mapping[int, RequestRecord]) -> Iterator[Fault]:
    """Request numbers per unit and year: 1…n, and nothing given out after n (a whole request removed)."""
    seqs: dict[tuple[int, int], set[int]] = defaultdict(set)
    prefix: dict[tuple[int, int], str] = {}
    for r in records.values():
        seqs[r.agency_id, r.year].add(r.seq)
        prefix[r.agency_id, r.year] = r.number.rsplit("〕", 1)[0] + "〕"
    issued = {(c.agency_id, c.year): c.last for c in session.exec(
        select(SerialCounter).where(SerialCounter.series == "request"))}
    for series in sorted(set(seqs) | set(issued)):
        have = seqs.get(series, set())
        top = max([*have, issued.get(series, 0)])
        name = prefix.get(series, f"unit {series[0]} year {series[1]} No. ")
        for n in range(1, top + 1):
            if n not in have:
                yield Fault("request_missing", f"request number {name}{n}号 was given out but the request is gone",
                            number=f"{name}{n}号")


def _events(session: Session, records: Mapping[int, RequestRecord], key: bytes | None,
            head: AuditHead) -> Iterator[Fault]:
    """Each request's chain, its head on the row, and the row's derived columns against the events."""
    by_request: dict[int, list[RequestEvent]] = defaultdict(list)
    for row in session.exec(select(RequestEvent).order_by(RequestEvent.request_id, RequestEvent.seq)):
        by_request[row.request_id].append(row)
    for request_id in sorted(set(by_request) - set(records)):
        rows = by_request[request_id]
        yield Fault("event_orphaned", f"{len(rows)} event(s) belong to request id {request_id}, which is gone",
                    request_id=request_id, number=f"request id {request_id}", seq=rows[0].seq)
    for request_id, record in sorted(records.items()):
        rows = by_request.get(request_id, [])
        number = record.number
        prev, expected = GENESIS, 1
        for row in rows:
            if row.seq != expected:
                yield Fault("event_missing" if row.seq > expected else "event_order",
                            f"event {expected} is missing" if row.seq > expected else "events out of order",
                            request_id, number, row.seq)
            if row.prev_hash != prev:
                yield Fault("event_link", "previous-hash link does not match (removed or reordered events)",
                            request_id, number, row.seq)
            legacy = row.id is not None and row.id <= head.legacy_event_max
            if key is not None or legacy:
                digest = event_hash(prev_hash=row.prev_hash, request_id=row.request_id, seq=row.seq,
                                    kind=row.kind, on=row.on, data=row.data, actor_id=row.actor_id,
                                    recorded_at=row.recorded_at, key=None if legacy else key)
                if digest != row.hash:
                    yield Fault("event_edited", "content does not match its keyed hash (edited or re-hashed)",
                                request_id, number, row.seq)
            prev, expected = row.hash, row.seq + 1
        last_seq = rows[-1].seq if rows else 0
        if not rows:
            yield Fault("events_missing", "the request has no events at all (every registered request has some)",
                        request_id, number)
        elif record.last_hash != prev or record.event_count != last_seq:
            yield Fault("event_head", f"the request's head (event {record.event_count}) does not match its last "
                        f"event ({last_seq}): events removed or added", request_id, number, last_seq)
        if rows:
            yield from _projection(record, rows)


def _projection(record: RequestRecord, rows: list[RequestEvent]) -> Iterator[Fault]:
    from service.requests.eventlog import as_domain
    from workflow.machine import fold

    try:
        case = fold(as_domain(rows))
    except Exception as exc:  # a tampered log may not fold; that is a finding, not a crash
        yield Fault("events_unreadable", f"the events cannot be replayed: {exc}", record.id, record.number)
        return
    reply = getattr(case, "reply", None)
    expected = {"status": str(case.status), "received_on": case.receipt_date,
                "decision": getattr(reply, "decision", None) if reply else None,
                "replied_on": getattr(reply, "issued_on", None) if reply else None}
    for column, value in expected.items():
        stored = getattr(record, column)
        if stored != value:
            yield Fault("request_edited", f"{column} is {stored!r} but the events say {value!r}",
                        record.id, record.number)


def _letters(session: Session) -> Iterator[Fault]:
    for letter in session.exec(select(Letter).order_by(Letter.id)):
        if hashlib.sha256(letter.html.encode("utf-8")).hexdigest() != letter.sha256:
            yield Fault("letter_edited", f"letter {letter.number} (id {letter.id}): its HTML does not match the "
                        "hash recorded at issue", letter.request_id, letter.number)


def _files(session: Session) -> Iterator[Fault]:
    # Attachments: the upload event names the file's hash, and the stored bytes must still hash to it
    # (service/files; a swapped, edited or missing file).
    from service.files.service import verify_files
    from service.files.storage import get_store

    for problem in verify_files(session=session, store=get_store()):
        yield Fault("file_changed", f"attachment {problem.attachment_id}: {problem.problem}", problem.request_id,
                    problem.number)


def _ledger(session: Session, key: bytes | None, head: AuditHead,
            outside: list[tuple[int, str]]) -> Iterator[Fault]:
    """The deployment-wide sequence: gap-free, keyed links, rows present and unchanged, nothing unrecorded."""
    covered: dict[str, set[int]] = defaultdict(set)
    entries: dict[int, str] = {}
    refs: list[tuple[AuditEntry, str]] = []
    prev, expected = "", 1
    for entry in session.exec(select(AuditEntry).order_by(AuditEntry.seq)):
        if entry.seq != expected:
            yield Fault("ledger_gap", f"ledger entries {expected}–{entry.seq - 1} are missing",
                        number=f"ledger {expected}")
            prev = None  # type: ignore[assignment]  # the link across a gap cannot be checked
        if key is not None and prev is not None:
            mac = ledger.entry_mac(key, seq=entry.seq, kind=entry.kind, ref_id=entry.ref_id, digest=entry.digest,
                                   prev_mac=prev)
            if mac != entry.mac:
                yield Fault("ledger_forged", f"ledger entry {entry.seq} ({entry.kind} {entry.ref_id}) does not match "
                            "its keyed link (edited, reordered or written without the key)",
                            number=f"ledger {entry.seq}")
        covered[entry.kind].add(entry.ref_id)
        entries[entry.seq] = entry.mac
        refs.append((entry, entry.kind))
        prev, expected = entry.mac, entry.seq + 1
    last_seq = expected - 1
    if (head.seq, head.mac) != (last_seq, entries.get(last_seq, "")):
        yield Fault("ledger_head", f"the ledger head says entry {head.seq} but the last entry is {last_seq}",
                    number="ledger head")
    for kind in ledger.KINDS:
        ids = [e.ref_id for e, k in refs if k == kind]
        rows = ledger.fetch(session, kind, ids)
        for entry, k in refs:
            if k != kind:
                continue
            row = rows.get(entry.ref_id)
            if row is None:
                yield Fault("row_deleted", f"{kind} id {entry.ref_id} (ledger entry {entry.seq}) is gone",
                            number=_where(kind, None, entry.ref_id))
            elif ledger.digest(kind, row) != entry.digest:
                yield Fault("row_edited", f"{kind} id {entry.ref_id} changed since it was recorded "
                            f"(ledger entry {entry.seq})", number=_where(kind, row, entry.ref_id))
        yield from _unrecorded(session, kind, covered[kind], _legacy_mark(head, kind))
    stored = [(c.seq, c.mac) for c in session.exec(select(AuditCheckpoint).order_by(AuditCheckpoint.id))]
    for origin, points in (("stored", stored), ("given", outside)):
        for seq, mac in points:
            if entries.get(seq) != mac:
                what = "is missing" if seq not in entries else "has a different link"
                yield Fault("checkpoint", f"{origin} checkpoint {seq}: ledger entry {seq} {what} "
                            "(the ledger was cut back or rewritten)", number=f"checkpoint {seq}")


def _legacy_mark(head: AuditHead, kind: str) -> int:
    return {"request": head.legacy_request_max, "event": head.legacy_event_max,
            "letter": head.legacy_letter_max, "assessment": head.legacy_assessment_max}[kind]


def _where(kind: str, row: Mapping[str, Any] | None, ref_id: int) -> str:
    if row is not None and "number" in row:
        return str(row["number"])
    return f"{kind} id {ref_id}"


def _unrecorded(session: Session, kind: str, covered: set[int], legacy: int) -> Iterator[Fault]:
    table, _ = ledger.KINDS[kind]
    for (row_id,) in session.execute(core_select(table.c.id).where(table.c.id > legacy).order_by(table.c.id)):
        if row_id not in covered:
            yield Fault("row_unrecorded", f"{kind} id {row_id} is not in the ledger (inserted behind its back)",
                        number=f"{kind} id {row_id}")
