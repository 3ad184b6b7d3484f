"""Checkpoints: the ledger's head (entry number and keyed link) at a moment, printed or exported for the
record (kept outside the database: paper, e-mail, the archive). `ogi audit verify --checkpoint FILE`
then proves the ledger still holds that entry unchanged, which catches a ledger cut back to an earlier
head — the one change a database writer without the key could otherwise hide."""

from __future__ import annotations

import re
from datetime import UTC

from sqlmodel import Session

from service.audit.key import audit_key, key_id
from service.audit.models import AuditCheckpoint, AuditHead
from service.base import utcnow

_LINE = re.compile(r"seq=(\d+)\s+mac=([0-9a-f]{64}|-)")


def take(*, session: Session) -> AuditCheckpoint:
    """Record a checkpoint of the current ledger head in the database and return it."""
    head = session.get(AuditHead, 1)
    seq, mac = (head.seq, head.mac) if head is not None else (0, "")
    point = AuditCheckpoint(seq=seq, mac=mac, key_id=key_id(audit_key(create=True)), created_at=utcnow())
    session.add(point)
    session.flush()
    return point


def render(point: AuditCheckpoint) -> str:
    """One line for the record, e.g. ``ogi-audit-checkpoint seq=1234 mac=… key=… at=2026-11-29T21:00:00Z``."""
    at = point.created_at if point.created_at.tzinfo else point.created_at.replace(tzinfo=UTC)
    return (f"ogi-audit-checkpoint seq={point.seq} mac={point.mac or '-'} key={point.key_id} "
            f"at={at.astimezone(UTC).strftime('%Y-%m-%dT%H:%M:%SZ')}")


def parse(text: str) -> list[tuple[int, str]]:
    """The (entry number, link) pairs of every checkpoint line in ``text`` (other lines are ignored)."""
    points = []
    for match in _LINE.finditer(text):
        points.append((int(match.group(1)), "" if match.group(2) == "-" else match.group(2)))
    return points
