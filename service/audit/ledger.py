"""The deployment-wide ledger: every request, request event, letter and assessment event gets one
keyed entry, in commit order, numbered 1, 2, 3, … without gaps.

A writer never calls this: session hooks note every new row of those kinds after each flush (Core
inserts call :func:`note`), and just before the transaction commits :func:`seal` locks the ledger's
head — the last lock a transaction takes, so it is held only for the few inserts below — and appends
one entry per new row: ``mac = HMAC-SHA256(key, seq | kind | row id | digest of the row | previous mac)``.
Rows rolled back (a savepoint, a refused action) are simply not found and get no entry.
"""

from __future__ import annotations

import hashlib
import hmac
import json
from collections.abc import Iterable, Mapping
from datetime import date, datetime
from typing import Any

from sqlalchemy import event, insert, select, update
from sqlmodel import Session

from service.assessment.models import AssessmentEventRecord
from service.audit.key import audit_key
from service.audit.models import AuditEntry, AuditHead
from service.base import utcnow
from service.letters.models import Letter
from service.requests.models import RequestEvent, RequestRecord

PENDING = "ogi_audit_pending"

# kind → (table, the columns that make up its digest). A request row's other columns are derived
# from its events (verify recomputes them); a letter is covered by the hash of its HTML as sent.
KINDS: dict[str, tuple[Any, tuple[str, ...]]] = {
    "request": (RequestRecord.__table__,  # type: ignore[attr-defined]
                ("agency_id", "year", "seq", "number", "applicant_name", "applicant_kind", "channel",
                 "description")),
    "event": (RequestEvent.__table__, ("request_id", "seq", "prev_hash", "hash")),  # type: ignore[attr-defined]
    "letter": (Letter.__table__,  # type: ignore[attr-defined]
               ("request_id", "agency_id", "kind", "decision", "year", "seq", "number", "title", "issued_on",
                "addressee", "html", "supersedes_id", "forced", "missing")),
    "assessment": (AssessmentEventRecord.__table__,  # type: ignore[attr-defined]
                   ("key", "kind", "unit", "on", "subject", "request_ref", "note", "amount", "details", "source")),
}
_MODEL_KIND = {RequestRecord: "request", RequestEvent: "event", Letter: "letter", AssessmentEventRecord: "assessment"}


def _plain(value: Any) -> Any:
    if isinstance(value, datetime | date):
        return value.isoformat()
    raise TypeError(f"not JSON-serialisable: {type(value).__name__}")


def digest(kind: str, row: Mapping[str, Any]) -> str:
    """SHA-256 of the columns of ``kind`` that the ledger covers (a letter's HTML by its own hash)."""
    _, columns = KINDS[kind]
    values = {c: row[c] for c in columns}
    if "html" in values:
        values["html"] = hashlib.sha256(str(values["html"]).encode("utf-8")).hexdigest()
    if values.get("amount") is not None:
        values["amount"] = float(values["amount"])
    body = json.dumps(values, ensure_ascii=False, sort_keys=True, separators=(",", ":"), default=_plain)
    return hashlib.sha256(body.encode("utf-8")).hexdigest()


def entry_mac(key: bytes, *, seq: int, kind: str, ref_id: int, digest: str, prev_mac: str) -> str:
    """The keyed link of one ledger entry to the one before it."""
    return hmac.new(key, f"{seq}|{kind}|{ref_id}|{digest}|{prev_mac}".encode(), hashlib.sha256).hexdigest()


def note(session: Session, kind: str, ids: Iterable[int]) -> None:
    """Record that rows of ``kind`` were inserted outside the ORM (Core ``INSERT``) in this transaction."""
    session.info.setdefault(PENDING, []).extend((kind, int(i)) for i in ids)


def fetch(session: Session, kind: str, ids: Iterable[int]) -> dict[int, Mapping[str, Any]]:
    """The rows of ``kind`` with these ids, as column mappings, by id."""
    table, _ = KINDS[kind]
    wanted = sorted(set(ids))
    found: dict[int, Mapping[str, Any]] = {}
    for start in range(0, len(wanted), 500):
        for row in session.execute(select(table).where(table.c.id.in_(wanted[start:start + 500]))).mappings():
            found[row["id"]] = row
    return found


def seal(session: Session, pending: list[tuple[str, int]]) -> int:
    """Append one entry per still-existing pending row; returns how many. Runs inside the transaction."""
    seen: set[tuple[str, int]] = set()
    order = [p for p in pending if not (p in seen or seen.add(p))]  # type: ignore[func-returns-value]
    rows: dict[str, dict[int, Mapping[str, Any]]] = {}
    for kind in {k for k, _ in order}:
        rows[kind] = fetch(session, kind, [i for k, i in order if k == kind])
    order = [(k, i) for k, i in order if i in rows[k]]
    if not order:
        return 0
    key = audit_key(create=True)
    head_table = AuditHead.__table__  # type: ignore[attr-defined]
    head = session.execute(select(head_table.c.seq, head_table.c.mac).where(head_table.c.id == 1)
                           .with_for_update()).first()
    if head is None:  # an emptied database (the migration writes the head row)
        session.execute(insert(head_table).values(id=1, seq=0, mac="", keyed_since=utcnow()))
        seq, prev = 0, ""
    else:
        seq, prev = int(head.seq), str(head.mac)
    entries = []
    for kind, ref_id in order:
        seq += 1
        d = digest(kind, rows[kind][ref_id])
        prev = entry_mac(key, seq=seq, kind=kind, ref_id=ref_id, digest=d, prev_mac=prev)
        entries.append({"seq": seq, "kind": kind, "ref_id": ref_id, "digest": d, "mac": prev})
    session.execute(insert(AuditEntry.__table__), entries)  # type: ignore[attr-defined]
    session.execute(update(head_table).where(head_table.c.id == 1).values(seq=seq, mac=prev))
    return len(entries)


def _after_flush(session: Session, _context: Any) -> None:
    found = [(_MODEL_KIND[type(obj)], obj.id) for obj in session.new if type(obj) in _MODEL_KIND]
    if found:
        session.info.setdefault(PENDING, []).extend(found)


def _before_commit(session: Session) -> None:
    if not session.info.get(PENDING):
        return
    session.flush()
    pending = session.info.pop(PENDING, [])
    if pending:
        seal(session, pending)


def _after_transaction_end(session: Session, transaction: Any) -> None:
    if transaction.parent is None:  # the whole transaction is over (committed or rolled back)
        session.info.pop(PENDING, None)


_installed = False


def install() -> None:
    """Attach the hooks to every session (idempotent; called when an engine is first made)."""
    global _installed
    if _installed:
        return
    event.listen(Session, "after_flush", _after_flush)
    event.listen(Session, "before_commit", _before_commit)
    event.listen(Session, "after_transaction_end", _after_transaction_end)
    _installed = True
