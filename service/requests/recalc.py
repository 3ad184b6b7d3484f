"""Recompute open requests' due dates after a calendar change (filled in by the requests resource)."""

from __future__ import annotations

from sqlmodel import Session


def recompute_open_requests(*, session: Session, reason: str) -> int:
    """Recompute every open request's due date and record each change; return how many changed."""
    return 0
