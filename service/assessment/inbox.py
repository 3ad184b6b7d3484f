"""The scoring engine's inbox: assessment events from the workflow (request actions, `ogi sweep`)
and other producers, recorded once per key in the caller's transaction."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any

from sqlmodel import Session

from service.assessment import repository


def _row(event: Mapping[str, Any], source: str) -> dict[str, Any]:
    on = event["on"]
    if isinstance(on, str):
        on = date.fromisoformat(on)
    amount = event.get("amount")
    return {"key": str(event["key"]), "kind": str(event["kind"]), "unit": str(event["unit"]), "on": on,
            "subject": str(event.get("subject") or ""), "request_ref": str(event.get("request_ref") or ""),
            "note": str(event.get("note") or ""), "amount": None if amount is None else float(amount),
            "details": dict(event.get("details") or {}), "source": source}


def submit(*, session: Session, events: Iterable[Mapping[str, Any]], source: str = "workflow") -> int:
    """Record ``events`` (kind, unit = agency code, on, key, subject, request_ref, note, amount, details);
    an event whose key is already recorded is skipped. Returns the number newly recorded. Never commits:
    the caller's transaction carries the events with the change that caused them."""
    return repository.insert_events(session=session, rows=[_row(e, source) for e in events])
